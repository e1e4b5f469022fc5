// How long personal data is kept, per municipality (settings, libs/kpi/src/settings.ts), with the
// product's defaults. The worker's daily purge (etl/src/jobs/retention.ts) applies them.

export const RETENTION_DEFAULTS = {
  /** Rejected values (and messages quoting them) of imports older than this are erased. */
  'retention.import_issue_values_days': 90,
  /** Finished import jobs (their data and results, which list rejected values) are removed. */
  'retention.job_results_days': 7,
  /** Audit rows older than this are removed (5 years); the hash chain keeps an anchor. */
  'retention.audit_days': 1826,
  /** Raw uploaded exports left in the upload folder (product-wide setting only). */
  'retention.upload_days': 0,
  /** Case reviews: a round's cases (answers, notes, texts) and meetings, counted from the round's date (5 years). */
  'retention.review_days': 1826,
  /** The committee's monthly reports in the archive (their PDFs, recipients and send results), counted from when each was made (5 years). */
  'retention.report_days': 1826,
} as const;

export type RetentionKey = keyof typeof RETENTION_DEFAULTS;
export const RETENTION_KEYS = Object.keys(RETENTION_DEFAULTS) as RetentionKey[];

/**
 * How long the login throttle remembers a failure (login_attempt.last_failure_at), as PostgreSQL
 * intervals: a password's an hour, a wrong one-time code's a day (ADR 0116). The API's throttle and
 * the worker's daily purge forget a row after this, once its wait is over.
 */
export const LOGIN_ATTEMPT_MEMORY = { password: '1 hour', code: '1 day' } as const;

/** The shortest audit retention a municipality may set: the log is evidence. */
export const MIN_AUDIT_DAYS = 365;

/** Why a retention value cannot be stored (Danish), or null. */
export function retentionError(key: RetentionKey, value: unknown): string | null {
  const min = key === 'retention.audit_days' ? MIN_AUDIT_DAYS : 0;
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= 36_500
    ? null
    : `${key} skal være et helt antal dage fra ${min} til 36500`;
}
