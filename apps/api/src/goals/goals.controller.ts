import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  AdminCommentSchema,
  CommentBodySchema,
  CommentKeyQuerySchema,
  CommentsQuerySchema,
  GoalBodySchema,
  GoalSchema,
  IdResponseSchema,
  MunicipalityQuerySchema,
  type CommentBody,
  type GoalBody,
  type MunicipalityQuery,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { GoalsService } from './goals.service';
import { IdPipe } from '../validation/id.pipe';

/** `:id` of a goal: an id its column can hold, else a Danish 400. */
const GoalId = new IdPipe('Målets id skal være et heltal');

/** Political goals (managed by admin) and the administration's comments (written by chef and admin). */
@ApiTags('goals')
@ApiBearerAuth()
@Controller({ version: '1' })
export class GoalsController {
  constructor(@Inject(GoalsService) private readonly service: GoalsService) {}

  @Get('goals')
  @Roles('udvalg', 'chef', 'admin')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(GoalSchema) })
  list(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.list(user, municipalityParam(query.municipality));
  }

  @Post('goals')
  @Roles('admin')
  @Validate({ body: GoalBodySchema, response: IdResponseSchema, status: 201 })
  create(@CurrentUser() user: AuthUser, @Body() body: GoalBody) {
    return this.service.create(user, body);
  }

  @Put('goals/:id')
  @Roles('admin')
  @Validate({ body: GoalBodySchema, response: IdResponseSchema })
  update(@CurrentUser() user: AuthUser, @Param('id', GoalId) id: number, @Body() body: GoalBody) {
    return this.service.update(user, id, body);
  }

  @Delete('goals/:id')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id', GoalId) id: number) {
    return this.service.remove(user, id);
  }

  /** Comments for a period (e.g. "2026"), read by every role of the municipality. */
  @Get('comments')
  @Roles('udvalg', 'chef', 'teamleder', 'admin')
  @Validate({ query: CommentsQuerySchema, response: z.array(AdminCommentSchema) })
  comments(@CurrentUser() user: AuthUser, @Query() query: z.infer<typeof CommentsQuerySchema>) {
    return this.service.comments(user, query.period, municipalityParam(query.municipality));
  }

  @Put('comments')
  @Roles('chef', 'admin')
  @Validate({ body: CommentBodySchema, response: z.object({ ok: z.literal(true) }) })
  comment(@CurrentUser() user: AuthUser, @Body() body: CommentBody) {
    return this.service.saveComment(user, body);
  }

  /** Removes the comment on one budget line or goal for the period (chef and admin). */
  @Delete('comments')
  @Roles('chef', 'admin')
  @HttpCode(204)
  @Validate({ query: CommentKeyQuerySchema })
  removeComment(@CurrentUser() user: AuthUser, @Query() query: z.infer<typeof CommentKeyQuerySchema>) {
    return this.service.removeComment(user, query, municipalityParam(query.municipality));
  }
}
