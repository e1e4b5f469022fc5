import type { PoolClient } from 'pg';
import type { IssueLog } from '../issues';
import type { RuleKey } from '../rules';
import { hasRepeatedKeys } from './merge';

/**
 * A set-based rule on a staging table (references, dates against the export date): the rows
 * that break it are removed from staging and logged with their file and line.
 */
export async function rejectStaged(
  client: PoolClient,
  log: IssueLog,
  table: string,
  rule: RuleKey,
  where: string,
  value: string,
  message: (value: string) => string,
  params: unknown[] = [],
  step = 0,
): Promise<number> {
  // The rows go from staging to the issues in the database: however many break the rule, none is
  // held here.
  return log.addFromQuery(
    client,
    rule,
    `DELETE FROM ${table} WHERE ${where} RETURNING _file, _line, (${value})::text AS value`,
    message,
    params,
    step,
  );
}

/**
 * Same id with different content: the last row wins (merge keeps it), each earlier one is a
 * warning. Returns whether any key repeats at all (for the merge), undefined when not checked.
 */
export async function warnConflictingDuplicates(
  client: PoolClient,
  log: IssueLog,
  table: string,
  key: string[],
  values: string[],
  label: string,
  step = 0,
): Promise<boolean | undefined> {
  if (values.length === 0) return undefined;
  // Usually no key repeats: one hash aggregate says so, and the windows below are not needed.
  if (!(await hasRepeatedKeys(client, table, key))) return false;
  const k = key.join(', ');
  // Only keys that occur more than once are compared (a hash aggregate), not every row.
  await log.addFromQuery(
    client,
    'DUPLICATE_ID',
    `WITH repeated AS (SELECT ${k} FROM ${table} GROUP BY ${k} HAVING count(*) > 1)
     SELECT _file, _line, id AS value FROM (
       SELECT _file, _line, concat_ws('/', ${k}) AS id,
              min(row(${values.join(', ')})::text) OVER (PARTITION BY ${k})
                <> max(row(${values.join(', ')})::text) OVER (PARTITION BY ${k}) AS conflicting,
              row_number() OVER (PARTITION BY ${k} ORDER BY _line DESC) AS rank
       FROM ${table} WHERE (${k}) IN (SELECT ${k} FROM repeated)) d
     WHERE conflicting AND rank > 1`,
    (id) => `Samme ${label} (${id}) optræder flere gange med forskelligt indhold; den sidste række bruges.`,
    [],
    step,
  );
  return true;
}
