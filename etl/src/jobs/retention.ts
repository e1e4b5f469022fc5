import { readdirSync, rmSync, statSync } from 'fs';
import { join, relative, sep } from 'path';
import { PostgresQueueBackend } from 'bullmq';
import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { LOGIN_ATTEMPT_MEMORY, RETENTION_DEFAULTS, RetentionKey } from '@bu/domain';
import { logger } from '@bu/logger';
import type { Queue } from '@bu/queue';
import { sweepOrphanSpills } from '../issues';
import { maskCprInText } from '../pseudonym';
import { listRules } from '../rules';
import { ensureJobScheduler, jobMunicipality, RETENTION_JOB, type EtlJobData, type ReportJobData } from '@bu/jobs';
import { PURGED_IMPORTER, SYSTEM_IMPORTERS } from '@bu/contracts';
import { purgeDeliveries } from './drop-folders';

export { RETENTION_JOB } from '@bu/jobs';

/**
 * The schedule: daily at 03:00 Danish time, one repeatable job on the 'etl' queue (BullMQ job
 * scheduler). Left alone when registered already: a purge due but waiting behind an import must
 * not be moved to the next night by a worker's start (ensureJobScheduler).
 */
export async function scheduleRetentionPurge(queue: Queue<EtlJobData>): Promise<void> {
  await ensureJobScheduler(
    queue,
    RETENTION_JOB,
    { pattern: '0 3 * * *', tz: 'Europe/Copenhagen' },
    { name: RETENTION_JOB, data: {} as EtlJobData },
  );
}

/** What one purge removed, per municipality ('0': rows of no municipality, and product-wide things). */
export interface PurgeCounts {
  importIssueValues: number;
  auditRows: number;
  jobs: number;
  uploads: number;
  /** Drop-folder deliveries (or their receipts) removed from `processing/`, `processed/` and `failed/`, by the folder's municipality. */
  deliveries: number;
  /** Cases removed from case review rounds (with their answers and notes). */
  reviewCases: number;
  /** Spill files of rejected rows left by a process that was killed mid-import (product-wide, under '0'). */
  spills: number;
  /** The committee's monthly reports removed from the archive. */
  reports: number;
  /**
   * Login traces past their use (product-wide, under '0'): failed-login counters whose wait is
   * over, single sign-on logins that never came back, used or expired tickets, replay ids and
   * OpenID Connect logout hints. The API prunes them only as logins go on.
   */
  loginTraces: number;
  /**
   * Single sign-on accounts not used for retention.audit_days (by their municipality), not disabled:
   * the organisation does not tell Børneblik who left; a login makes the account again from the groups.
   */
  ssoUsers: number;
  /**
   * Password accounts of a municipality not used for retention.audit_days, disabled or not: nobody
   * tells Børneblik who left either, and no kept audit row names them. A product administrator's
   * (no municipality) stays: it is the way in when everything else fails.
   */
  passwordUsers: number;
  /**
   * Import log rows older than retention.audit_days whose importer was a person (a username, or the
   * machine user of `cli:<user>`): the name is replaced by PURGED_IMPORTER; the rows and their counts stay.
   */
  importers: number;
  /** Failure messages of imports (and purges) older than retention.import_issue_values_days, replaced by a fixed text. */
  importErrors: number;
  /**
   * Rounds past retention.review_days whose free texts went: purpose, title (made neutral) and who
   * made it, with the case list (reviewCases counts the cases).
   */
  reviewRounds: number;
  /** Finished action areas (carried out or given up) not changed for retention.review_days. */
  actionAreas: number;
  /** The administration's comments on periods that ended more than retention.report_days ago (the reports that printed them are gone too). */
  comments: number;
  /**
   * Usernames older than retention.audit_days in who made or changed a goal, comparison group,
   * comment, report schedule, report or case review: replaced by PURGED_IMPORTER, as the importers.
   */
  authors: number;
}
export type PurgeSummary = Record<string, PurgeCounts>;

export interface PurgeOptions {
  /** The clock: everything older than its setting at this moment goes. */
  now: Date;
  /** Finished jobs are removed from this queue. */
  queue?: Queue<EtlJobData>;
  /** And from the reports' queue (the committee's reports, the weekly e-mail), by the same setting. */
  reportQueue?: Queue<ReportJobData>;
  /** Raw uploads left here are removed. */
  uploadDir?: string;
  /** Spill files of processes no longer running are removed from this folder (sweepOrphanSpills). */
  spillDir?: string;
}

const DAY = 86_400_000;

/** What an import's failure message says once its time is up. */
export const PURGED_IMPORT_ERROR = 'Fejlbeskeden er slettet efter opbevaringsfristen.';

/** A round's title once its time is up (the round's date is shown beside it). */
export const PURGED_ROUND_TITLE = 'Gennemgang (teksterne er slettet efter opbevaringsfristen)';

/**
 * Where a username says who made or last changed something, and the time it was written: kept as
 * long as the audit rows of that write (the `importers` rule for the rest of the product).
 */
const AUTHORS: readonly { table: string; column: string; at: string }[] = [
  { table: 'political_goal', column: 'created_by', at: 'created_at' },
  { table: 'comparison_group', column: 'created_by', at: 'created_at' },
  { table: 'admin_comment', column: 'author', at: 'updated_at' },
  { table: 'report_schedule', column: 'updated_by', at: 'updated_at' },
  { table: 'report_archive', column: 'made_by', at: 'made_at' },
  { table: 'review_round', column: 'created_by', at: 'created_at' },
  { table: 'review_case', column: 'updated_by', at: 'updated_at' },
  { table: 'review_meeting', column: 'created_by', at: 'updated_at' },
  { table: 'review_action_area', column: 'created_by', at: 'updated_at' },
  { table: 'review_example', column: 'created_by', at: 'updated_at' },
];
/** An upload younger than this is never removed: it may still be arriving before its job is queued. */
export const UPLOAD_GRACE_MS = 3_600_000;

/** Days per municipality code (0 = product-wide) for each retention key, by the settings' precedence. */
async function retentionDays(pool: Pool): Promise<{ codes: number[]; days: (key: RetentionKey, code: number | null) => number }> {
  const { rows: settings } = await pool.query(`SELECT municipality_code AS code, key, value FROM setting WHERE key LIKE 'retention.%'`);
  const { rows: municipalities } = await pool.query(`SELECT code FROM municipality ORDER BY code`);
  const at = (code: number, key: string) => settings.find((s) => s.code === code && s.key === key)?.value as number | undefined;
  const days = (key: RetentionKey, code: number | null) => (code ? at(code, key) : undefined) ?? at(0, key) ?? RETENTION_DEFAULTS[key];
  return { codes: [0, ...municipalities.map((m) => m.code as number)], days };
}

const add = (summary: PurgeSummary, code: number | null, what: keyof PurgeCounts, n: number) => {
  if (n === 0) return;
  const key = String(code ?? 0);
  summary[key] ??= {
    importIssueValues: 0,
    auditRows: 0,
    jobs: 0,
    uploads: 0,
    deliveries: 0,
    reviewCases: 0,
    spills: 0,
    reports: 0,
    loginTraces: 0,
    ssoUsers: 0,
    passwordUsers: 0,
    importers: 0,
    importErrors: 0,
    reviewRounds: 0,
    actionAreas: 0,
    comments: 0,
    authors: 0,
  };
  summary[key][what] += n;
};

/**
 * The daily purge (scheduled in the worker, RETENTION_JOB). Removes what each municipality's
 * retention settings say is too old at `now`:
 * - the values of import issues (and their messages, which may quote the value) of imports older
 *   than retention.import_issue_values_days; the rows stay, with rule, file and line, so counts
 *   and the data-quality page keep working. An unchanged re-import (same_as) holds copies of the
 *   original import's issues: its age is the original's, so re-delivering the same export every
 *   night does not keep the rejected values past their time;
 * - audit rows older than retention.audit_days (rows of no municipality: the product-wide
 *   setting), keeping their hashes so the chain still verifies (see AuditChain migration);
 * - finished jobs older than retention.job_results_days (the job's municipality as the API finds
 *   it: the uploader's, the one asked for, the one the import found);
 * - raw uploads older than the product-wide retention.upload_days (at least an hour old, and not
 *   in use by an unfinished job);
 * - drop-folder deliveries older than the same setting and hour (purgeDeliveries): failed ones kept
 *   for diagnosis, processed receipts, and ones left in `processing/` that no unfinished job names
 *   (only with the queue, which says which those are);
 * - the queues' event streams, whole (trimEvents): BullMQ copies every job's result and failure
 *   reason into them and trims them by count only.
 * Writes what it removed to the import log (import_run, source 'purge'): one row per municipality.
 * A step that fails does not stop the others (the files go first); the purge then logs and throws
 * the failures together (PurgeFailed).
 */
export async function purgeExpired(pool: Pool, options: PurgeOptions): Promise<PurgeSummary> {
  const summary: PurgeSummary = {};
  const failures: StepFailure[] = [];
  try {
    await purgeSteps(pool, options, summary, failures);
  } catch (error) {
    // Only reading the settings fails the purge at once: nothing can be measured against them.
    failures.push({ step: null, error: error as Error });
  }
  if (failures.length > 0) {
    // Each step commits on its own: what went is logged, with the failures.
    const failure = new PurgeFailed(failures);
    await logPurge(pool, options.now, summary, failure).catch((e: Error) =>
      logger().error({ err: e }, `Could not log the failed retention purge: ${e.message}`),
    );
    throw failure;
  }
  await logPurge(pool, options.now, summary);
  return summary;
}

/** A step of the purge that failed: its name in the import log (null: reading the settings). */
interface StepFailure {
  step: string | null;
  error: Error;
}

/**
 * The purge's failures, in Danish for the import log and the job's failure reason (CPR numbers
 * masked, each cut short): the steps that failed, with their errors in `errors`.
 */
export class PurgeFailed extends AggregateError {
  constructor(failures: StepFailure[]) {
    super(
      failures.map((f) => f.error),
      failureText(failures),
    );
    this.name = 'PurgeFailed';
  }
}

function failureText(failures: StepFailure[]): string {
  const reason = (e: Error) => maskCprInText(e.message.split('\n')[0]).slice(0, 200);
  const settings = failures.find((f) => f.step === null);
  if (settings) return `Sletningen kunne ikke begynde: ${reason(settings.error)}`;
  const steps = failures.map((f) => `${f.step} (${reason(f.error)})`).join(', ');
  return `Sletningen fejlede i ${steps}; de øvrige trin blev gennemført`.slice(0, 1000);
}

/** The purge's steps, each adding what it removed to `summary`, and its failure to `failures`. */
async function purgeSteps(pool: Pool, options: PurgeOptions, summary: PurgeSummary, failures: StepFailure[]): Promise<void> {
  const now = options.now;
  const { codes, days } = await retentionDays(pool);
  const limits = (key: RetentionKey) => [codes, codes.map((c) => days(key, c))];
  // One step on its own: a failure (a table locked, the queue out of reach) is logged and fails the
  // job at the end, without keeping the later steps' data past its time.
  const step = async (name: string, run: () => Promise<void> | void): Promise<void> => {
    try {
      await run();
    } catch (error) {
      logger().error({ err: error }, `Retention purge step "${name}" failed: ${(error as Error).message}`);
      failures.push({ step: name, error: error as Error });
    }
  };

  // The files first (raw uploads, failed deliveries and spill files hold full CPR numbers): a
  // database or queue step that fails every night must not keep them.
  // Raw exports: whatever an unfinished job names (its dir, a zip ...) stays.
  const cutoff = Math.min(now.getTime() - days('retention.upload_days', null) * DAY, now.getTime() - UPLOAD_GRACE_MS);
  let unfinished: string[] | undefined;
  const queue = options.queue;
  if (queue) {
    await step('igangværende job', async () => {
      const named: string[] = [];
      for (const job of await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])) {
        for (const value of Object.values(job.data ?? {})) if (typeof value === 'string') named.push(value);
      }
      unfinished = named;
    });
  }

  // Without the queue's answer any upload may be a waiting job's: none goes this time.
  const uploadDir = queue && !unfinished ? undefined : options.uploadDir;
  if (uploadDir) {
    await step('uploads', () => {
      const inUse = new Set<string>();
      for (const value of unfinished ?? []) {
        if (value.startsWith(uploadDir + sep)) inUse.add(join(uploadDir, relative(uploadDir, value).split(sep)[0]));
      }
      let entries: string[] = [];
      try {
        entries = readdirSync(uploadDir);
      } catch {
        // no upload folder yet
      }
      for (const entry of entries) {
        const path = join(uploadDir, entry);
        try {
          if (inUse.has(path) || statSync(path).mtimeMs >= cutoff) continue;
          rmSync(path, { recursive: true, force: true });
          add(summary, null, 'uploads', 1);
        } catch {
          // removed meanwhile (its job ended)
        }
      }
    });
  }

  // Without the queue's answer (unfinished undefined) `processing/` is left alone; failed/ and processed/ go.
  await step('leverancer', async () => {
    const inUse = unfinished && new Set(unfinished);
    for (const { municipality, removed } of await purgeDeliveries(pool, cutoff, inUse)) add(summary, municipality, 'deliveries', removed);
  });

  const spillDir = options.spillDir;
  if (spillDir) {
    await step('midlertidige filer', () => {
      const removed = sweepOrphanSpills(spillDir).length;
      if (removed > 0) add(summary, null, 'spills', removed);
    });
  }

  // Import issues: erase the value, and the message in favour of the rule's title.
  await step('afviste værdier', async () => {
    const rules = listRules();
    await purgeCounted(
      pool,
      summary,
      'importIssueValues',
      `titles AS (SELECT * FROM unnest($4::text[], $5::text[]) AS t(rule, title)),
            old AS (
              UPDATE import_run r SET values_purged_at = $3::timestamptz FROM limits l
              WHERE l.code = coalesce(r.municipality_code, 0) AND r.values_purged_at IS NULL AND r.status <> 'running'
                AND coalesce((SELECT o.finished_at FROM import_run o WHERE o.id = r.same_as), r.finished_at, r.started_at)
                    < $3::timestamptz - make_interval(days => l.days)
              RETURNING r.id, r.municipality_code),
            gone AS (
              UPDATE import_issue i SET value = NULL, message = coalesce((SELECT t.title FROM titles t WHERE t.rule = i.rule), i.rule) || ' (værdien er slettet efter opbevaringsfristen)'
              FROM old WHERE i.import_id = old.id
              RETURNING old.municipality_code)`,
      [...limits('retention.import_issue_values_days'), now, rules.map((r) => r.id), rules.map((r) => r.title)],
    );
  });

  // An import's failure message may quote a value (CPR numbers are masked, names are not): it goes
  // with the rejected values.
  await step('fejlbeskeder', async () => {
    await purgeCounted(
      pool,
      summary,
      'importErrors',
      `gone AS (
              UPDATE import_run r SET error = $4 FROM limits l
              WHERE l.code = coalesce(r.municipality_code, 0) AND r.error IS NOT NULL AND r.error <> $4 AND r.status <> 'running'
                AND coalesce(r.finished_at, r.started_at) < $3::timestamptz - make_interval(days => l.days)
              RETURNING r.municipality_code)`,
      [...limits('retention.import_issue_values_days'), now, PURGED_IMPORT_ERROR],
    );
  });

  await step('sagsgennemgange', () =>
    purgeReviews(
      pool,
      now,
      codes,
      codes.map((c) => days('retention.review_days', c)),
      summary,
    ),
  );

  await step('kommentarer', async () => {
    await purgeCounted(
      pool,
      summary,
      'comments',
      `gone AS (DELETE FROM admin_comment c USING limits l
                     WHERE l.code = c.municipality_code
                       -- The period's last day; none for a period no date can be made of (one stored
                       -- before the API checked the month), which must not stop the whole purge.
                       AND CASE WHEN c.period ~ '^(?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?$' THEN
                             (make_date(left(c.period, 4)::int, coalesce(nullif(substr(c.period, 6, 2), ''), '12')::int, 1) + interval '1 month - 1 day')::date
                           END < ($3::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date - l.days
                     RETURNING c.municipality_code)`,
      [...limits('retention.report_days'), now],
    );
  });

  await step('brugernavne', () => purgeAuthors(pool, now, limits('retention.audit_days'), summary));

  await step('auditlog', () =>
    purgeAudit(
      pool,
      now,
      codes,
      codes.map((c) => days('retention.audit_days', c)),
      summary,
    ),
  );

  // Single sign-on accounts nobody has used for the audit period: every audit row about what they
  // did is gone by now (a token lives hours after its login), so their names point at nothing kept.
  // A disabled one stays: deleting it would let the next login make it again, enabled.
  // A municipality's password accounts too, disabled or not, idle since the latest of: made, last
  // login, access given anew by an administrator (a product administrator's stays). The action
  // areas a deleted account made are no longer its own: a team leader changes an unlinked area
  // only by that name, which a later account could take.
  await step('brugere', async () => {
    const { rows: accounts } = await pool.query(
      `WITH limits AS (SELECT * FROM unnest($1::smallint[], $2::int[]) AS l(code, days)),
            gone AS (DELETE FROM app_user u USING limits l
                     WHERE l.code = coalesce(u.municipality_code, 0)
                       AND CASE WHEN u.auth_source = 'local'
                                THEN u.municipality_code IS NOT NULL AND greatest(u.created_at, u.last_login_at, u.access_granted_at) < $3::timestamptz - make_interval(days => l.days + 1)
                                ELSE NOT u.disabled AND coalesce(u.last_login_at, u.created_at) < $3::timestamptz - make_interval(days => l.days + 1) END
                     RETURNING u.username, u.municipality_code, u.auth_source = 'local' AS local),
            unowned AS (UPDATE review_action_area a SET created_by = $4 FROM gone g
                        WHERE a.created_by = g.username AND a.municipality_code IS NOT DISTINCT FROM g.municipality_code)
       SELECT CASE WHEN local THEN 'passwordUsers' ELSE 'ssoUsers' END AS what, municipality_code AS code, count(*)::int AS n FROM gone GROUP BY 1, 2`,
      [...limits('retention.audit_days'), now, PURGED_IMPORTER],
    );
    for (const r of accounts) add(summary, r.code, r.what, r.n);
  });

  // Who imported, when a person did: as long as the audit rows of what they did (the upload's own
  // row goes then). The system's tags (drop-folder:<id>, retention, planlagt, demo) stay.
  await step('importører', async () => {
    await purgeCounted(
      pool,
      summary,
      'importers',
      `gone AS (UPDATE import_run r SET requested_by = CASE WHEN r.requested_by LIKE 'cli:%' THEN 'cli:' ELSE $4 END
                      FROM limits l
                      WHERE l.code = coalesce(r.municipality_code, 0) AND r.status <> 'running'
                        AND coalesce(r.finished_at, r.started_at) < $3::timestamptz - make_interval(days => l.days)
                        AND (r.requested_by ~ '^cli:.' OR (r.requested_by NOT LIKE '%:%' AND r.requested_by <> ALL ($5::text[])))
                      RETURNING r.municipality_code)`,
      [...limits('retention.audit_days'), now, PURGED_IMPORTER, SYSTEM_IMPORTERS],
    );
  });

  const queues: [string, Queue<EtlJobData> | Queue<ReportJobData> | undefined][] = [
    ['import', options.queue],
    ['rapporter', options.reportQueue],
  ];
  for (const [name, q] of queues) {
    if (!q) continue;
    await step(`jobresultater (${name})`, async () => {
      for (const job of await q.getJobs(['completed', 'failed'])) {
        // A failed job has no return value: a municipality administrator's upload is its municipality's all the same.
        const code = jobMunicipality(job);
        if (job.finishedOn && job.finishedOn < now.getTime() - days('retention.job_results_days', code) * DAY) {
          await job.remove();
          add(summary, code, 'jobs', 1);
        }
      }
    });
  }

  await step('rapporter', async () => {
    await purgeCounted(
      pool,
      summary,
      'reports',
      `gone AS (DELETE FROM report_archive r USING limits l
                     WHERE l.code = r.municipality_code AND r.made_at < $3::timestamptz - make_interval(days => l.days)
                     RETURNING r.municipality_code)`,
      [...limits('retention.report_days'), now],
    );
  });

  // The API's login throttle waits an hour at most and forgets as LOGIN_ATTEMPT_MEMORY says
  // (login-throttle.ts, ADR 0116); a login in flight lasts minutes.
  await step('loginspor', async () => {
    const { rows: traces } = await pool.query(
      `WITH attempts AS (DELETE FROM login_attempt WHERE next_allowed_at < $1
                           AND last_failure_at < $1::timestamptz - CASE WHEN kind = 'code' THEN $2::interval ELSE $3::interval END
                         RETURNING 1),
            requests AS (DELETE FROM sso_request WHERE created_at < $1::timestamptz - interval '1 day' RETURNING 1),
            tickets AS (DELETE FROM sso_ticket WHERE expires_at < $1 RETURNING 1),
            replays AS (DELETE FROM sso_replay WHERE expires_at < $1 RETURNING 1),
            sessions AS (DELETE FROM oidc_session WHERE expires_at < $1 RETURNING 1)
       SELECT ((SELECT count(*) FROM attempts) + (SELECT count(*) FROM requests) + (SELECT count(*) FROM tickets)
               + (SELECT count(*) FROM replays) + (SELECT count(*) FROM sessions))::int AS n`,
      [now, LOGIN_ATTEMPT_MEMORY.code, LOGIN_ATTEMPT_MEMORY.password],
    );
    add(summary, null, 'loginTraces', traces[0].n);
  });

  // Last, after the removals above added theirs: the queues' event streams, whole. BullMQ copies
  // every job's result and failure reason there (an import's failure may quote a name) and trims
  // them by count only (10,000 entries: years on the quiet reports queue). Nothing of the product
  // reads them (no QueueEvents); the jobs themselves keep their results for job_results_days.
  for (const [name, q] of queues) {
    if (!q) continue;
    await step(`hændelsesstrøm (${name})`, () => emptyEventStream(pool, q));
  }
}

/**
 * One purge statement per municipality's own limit: `$1` and `$2` are the municipality codes and
 * their days (the `limits` CTE, 0 for the national rows), and `changes` the CTEs after it, the
 * last named `gone` and returning the municipality_code of each row purged; the counts go into the
 * summary as `what`.
 */
async function purgeCounted(pool: Pool, summary: PurgeSummary, what: keyof PurgeCounts, changes: string, params: unknown[]): Promise<void> {
  const { rows } = await pool.query<{ code: number | null; n: number }>(
    `WITH limits AS (SELECT * FROM unnest($1::smallint[], $2::int[]) AS l(code, days)),
          ${changes}
     SELECT municipality_code AS code, count(*)::int AS n FROM gone GROUP BY 1`,
    params,
  );
  for (const r of rows) add(summary, r.code, what, r.n);
}

/**
 * Empties a queue's event stream. On Redis BullMQ's trimEvents (XTRIM); BullMQ's PostgreSQL
 * backend does not implement it, and keeps the stream in the `event` table of its schema, in the
 * product's own database (libs/queue gives it DATABASE_URL), which this purge's pool reaches.
 */
async function emptyEventStream(pool: Pool, queue: Queue<EtlJobData> | Queue<ReportJobData>): Promise<void> {
  if (queue.getBackend() instanceof PostgresQueueBackend) {
    const schema = (queue.opts.connection as { schema?: string }).schema ?? 'bullmq';
    await pool.query(`DELETE FROM ${escapeIdentifier(schema)}.event WHERE queue = $1`, [queue.name]);
    return;
  }
  await queue.trimEvents(0);
}

/** Replaces the usernames of AUTHORS older than each municipality's audit period by PURGED_IMPORTER. */
async function purgeAuthors(pool: Pool, now: Date, [codes, auditDays]: number[][], summary: PurgeSummary): Promise<void> {
  for (const { table, column, at } of AUTHORS) {
    const { rows } = await pool.query(
      `WITH limits AS (SELECT * FROM unnest($1::smallint[], $2::int[]) AS l(code, days)),
            named AS (UPDATE ${table} t SET ${column} = $4 FROM limits l
                      WHERE l.code = t.municipality_code AND t.${column} <> ALL ($5::text[])
                        AND t.${at} < $3::timestamptz - make_interval(days => l.days)
                      RETURNING t.municipality_code)
       SELECT municipality_code AS code, count(*)::int AS n FROM named GROUP BY 1`,
      [codes, auditDays, now, PURGED_IMPORTER, SYSTEM_IMPORTERS],
    );
    for (const r of rows) add(summary, r.code, 'authors', r.n);
  }
}

/**
 * The import log says what went: one row per municipality (none for a purge that found nothing).
 * A purge that failed says so (failed, with the steps that failed) on the rows of what it removed,
 * or on a row of its own when it had removed nothing.
 */
async function logPurge(pool: Pool, now: Date, summary: PurgeSummary, failure?: PurgeFailed): Promise<void> {
  const error = failure ? failure.message : null;
  const rows: [string, PurgeCounts | null][] = Object.entries(summary);
  if (error && rows.length === 0) rows.push(['0', null]);
  for (const [code, counts] of rows) {
    await pool.query(
      `INSERT INTO import_run (municipality_code, source, status, requested_by, started_at, finished_at, removed, error)
       VALUES ($1, 'purge', $4, 'retention', $2, $2, $3, $5)`,
      [code === '0' ? null : Number(code), now, JSON.stringify(counts ?? {}), error ? 'failed' : 'succeeded', error],
    );
  }
}

/** A round's chosen case `u.x` that the round still holds after this purge (`gone`: the cases it removes). */
const KEPT_CASE = `EXISTS (SELECT 1 FROM review_case c WHERE c.round_id = r.id AND c.case_id = u.x
                          AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.round_id = r.id AND g.case_id = u.x))`;

/**
 * Case reviews (issue 16): review notes are personal data about a child. A round's cases (with
 * their answers, notes and texts), its meetings and the case list of a round chosen by hand go
 * once the round's date is older than retention.review_days; the round stays with its date and
 * counts, its title made neutral, its purpose and maker gone. A chosen case no longer in the case
 * data leaves the round's list of chosen cases. A reviewed case no longer in the municipality's case data goes at once ("deleted with
 * the case's data"), and leaves the meetings' lists of cases discussed. The committee's
 * child-perspective examples go once they have not been changed for retention.review_days.
 */
async function purgeReviews(pool: Pool, now: Date, codes: number[], reviewDays: number[], summary: PurgeSummary): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `WITH limits AS (SELECT * FROM unnest($1::smallint[], $2::int[]) AS l(code, days)),
            expired AS (
              SELECT r.id FROM review_round r JOIN limits l ON l.code = r.municipality_code
              WHERE r.as_of < ($3::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date - l.days),
            meetings AS (DELETE FROM review_meeting m USING expired e WHERE m.round_id = e.id),
            rounds AS (
              UPDATE review_round r SET sampling = r.sampling - 'cases', purpose = NULL, title = $4, created_by = $5
              FROM expired e WHERE r.id = e.id AND (r.sampling ? 'cases' OR r.purpose IS NOT NULL OR r.title <> $4 OR r.created_by <> $5)
              RETURNING r.municipality_code),
            gone AS (
              DELETE FROM review_case c
              WHERE c.round_id IN (SELECT id FROM expired)
                 OR NOT EXISTS (SELECT 1 FROM child_case k WHERE k.municipality_code = c.municipality_code AND k.source = c.source AND k.case_id = c.case_id)
              RETURNING c.round_id, c.case_id, c.municipality_code),
            -- A round's list of chosen cases holds only the cases the round still has (none that the data
            -- no longer has, nor one never found).
            unchosen AS (
              UPDATE review_round r
                 SET sampling = jsonb_set(r.sampling, '{cases}', (
                       SELECT coalesce(jsonb_agg(x ORDER BY o), '[]') FROM jsonb_array_elements_text(r.sampling -> 'cases') WITH ORDINALITY AS u(x, o)
                       WHERE ${KEPT_CASE}))
              WHERE r.id NOT IN (SELECT id FROM expired) AND jsonb_typeof(r.sampling -> 'cases') = 'array'
                AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.sampling -> 'cases') AS u(x) WHERE NOT ${KEPT_CASE})),
            unlisted AS (
              UPDATE review_meeting m SET cases = (SELECT coalesce(array_agg(x ORDER BY o), '{}') FROM unnest(m.cases) WITH ORDINALITY AS u(x, o)
                                                   WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE g.round_id = m.round_id AND g.case_id = u.x))
              WHERE m.round_id NOT IN (SELECT id FROM expired)
                AND EXISTS (SELECT 1 FROM gone g WHERE g.round_id = m.round_id AND g.case_id = ANY (m.cases)))
       SELECT 'reviewCases' AS what, municipality_code AS code, count(*)::int AS n FROM gone GROUP BY 2
       UNION ALL SELECT 'reviewRounds', municipality_code, count(*)::int FROM rounds GROUP BY 2`,
      [codes, reviewDays, now, PURGED_ROUND_TITLE, PURGED_IMPORTER],
    );
    for (const r of rows) add(summary, r.code, r.what, r.n);
    // Action areas done with (carried out or given up) and not changed since: their titles and
    // reasons were written about the round's findings. Open ones are the work still going on.
    const { rows: areas } = await client.query(
      `WITH gone AS (DELETE FROM review_action_area a USING unnest($1::smallint[], $2::int[]) AS l(code, days)
                     WHERE l.code = a.municipality_code AND a.status IN ('gennemfoert', 'opgivet')
                       AND (a.updated_at AT TIME ZONE 'Europe/Copenhagen')::date < ($3::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date - l.days
                     RETURNING a.municipality_code)
       SELECT municipality_code AS code, count(*)::int AS n FROM gone GROUP BY 1`,
      [codes, reviewDays, now],
    );
    for (const r of areas) add(summary, r.code, 'actionAreas', r.n);
    // The chief's child-perspective examples for the committee: written about a case, so they go
    // by the same setting, counted from when they were last changed.
    await client.query(
      `DELETE FROM review_example x USING unnest($1::smallint[], $2::int[]) AS l(code, days)
       WHERE l.code = x.municipality_code
         AND (x.updated_at AT TIME ZONE 'Europe/Copenhagen')::date < ($3::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date - l.days`,
      [codes, reviewDays, now],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // the purge's own error is the one that matters
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Removes old audit rows, keeping each one's hashes in audit_purged; then moves the chain's anchor
 * (audit_purge) to the last removed row before the oldest kept one and forgets the hashes up to it.
 */
async function purgeAudit(pool: Pool, now: Date, codes: number[], auditDays: number[], summary: PurgeSummary): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `WITH limits AS (SELECT * FROM unnest($1::smallint[], $2::int[]) AS l(code, days)),
            gone AS (
              DELETE FROM audit_log a
              WHERE a.at < $3::timestamptz - make_interval(days => (SELECT min(days) FROM limits))
                AND a.at < $3::timestamptz - make_interval(days => coalesce((SELECT days FROM limits WHERE code = a.municipality_code), (SELECT days FROM limits WHERE code = 0)))
              RETURNING a.id, a.at, a.municipality_code, a.prev_hash, a.hash),
            kept AS (INSERT INTO audit_purged (id, at, municipality_code, prev_hash, hash) SELECT * FROM gone RETURNING municipality_code)
       SELECT municipality_code AS code, count(*)::int AS n FROM kept GROUP BY 1`,
      [codes, auditDays, now],
    );
    for (const r of rows) add(summary, r.code, 'auditRows', r.n);
    // The purge log's own rows are kept as long as the audit log.
    await client.query(
      `DELETE FROM import_run r USING unnest($1::smallint[], $2::int[]) AS l(code, days)
       WHERE r.source = 'purge' AND l.code = coalesce(r.municipality_code, 0) AND r.started_at < $3::timestamptz - make_interval(days => l.days)`,
      [codes, auditDays, now],
    );
    // Under the chain's lock: no row can be numbered below the oldest kept one while the anchor moves.
    await client.query('SELECT 1 FROM audit_chain FOR UPDATE');
    await client.query(
      `WITH anchor AS (
         SELECT p.id, p.hash FROM audit_purged p
         WHERE p.id < coalesce((SELECT min(id) FROM audit_log), 9223372036854775807)
         ORDER BY p.id DESC LIMIT 1)
       INSERT INTO audit_purge (anchor_id, anchor_hash, purged_at) SELECT id, hash, $1 FROM anchor
       ON CONFLICT (one) DO UPDATE SET anchor_id = EXCLUDED.anchor_id, anchor_hash = EXCLUDED.anchor_hash, purged_at = EXCLUDED.purged_at`,
      [now],
    );
    await client.query(`DELETE FROM audit_purged WHERE id <= (SELECT anchor_id FROM audit_purge)`);
    // Sets of cases no kept row points at.
    await client.query(`DELETE FROM audit_case_set s WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.case_set_id = s.id)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // the purge's own error is the one that matters
    throw error;
  } finally {
    client.release();
  }
}
