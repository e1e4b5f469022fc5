import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ComparisonGroupBodySchema,
  ComparisonGroupSchema,
  IdResponseSchema,
  MunicipalityQuerySchema,
  NeighbourSchema,
  SuggestedQuerySchema,
  type ComparisonGroupBody,
  type MunicipalityQuery,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { ComparisonGroupsService } from './comparison-groups.service';
import { IdPipe } from '../validation/id.pipe';

/** Named comparison groups for benchmarks, and a suggested group of statistical neighbours. */
@ApiTags('benchmarks')
@ApiBearerAuth()
@Controller({ path: 'comparison-groups', version: '1' })
export class ComparisonGroupsController {
  constructor(@Inject(ComparisonGroupsService) private readonly service: ComparisonGroupsService) {}

  @Get()
  @Roles('udvalg', 'chef', 'admin')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ComparisonGroupSchema) })
  list(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.list(user, municipalityParam(query.municipality));
  }

  @Get('suggested')
  @Roles('udvalg', 'chef', 'admin')
  @Validate({ query: SuggestedQuerySchema, response: z.array(NeighbourSchema) })
  suggested(@CurrentUser() user: AuthUser, @Query() query: z.infer<typeof SuggestedQuerySchema>) {
    return this.service.suggested(user, municipalityParam(query.municipality), query.size);
  }

  @Post()
  @Roles('chef', 'admin')
  @Validate({ body: ComparisonGroupBodySchema, response: IdResponseSchema, status: 201 })
  create(@CurrentUser() user: AuthUser, @Body() body: ComparisonGroupBody) {
    return this.service.save(user, body);
  }

  @Delete(':id')
  @Roles('chef', 'admin')
  @HttpCode(204)
  @Validate({ query: MunicipalityQuerySchema })
  remove(
    @CurrentUser() user: AuthUser,
    @Param('id', new IdPipe('Sammenligningsgruppens id skal være et heltal')) id: number,
    @Query() query: MunicipalityQuery,
  ) {
    return this.service.remove(user, id, municipalityParam(query.municipality));
  }
}
