import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { isIsoDate, isMunicipalityCode, listRules } from '@bu/domain';
import { inspectUploadZip, JobQueue, SOURCES, unpackDirFor, UploadError, type EtlJobData, type SourceKind } from '@bu/jobs';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { APP_CONFIG, AppConfig } from '../config';
import { ETL_QUEUE_TOKEN } from '../queue/queue.module';
import { StoredUpload, UploadInterceptor } from './upload.interceptor';

const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

/**
 * The municipality a job belongs to: the uploader's scope, else the one asked for, else the one the
 * import found; null for a national job (economy, statistics, or one that failed before it knew).
 */
function jobMunicipality(job: { data: EtlJobData; returnvalue?: { municipality?: number | null } | null }): number | null {
  return job.data?.allowedMunicipality ?? job.data?.municipality ?? job.returnvalue?.municipality ?? null;
}

/** A national administrator sees every job; a municipality's administrator only its municipality's. */
function maySee(user: AuthUser, job: Parameters<typeof jobMunicipality>[0]): boolean {
  return user.municipality === null || jobMunicipality(job) === user.municipality;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller({ version: '1' })
export class ImportsController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ETL_QUEUE_TOKEN) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The validation rules, with their ids and Danish texts (the data-quality page lists them). */
  @Get('etl/rules')
  @Roles('chef', 'teamleder', 'admin')
  rules() {
    return listRules();
  }

  /**
   * The import log: who, when, files with checksums, counts, outcome. Scoped to the user's
   * municipality; national imports (economy, statistics: no municipality) are for national users only.
   */
  @Get('imports')
  @Roles('chef', 'admin')
  async imports(@CurrentUser() user: AuthUser, @Query('limit') limit = '50') {
    const rows = await this.db.query(
      `SELECT id, municipality_code AS municipality, source, to_char(export_date, 'YYYY-MM-DD') AS "exportDate", status,
              requested_by AS "requestedBy", job_id AS "jobId", started_at AS "startedAt", finished_at AS "finishedAt",
              extract(epoch FROM finished_at - started_at)::float AS seconds, files, loaded, unchanged, removed,
              rejected_count AS "rejectedCount", warning_count AS "warningCount", error
       FROM import_run WHERE $1::smallint IS NULL OR municipality_code = $1
       ORDER BY id DESC LIMIT $2`,
      [user.municipality, Math.min(Math.max(Number(limit) || 50, 1), 500)],
    );
    return rows;
  }

  /** Rejected rows and warnings of one import, by rule and file with line numbers (paged). */
  @Get('imports/:id/issues')
  @Roles('chef', 'admin')
  async issues(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIntPipe) id: number,
    @Query('severity') severity?: string,
    @Query('offset') offset = '0',
    @Query('limit') limit = '100',
  ) {
    const run = await this.db.query(`SELECT municipality_code FROM import_run WHERE id = $1`, [id]);
    if (run.length === 0 || (user.municipality !== null && run[0].municipality_code !== user.municipality)) {
      throw new NotFoundException(`Import ${id} findes ikke`);
    }
    if (severity !== undefined && !['error', 'warning'].includes(severity))
      throw new BadRequestException('severity skal være error eller warning');
    const params = [id, severity ?? null, Math.max(Number(offset) || 0, 0), Math.min(Math.max(Number(limit) || 100, 1), 1000)];
    const [rows, byRule] = await Promise.all([
      this.db.query(
        `SELECT severity, file, line, rule, value, message FROM import_issue WHERE import_id = $1 AND ($2::text IS NULL OR severity = $2)
         ORDER BY file, line NULLS FIRST, id OFFSET $3 LIMIT $4`,
        params,
      ),
      this.db.query(
        `SELECT rule, severity, count(*)::int AS count FROM import_issue WHERE import_id = $1 AND ($2::text IS NULL OR severity = $2) GROUP BY rule, severity ORDER BY rule`,
        params.slice(0, 2),
      ),
    ]);
    return { count: byRule.reduce((s: number, r: { count: number }) => s + r.count, 0), byRule, rows };
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
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: StoredUpload | undefined,
    @Body() body: { source?: string; municipality?: string; exportDate?: string; allowOlder?: string; allowShrink?: string },
  ) {
    if (!file) throw new BadRequestException('Vedhæft udtrækket som en zip-fil i feltet "file".');
    if (!body.source || !(SOURCES as readonly string[]).includes(body.source))
      throw new BadRequestException(`source skal være en af: ${SOURCES.join(', ')}`);
    const municipality = body.municipality ? Number(body.municipality) : undefined;
    if (municipality !== undefined && !isMunicipalityCode(municipality))
      throw new BadRequestException(`Ukendt kommunenummer: ${body.municipality}`);
    if (body.exportDate !== undefined && body.exportDate !== '' && !isIsoDate(body.exportDate))
      throw new BadRequestException('exportDate skal være en dato, ÅÅÅÅ-MM-DD');
    if (body.allowOlder !== undefined && !['', 'true', 'false'].includes(body.allowOlder))
      throw new BadRequestException('allowOlder skal være true eller false');
    if (body.allowShrink !== undefined && body.allowShrink !== 'true' && body.allowShrink !== 'false')
      throw new BadRequestException('allowShrink skal være "true" eller "false"');
    // A municipality's administrator loads its own municipality only: economy and statistics files
    // span municipalities (national administrators), and a case export must be its own (checked in the import).
    if (user.municipality !== null) {
      if (body.source === 'economy' || body.source === 'statistics')
        throw new ForbiddenException(
          `Du har ikke adgang til at indlæse ${body.source}-data; det kræver en administrator for hele produktet`,
        );
      if (municipality !== undefined && municipality !== user.municipality)
        throw new ForbiddenException(`Du har ikke adgang til at indlæse data for kommune ${municipality}`);
    }
    let files: string[];
    try {
      files = await inspectUploadZip(file.path);
    } catch (e) {
      if (e instanceof UploadError) throw new BadRequestException(e.message);
      throw e;
    }
    const job = await this.queue.enqueue('import', {
      source: body.source as SourceKind,
      dir: unpackDirFor(file.path),
      zip: file.path,
      municipality,
      exportDate: body.exportDate || undefined,
      ...(body.allowOlder === 'true' ? { allowOlder: true } : {}),
      ...(body.allowShrink === 'true' ? { allowShrink: true } : {}),
      requestedBy: user.username,
      allowedMunicipality: user.municipality ?? undefined,
    });
    return { jobId: job.id, files };
  }

  /** A job's state and progress (rows read, rejected), and its result or failure reason. */
  @Get('imports/jobs/:id')
  @Roles('admin')
  async job(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    // The state first, then the job: a job read before it completed has no result yet.
    const state = await this.queue.getJobState(id);
    const job = await this.queue.getJob(id);
    // Another municipality's job does not exist for this administrator.
    if (!job || !maySee(user, job)) throw new NotFoundException(`Job ${id} findes ikke`);
    return {
      id: job.id,
      state,
      progress: job.progress,
      attempts: job.attemptsMade,
      failedReason: job.failedReason ?? null,
      result: job.returnvalue ?? null,
    };
  }

  /** Jobs by state, e.g. the failed-jobs view. */
  @Get('imports/jobs')
  @Roles('admin')
  async jobs(@CurrentUser() user: AuthUser, @Query('state') state = 'failed') {
    if (!(JOB_STATES as readonly string[]).includes(state))
      throw new BadRequestException(`state skal være en af: ${JOB_STATES.join(', ')}`);
    // Scoped after reading: the queue has no index by municipality (at most 100 jobs are read).
    const jobs = (await this.queue.getJobs([state as (typeof JOB_STATES)[number]], 0, 99)).filter((j) => maySee(user, j));
    return jobs.map((j) => ({
      id: j.id,
      data: j.data,
      attempts: j.attemptsMade,
      failedReason: j.failedReason ?? null,
      finishedOn: j.finishedOn ?? null,
    }));
  }
}
