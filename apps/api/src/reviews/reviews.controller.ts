import { BadRequestException, Body, Controller, Get, Inject, Param, ParseIntPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  MunicipalityQuerySchema,
  ReviewBodySchema,
  ReviewCaseBodySchema,
  ReviewCaseDetailSchema,
  ReviewCaseSchema,
  ReviewSchema,
  ReviewSummarySchema,
  type MunicipalityQuery,
  type ReviewBody,
  type ReviewCaseBody,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { ReviewsService } from './reviews.service';

/** `:id` of a round: an integer, else a Danish 400. */
const RoundId = new ParseIntPipe({ exceptionFactory: () => new BadRequestException('Gennemgangens id skal være et heltal') });

/**
 * Case review rounds (ledelsestilsyn, sagsgennemgang): the team leader's own teams, the chief's
 * municipality. The committee sees nothing person-level here (403), nor does an administrator.
 */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller({ version: '1' })
export class ReviewsController {
  constructor(@Inject(ReviewsService) private readonly service: ReviewsService) {}

  @Post('reviews')
  @Roles('teamleder', 'chef')
  @Validate({ body: ReviewBodySchema, response: ReviewSchema, status: 201 })
  create(@CurrentUser() user: AuthUser, @Body() body: ReviewBody) {
    return this.service.create(user, body);
  }

  @Get('reviews')
  @Roles('teamleder', 'chef')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ReviewSummarySchema) })
  list(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.list(user, municipalityParam(query.municipality));
  }

  @Get('reviews/:id')
  @Roles('teamleder', 'chef')
  @Validate({ response: ReviewSchema })
  get(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number) {
    return this.service.get(user, id);
  }

  @Get('reviews/:id/cases/:case')
  @Roles('teamleder', 'chef')
  @Validate({ response: ReviewCaseDetailSchema })
  getCase(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number, @Param('case') caseId: string) {
    return this.service.getCase(user, id, caseId);
  }

  @Put('reviews/:id/cases/:case')
  @Roles('teamleder', 'chef')
  @Validate({ body: ReviewCaseBodySchema, response: ReviewCaseSchema })
  updateCase(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number, @Param('case') caseId: string, @Body() body: ReviewCaseBody) {
    return this.service.updateCase(user, id, caseId, body);
  }
}
