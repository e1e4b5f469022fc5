import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { GoalsService, type CommentBody, type GoalBody } from './goals.service';

/** Political goals (managed by admin) and the administration's comments (written by chef and admin). */
@ApiTags('goals')
@ApiBearerAuth()
@Controller({ version: '1' })
export class GoalsController {
  constructor(@Inject(GoalsService) private readonly service: GoalsService) {}

  @Get('goals')
  @Roles('udvalg', 'chef', 'admin')
  list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string) {
    return this.service.list(user, municipalityParam(municipality));
  }

  @Post('goals')
  @Roles('admin')
  create(@CurrentUser() user: AuthUser, @Body() body: GoalBody) {
    return this.service.create(user, body);
  }

  @Put('goals/:id')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number, @Body() body: GoalBody) {
    return this.service.update(user, id, body);
  }

  @Delete('goals/:id')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number) {
    return this.service.remove(user, id);
  }

  /** Comments for a period (e.g. "2026"), read by every role of the municipality. */
  @Get('comments')
  @Roles('udvalg', 'chef', 'teamleder', 'admin')
  comments(@CurrentUser() user: AuthUser, @Query('period') period?: string, @Query('municipality') municipality?: string) {
    return this.service.comments(user, period, municipalityParam(municipality));
  }

  @Put('comments')
  @Roles('chef', 'admin')
  comment(@CurrentUser() user: AuthUser, @Body() body: CommentBody) {
    return this.service.saveComment(user, body);
  }

  /** Removes the comment on one budget line or goal for the period (chef and admin). */
  @Delete('comments')
  @Roles('chef', 'admin')
  @HttpCode(204)
  removeComment(
    @CurrentUser() user: AuthUser,
    @Query('subjectType') subjectType?: string,
    @Query('subjectKey') subjectKey?: string,
    @Query('period') period?: string,
    @Query('municipality') municipality?: string,
  ) {
    return this.service.removeComment(user, { subjectType, subjectKey, period }, municipalityParam(municipality));
  }
}
