import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { ComparisonGroupsService, type ComparisonGroupBody } from './comparison-groups.service';
import { municipalityParam } from '../municipalities/municipality-param';

/** Named comparison groups for benchmarks, and a suggested group of statistical neighbours. */
@ApiTags('benchmarks')
@ApiBearerAuth()
@Controller({ path: 'comparison-groups', version: '1' })
export class ComparisonGroupsController {
  constructor(@Inject(ComparisonGroupsService) private readonly service: ComparisonGroupsService) {}

  @Get()
  @Roles('udvalg', 'chef', 'admin')
  list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string) {
    return this.service.list(user, municipalityParam(municipality));
  }

  @Get('suggested')
  @Roles('udvalg', 'chef', 'admin')
  suggested(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string, @Query('size') size = '10') {
    return this.service.suggested(user, municipalityParam(municipality), size);
  }

  @Post()
  @Roles('chef', 'admin')
  create(@CurrentUser() user: AuthUser, @Body() body: ComparisonGroupBody) {
    return this.service.save(user, body);
  }

  @Delete(':id')
  @Roles('chef', 'admin')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number, @Query('municipality') municipality?: string) {
    return this.service.remove(user, id, municipalityParam(municipality));
  }
}
