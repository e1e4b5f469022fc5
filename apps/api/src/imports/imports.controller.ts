import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ImportIssuesQuerySchema,
  ImportIssuesSchema,
  ImportRunSchema,
  ImportsQuerySchema,
  JobActionSchema,
  JobsQuerySchema,
  UploadResponseSchema,
} from '@bu/contracts';
import { ApiResponseSchema, Validate } from '../validation/zod-validation.pipe';
import { SOURCES } from '@bu/jobs';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { ImportsService, type UploadFields } from './imports.service';
import { StoredUpload, UploadInterceptor } from './upload.interceptor';
import { IdPipe } from '../validation/id.pipe';

@ApiTags('imports')
@ApiBearerAuth()
@Controller({ version: '1' })
export class ImportsController {
  constructor(@Inject(ImportsService) private readonly service: ImportsService) {}

  /** The validation rules, with their ids and Danish texts (the data-quality page lists them). */
  @Get('etl/rules')
  @Roles('chef', 'teamleder', 'admin')
  rules() {
    return this.service.rules();
  }

  /**
   * The import log: who, when, files with checksums, counts, outcome. Scoped to the user's
   * municipality; national imports (economy, statistics: no municipality) are for national users only.
   */
  @Get('imports')
  @Roles('chef', 'admin')
  @Validate({ query: ImportsQuerySchema, response: z.array(ImportRunSchema) })
  imports(@CurrentUser() user: AuthUser, @Query() query: z.infer<typeof ImportsQuerySchema>) {
    return this.service.runs(user, query.limit, { source: query.source, status: query.status, from: query.from, to: query.to });
  }

  /** Rejected rows and warnings of one import, by rule and file with line numbers (paged). */
  @Get('imports/:id/issues')
  @Roles('chef', 'admin')
  @Validate({ query: ImportIssuesQuerySchema, response: ImportIssuesSchema })
  issues(
    @CurrentUser() user: AuthUser,
    @Param('id', new IdPipe('Importens id skal være et heltal', Number.MAX_SAFE_INTEGER)) id: number,
    @Query() query: z.infer<typeof ImportIssuesQuerySchema>,
  ) {
    return this.service.issues(user, id, query.severity, query.offset, query.limit);
  }

  /**
   * Upload an export folder as a zip; the import is queued as a job on the 'etl' queue. The zip is
   * streamed to the private upload folder and only its table of contents is read here; the worker
   * unpacks it and deletes it when the job ends (a refused upload is deleted at once).
   */
  @Post('imports')
  @Roles('admin')
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'source'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'zip of the export folder' },
        source: { type: 'string', enum: [...SOURCES] },
        municipality: { type: 'string' },
        exportDate: { type: 'string', format: 'date' },
        allowOlder: { type: 'string', enum: ['true', 'false'], description: 'load an export older than the one loaded' },
        allowShrink: {
          type: 'string',
          enum: ['true', 'false'],
          description: 'load even if the import removes more than import.max_shrink_share',
        },
      },
    },
  })
  @ApiResponseSchema(UploadResponseSchema, 201)
  upload(@CurrentUser() user: AuthUser, @UploadedFile() file: StoredUpload | undefined, @Body() body: UploadFields) {
    return this.service.upload(user, file, body);
  }

  /** A job's state and progress (rows read, rejected), and its result or failure reason. */
  @Get('imports/jobs/:id')
  @Roles('admin')
  job(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.job(user, id);
  }

  /** Runs a failed job again (the administrator's own municipality's jobs only). */
  @Post('imports/jobs/:id/retry')
  @Roles('admin')
  @HttpCode(200)
  @Validate({ response: JobActionSchema })
  retry(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.retry(user, id);
  }

  /** Cancels a job that waits to run (the administrator's own municipality's jobs only). */
  @Post('imports/jobs/:id/cancel')
  @Roles('admin')
  @HttpCode(200)
  @Validate({ response: JobActionSchema })
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.cancel(user, id);
  }

  /** Jobs by state, e.g. the failed-jobs view. */
  @Get('imports/jobs')
  @Roles('admin')
  @Validate({ query: JobsQuerySchema })
  jobs(@CurrentUser() user: AuthUser, @Query() query: z.infer<typeof JobsQuerySchema>) {
    return this.service.jobs(user, query.state);
  }
}
