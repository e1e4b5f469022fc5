import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  Optional,
} from '@nestjs/common';
import { existsSync } from 'fs';
import { lstat, realpath, rm } from 'fs/promises';
import { dirname, join, resolve } from 'path';
import { isIsoDate, isMunicipalityCode, listRules, ruleTitle } from '@bu/domain';
import {
  inspectUploadZip,
  jobMunicipality,
  JobQueue,
  settleDelivery,
  SOURCES,
  unpackDirFor,
  UploadError,
  type EtlJobData,
  type SourceKind,
} from '@bu/jobs';
import { logger } from '@bu/logger';
import type { AuthUser } from '../auth/auth.types';
import { APP_CONFIG, type AppConfig } from '../config';
import { DropFoldersRepository } from '../drop-folders/drop-folders.repository';
import { ETL_QUEUE_TOKEN } from '../queue/queue.module';
import { ImportsRepository, type RunFilter } from './imports.repository';
import type { StoredUpload } from './upload.interceptor';

export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
/** Without the id: it is whatever the path held, unchecked (a job id is the queue's, any text). */
export const JOB_NOT_FOUND = 'Jobbet findes ikke';
/** A job's state in Danish, for the messages. */
const JOB_STATE_NAMES: Record<string, string> = {
  waiting: 'ventende',
  delayed: 'ventende',
  prioritized: 'ventende',
  active: 'i gang',
  completed: 'færdigt',
  failed: 'fejlet',
  unknown: 'ukendt',
};

/** The import log's sources (purge: the retention purge's own rows) and outcomes. */
const RUN_SOURCES = [...SOURCES, 'purge'] as const;
const RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;

/** The form fields of an upload, as sent (multipart: every value a string). */
export interface UploadFields {
  source?: string;
  municipality?: string;
  exportDate?: string;
  allowOlder?: string;
  allowShrink?: string;
}

/** A national administrator sees every job; a municipality's administrator only its municipality's. */
function maySee(user: AuthUser, job: Parameters<typeof jobMunicipality>[0]): boolean {
  return user.municipality === null || jobMunicipality(job) === user.municipality;
}

/** The import log, uploads queued as ETL jobs, and the jobs' states, each within the user's municipality. */
@Injectable()
export class ImportsService {
  constructor(
    @Inject(ImportsRepository) private readonly repository: ImportsRepository,
    @Inject(ETL_QUEUE_TOKEN) private readonly queue: JobQueue,
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'uploadDir'>,
    @Optional() @Inject(DropFoldersRepository) private readonly dropFolders?: Pick<DropFoldersRepository, 'list'>,
  ) {}

  /** The validation rules, with their ids and Danish texts (the data-quality page lists them). */
  rules() {
    return listRules();
  }

  /** National imports (economy, statistics: no municipality) are for national users only. */
  runs(user: AuthUser, limit: string, filter: RunFilter = {}) {
    if (filter.source !== undefined && !(RUN_SOURCES as readonly string[]).includes(filter.source))
      throw new BadRequestException(`source skal være en af: ${RUN_SOURCES.join(', ')}`);
    if (filter.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(filter.status))
      throw new BadRequestException(`status skal være en af: ${RUN_STATUSES.join(', ')}`);
    if (filter.from && filter.to && filter.from > filter.to) throw new BadRequestException('Fra-datoen skal ligge før eller på til-datoen');
    return this.repository.runs(user.municipality, Math.min(Math.max(Number(limit) || 50, 1), 500), filter);
  }

  /** Rejected rows and warnings of one import, by rule and file with line numbers (paged). */
  async issues(user: AuthUser, id: number, severity: string | undefined, offset: string, limit: string) {
    const run = await this.repository.runMunicipality(id);
    if (!run || (user.municipality !== null && run.municipality !== user.municipality)) {
      throw new NotFoundException(`Import ${id} findes ikke`);
    }
    if (severity !== undefined && !['error', 'warning'].includes(severity))
      throw new BadRequestException('severity skal være error eller warning');
    const [rows, byRule] = await Promise.all([
      this.repository.issues(id, severity ?? null, Math.max(Number(offset) || 0, 0), Math.min(Math.max(Number(limit) || 100, 1), 1000)),
      this.repository.issueCounts(id, severity ?? null),
    ]);
    // Each rule by its Danish title beside its id: the id alone (R003) tells a user nothing.
    const titled = <T extends { rule: string }>(r: T) => ({ ...r, title: ruleTitle(r.rule) });
    return { count: byRule.reduce((s, r) => s + r.count, 0), byRule: byRule.map(titled), rows: rows.map(titled) };
  }

  /** Checks an upload (fields, the user's scope, the zip's table of contents) and queues its import. */
  async upload(
    user: AuthUser,
    file: StoredUpload | undefined,
    body: UploadFields,
  ): Promise<{ jobId: string | undefined; files: string[] }> {
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
    const jobId = await this.enqueue({
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
    return { jobId, files };
  }

  /** The one place an import job is queued (the worker runs it). */
  private async enqueue(data: EtlJobData): Promise<string | undefined> {
    return (await this.queue.enqueue('import', data)).id;
  }

  /** A job's state and progress (rows read, rejected), and its result or failure reason. */
  async job(user: AuthUser, id: string) {
    // The state first, then the job: a job read before it completed has no result yet.
    const state = await this.queue.getJobState(id);
    const job = await this.queue.getJob(id);
    // Another municipality's job does not exist for this administrator.
    if (!job || !maySee(user, job)) throw new NotFoundException(JOB_NOT_FOUND);
    return {
      id: job.id,
      state,
      progress: job.progress,
      attempts: job.attemptsMade,
      failedReason: job.failedReason ?? null,
      result: job.returnvalue ?? null,
    };
  }

  /**
   * Runs a failed job again (its attempts start over). An uploaded zip is deleted and a delivery
   * moved to failed/ when its job fails for good: such a job cannot run again, and says so.
   */
  async retry(user: AuthUser, id: string): Promise<{ id: string; state: string }> {
    const job = await this.queue.getJob(id);
    if (!job || !maySee(user, job)) throw new NotFoundException(JOB_NOT_FOUND);
    const state = await this.queue.getJobState(id);
    if (state !== 'failed')
      throw new ConflictException(`Kun et fejlet job kan køres igen; job ${id} er ${JOB_STATE_NAMES[state] ?? state}`);
    if (job.data?.zip && !existsSync(job.data.zip))
      throw new ConflictException('Den uploadede fil blev slettet, da jobbet fejlede. Indlæs udtrækket igen.');
    if (job.data?.delivery)
      throw new ConflictException('Leverancen er flyttet til mappen failed/ i afleveringsmappen. Læg den i afleveringsmappen igen.');
    await job.retry('failed');
    return { id, state: await this.queue.getJobState(id) };
  }

  /**
   * Removes a job that has not started (waiting, or delayed before its next attempt), and the raw
   * export it would have read (full CPR numbers): an upload's zip and unpacked folder are deleted;
   * a drop-folder delivery is moved to failed/, as one whose import failed (see settleCancelled).
   */
  async cancel(user: AuthUser, id: string): Promise<{ id: string; state: string }> {
    const job = await this.queue.getJob(id);
    if (!job || !maySee(user, job)) throw new NotFoundException(JOB_NOT_FOUND);
    const state = await this.queue.getJobState(id);
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized')
      throw new ConflictException(`Kun et ventende job kan annulleres; job ${id} er ${JOB_STATE_NAMES[state] ?? state}`);
    // Removed first: a job a worker has taken meanwhile cannot be removed (and keeps its files).
    await job.remove();
    if (job.data?.zip) await this.deleteUpload(job.data);
    if (job.data?.delivery) await this.settleCancelled(user, id, job.data);
    return { id, state: 'removed' };
  }

  /** A cancelled upload's zip and unpacked folder: only names directly in the upload folder (job data names the paths). */
  private async deleteUpload(data: EtlJobData): Promise<void> {
    if (!this.config) return;
    const uploads = resolve(this.config.uploadDir);
    for (const path of [data.zip, data.dir]) {
      if (typeof path === 'string' && dirname(resolve(path)) === uploads) await rm(resolve(path), { recursive: true, force: true });
    }
  }

  /**
   * A cancelled drop-folder delivery was never imported: it is settled as one whose import failed
   * (settleDelivery: `processing/<time>/` to `failed/<time>/`, 0700, its time now), and the retention purge
   * removes it after retention.upload_days. Only a `processing/` entry of the job's own drop folder
   * (drop_folder, in the user's scope), through no link. Where this process cannot reach the
   * folder (compose gives only the worker the drop folders) it stays in `processing/`, where the
   * purge removes it after the same time, as nothing waits for it any more.
   */
  private async settleCancelled(user: AuthUser, id: string, data: EtlJobData): Promise<void> {
    const folderId = /^drop-folder:(\d+)$/.exec(data.requestedBy ?? '')?.[1];
    const folder = folderId && this.dropFolders && (await this.dropFolders.list(user.municipality)).find((f) => String(f.id) === folderId);
    if (!folder) return;
    const root = resolve(folder.path);
    const dir = resolve(data.dir);
    if (dirname(dir) !== join(root, 'processing')) return;
    try {
      if ((await realpath(dir)) !== dir || !(await lstat(dir)).isDirectory()) throw new Error(`${dir} er ikke en almindelig mappe`);
      await settleDelivery(dir, 'failed');
    } catch (e) {
      logger().warn(
        { job: id, err: e },
        `The cancelled delivery ${dir} stays in processing/ until the retention purge: ${(e as Error).message}`,
      );
    }
  }

  /** Jobs by state, e.g. the failed-jobs view; scoped after reading (the queue has no index by municipality; at most 100 are read). */
  async jobs(user: AuthUser, state: string) {
    if (!(JOB_STATES as readonly string[]).includes(state))
      throw new BadRequestException(`state skal være en af: ${JOB_STATES.join(', ')}`);
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
