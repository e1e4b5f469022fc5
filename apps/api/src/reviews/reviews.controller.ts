import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ActionAreaBodySchema,
  ActionAreaSchema,
  ChecklistBodySchema,
  ChecklistSchema,
  MunicipalityQuerySchema,
  ReviewMeetingBodySchema,
  ReviewMeetingSchema,
  ReviewResultsQuerySchema,
  ReviewResultsSchema,
  ReviewBodySchema,
  ReviewCaseBodySchema,
  ReviewCaseDetailSchema,
  ReviewCaseSchema,
  ReviewExampleBodySchema,
  ReviewExampleSchema,
  ReviewSchema,
  ReviewSummarySchema,
  type ActionAreaBody,
  type ChecklistBody,
  type MunicipalityQuery,
  type ReviewBody,
  type ReviewCaseBody,
  type ReviewExampleBody,
  type ReviewMeetingBody,
  type ReviewResultsQuery,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { ReviewsService } from './reviews.service';
import { IdPipe } from '../validation/id.pipe';

/** `:id` of a round: an integer, else a Danish 400. */
const RoundId = new IdPipe('Gennemgangens id skal være et heltal');
const MeetingId = new IdPipe('Mødets id skal være et heltal');
const ExampleId = new IdPipe('Eksemplets id skal være et heltal');
const ActionAreaId = new IdPipe('Indsatsområdets id skal være et heltal');

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

  // Paths under reviews/ that are not a round's id come before reviews/:id.

  /** The checklist versions the municipality may use, newest first. */
  @Get('reviews/checklists')
  @Roles('teamleder', 'chef')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ChecklistSchema) })
  checklists(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.checklists(user, municipalityParam(query.municipality));
  }

  /** A new version of the municipality's checklist: the chief's. */
  @Post('reviews/checklists')
  @Roles('chef')
  @Validate({ body: ChecklistBodySchema, response: ChecklistSchema, status: 201 })
  createChecklist(@CurrentUser() user: AuthUser, @Body() body: ChecklistBody) {
    return this.service.createChecklist(user, body);
  }

  /** Aggregated results; the committee's with small cells suppressed and nothing by team or caseworker. */
  @Get('reviews/results')
  @Roles('udvalg', 'teamleder', 'chef')
  @Validate({ query: ReviewResultsQuerySchema, response: ReviewResultsSchema })
  results(@CurrentUser() user: AuthUser, @Query() query: ReviewResultsQuery) {
    return this.service.results(user, query, municipalityParam(query.municipality));
  }

  /** Action areas hold no person-level data: the committee reads them too. */
  @Get('reviews/actions')
  @Roles('udvalg', 'teamleder', 'chef')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ActionAreaSchema) })
  actionAreas(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.actionAreas(user, municipalityParam(query.municipality));
  }

  @Post('reviews/actions')
  @Roles('teamleder', 'chef')
  @Validate({ body: ActionAreaBodySchema, response: ActionAreaSchema, status: 201 })
  createActionArea(@CurrentUser() user: AuthUser, @Body() body: ActionAreaBody) {
    return this.service.createActionArea(user, body);
  }

  @Put('reviews/actions/:action')
  @Roles('teamleder', 'chef')
  @Validate({ body: ActionAreaBodySchema, response: ActionAreaSchema })
  updateActionArea(@CurrentUser() user: AuthUser, @Param('action', ActionAreaId) id: number, @Body() body: ActionAreaBody) {
    return this.service.updateActionArea(user, id, body);
  }

  /** The chief's child-perspective examples for the committee: no person-level data, the committee reads them. */
  @Get('reviews/examples')
  @Roles('udvalg', 'teamleder', 'chef')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ReviewExampleSchema) })
  examples(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.examples(user, municipalityParam(query.municipality));
  }

  @Post('reviews/examples')
  @Roles('chef')
  @Validate({ body: ReviewExampleBodySchema, response: ReviewExampleSchema, status: 201 })
  createExample(@CurrentUser() user: AuthUser, @Body() body: ReviewExampleBody) {
    return this.service.createExample(user, body);
  }

  @Put('reviews/examples/:example')
  @Roles('chef')
  @Validate({ body: ReviewExampleBodySchema, response: ReviewExampleSchema })
  updateExample(@CurrentUser() user: AuthUser, @Param('example', ExampleId) id: number, @Body() body: ReviewExampleBody) {
    return this.service.updateExample(user, id, body);
  }

  @Delete('reviews/examples/:example')
  @Roles('chef')
  @HttpCode(204)
  removeExample(@CurrentUser() user: AuthUser, @Param('example', ExampleId) id: number) {
    return this.service.removeExample(user, id);
  }

  @Get('reviews/:id')
  @Roles('teamleder', 'chef')
  @Validate({ response: ReviewSchema })
  get(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number) {
    return this.service.get(user, id);
  }

  /** A round made by mistake, with its cases, answers and meetings. */
  @Delete('reviews/:id')
  @Roles('teamleder', 'chef')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number) {
    return this.service.remove(user, id);
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

  @Get('reviews/:id/meetings')
  @Roles('teamleder', 'chef')
  @Validate({ response: z.array(ReviewMeetingSchema) })
  meetings(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number) {
    return this.service.meetings(user, id);
  }

  @Post('reviews/:id/meetings')
  @Roles('teamleder', 'chef')
  @Validate({ body: ReviewMeetingBodySchema, response: ReviewMeetingSchema, status: 201 })
  createMeeting(@CurrentUser() user: AuthUser, @Param('id', RoundId) id: number, @Body() body: ReviewMeetingBody) {
    return this.service.createMeeting(user, id, body);
  }

  @Put('reviews/:id/meetings/:meeting')
  @Roles('teamleder', 'chef')
  @Validate({ body: ReviewMeetingBodySchema, response: ReviewMeetingSchema })
  updateMeeting(
    @CurrentUser() user: AuthUser,
    @Param('id', RoundId) id: number,
    @Param('meeting', MeetingId) meeting: number,
    @Body() body: ReviewMeetingBody,
  ) {
    return this.service.updateMeeting(user, id, meeting, body);
  }
}
