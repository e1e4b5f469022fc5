// The job contract between the producers (the API, the CLI scripts, the ETL's own drop-folder
// check) and the ETL worker: every job name with its payload, as one discriminated union. A new
// job is one entry in JobPayloads; the worker refuses to start until it has a handler for it
// (handlers.ts), and `enqueue` accepts only a payload of the right shape for the name.

import type { SourceKind } from '@bu/domain';

// The sources are a domain notion (the ETL's CLI reads them without loading BullMQ); part of the contract too.
export { SOURCES, type SourceKind } from '@bu/domain';

/** An import job's data: paths and options, never file contents or CPR numbers. */
export interface ImportJobData {
  source: SourceKind;
  dir: string;
  municipality?: number;
  exportDate?: string;
  requestedBy?: string;
  /** Key rotation: see ImportOptions.rekey. */
  rekey?: boolean;
  /** Load an export older than the one loaded: see ImportOptions.allowOlder. */
  allowOlder?: boolean;
  /** Let the import remove more than the municipality's import.max_shrink_share: see ImportOptions.allowShrink. */
  allowShrink?: boolean;
  /** The uploader's municipality: the import fails as a whole unless the data is this municipality's. */
  allowedMunicipality?: number;
  /**
   * An uploaded zip (in the private upload folder): the worker unpacks it into `dir` for each
   * attempt and deletes both when the job ends. Without it, `dir` is a folder the job only reads
   * (a drop folder, the CLI, the demo) and nothing is deleted.
   */
  zip?: string;
  /**
   * A delivery taken from a drop folder (`dir` is its `processing/<time>/`): checked again for links
   * before it is read, and moved to `processed/` or `failed/` when the job is done for good.
   */
  delivery?: boolean;
}

/** The name the ETL has always used for ImportJobData. */
export type EtlJobData = ImportJobData;

/**
 * The municipality an import job belongs to: the uploader's scope, else the one asked for, else the
 * one the import found; null for a national job (economy, statistics, or one that failed before it
 * knew). The API scopes the jobs by it, the retention purge applies that municipality's setting.
 */
export function jobMunicipality(job: {
  data?: Pick<EtlJobData, 'allowedMunicipality' | 'municipality'>;
  returnvalue?: unknown;
}): number | null {
  return (
    job.data?.allowedMunicipality ??
    job.data?.municipality ??
    (job.returnvalue as { municipality?: number | null } | null | undefined)?.municipality ??
    null
  );
}

/** Scheduled jobs carry no data. */
export type NoData = Record<string, never>;

/** Every job on the 'etl' queue: its name and its payload. */
export interface JobPayloads {
  import: ImportJobData;
  /** The scheduled check of the drop folders (etl/src/jobs/drop-folders.ts). */
  'pull-drop-folders': NoData;
  /** The daily retention purge (etl/src/jobs/retention.ts). */
  'retention-purge': NoData;
  /** The scheduled build of read models not built from the data in force (etl/src/jobs/read-models.ts). */
  'refresh-read-models': NoData;
}

export type JobName = keyof JobPayloads;

/** The job names, for the worker's check that each has a handler. */
export const JOB_NAMES = ['import', 'pull-drop-folders', 'retention-purge', 'refresh-read-models'] as const satisfies readonly JobName[];

// A name in JobPayloads missing from JOB_NAMES fails typecheck here.
type Missing = Exclude<JobName, (typeof JOB_NAMES)[number]>;
const allNamed: Missing extends never ? true : Missing = true;
void allNamed;

export const IMPORT_JOB = 'import' satisfies JobName;
export const PULL_JOB = 'pull-drop-folders' satisfies JobName;
export const RETENTION_JOB = 'retention-purge' satisfies JobName;
export const READ_MODELS_JOB = 'refresh-read-models' satisfies JobName;

/** One job as the worker sees it: discriminated by `name`. */
export type EtlJob = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

/** Retries and bookkeeping for every job on the queue. */
export const ETL_JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 };
