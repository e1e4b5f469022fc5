import type { ClientBase } from 'pg';
import { isMainThread } from 'worker_threads';
import { settings } from '@bu/config';
import type { ColumnSpec } from '../csv/header';
import { FormatOptions, readRows, Row } from '../file-reader';
import type { ImportProgress } from '../import-run';
import type { IssueLog } from '../issues';
import { binaryTypes } from './binary-values';
import { CopyOptions, CopyWriter } from './copy';
import { EntityDef, stagingColumns } from './entities';
import { stagingTable } from './merge';
import { traceClock } from '../trace';

export interface StageFileOptions {
  /** false when the caller analyses the table itself (a partition's builder, see prebuildPartition). */
  analyze?: boolean;
  /**
   * Columns whose value is the same on every staged row of the file (municipality, source, file
   * name), as the mapper writes it: the staging table's defaults during the COPY instead of text
   * sent and parsed a million times.
   */
  fixed?: Record<string, string | number>;
  /**
   * The rows go in frozen (COPY FREEZE, in a transaction of its own that empties the table first):
   * the index builds, checks and statistics that read the table next need not look up and set each
   * row's commit status, which would write every page again. For a staging table only this
   * connection uses while it loads, outside any other transaction.
   */
  freeze?: boolean;
  /**
   * COPY in the binary format (load/binary-values.ts) when the table's column types allow: the
   * server reads dates, timestamps and amounts as they are. For mappers whose values are those
   * types' canonical texts (DUBU's).
   */
  binary?: boolean;
}

/** Streams one file through its row mapper into the entity's staging table; returns rows read. */
export async function stageFile(
  client: ClientBase,
  log: IssueLog,
  input: { path: string; file: string; format: FormatOptions; columns: ColumnSpec[] },
  def: EntityDef,
  map: (row: Row) => unknown[] | null,
  onProgress?: (p: ImportProgress) => void,
  { analyze = true, fixed = {}, freeze = false, binary = false }: StageFileOptions = {},
): Promise<number> {
  const started = Date.now();
  const table = stagingTable(def);
  const columns = stagingColumns(def);
  const load = async () => {
    const omit = Object.keys(fixed).map((column) => columns.indexOf(column));
    const types = binary
      ? await binaryTypes(
          client,
          table,
          columns.filter((_, i) => !omit.includes(i)),
        )
      : null;
    return copyFile(client, log, input, table, columns, map, onProgress, fixed, { omit, freeze, types });
  };
  const read = freeze ? await inEmptiedTable(client, table, load) : await load();
  // ETL_TRACE=1 (benchmarking): parse, validate and COPY of the file, which no SQL trace line shows.
  if (settings().ETL_TRACE)
    process.stderr.write(
      `[etl ${traceClock()} ${isMainThread ? 'loader' : 'thread'}] ${Date.now() - started} ms staged ${input.file} (${read} rows read, parse + COPY)\n`,
    );
  // Temporary tables have no statistics until analysed: the set-based rules need good plans.
  if (analyze) await client.query(`ANALYZE ${table}`);
  return read;
}

/**
 * `load` in a transaction of its own that empties `table` first, so that its COPY may be
 * `FREEZE` (see StageFileOptions.freeze); rolled back when it fails.
 */
export async function inEmptiedTable<T>(client: ClientBase, table: string, load: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`TRUNCATE ${table}`);
    const result = await load();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function copyFile(
  client: ClientBase,
  log: IssueLog,
  input: { path: string; file: string; format: FormatOptions; columns: ColumnSpec[] },
  table: string,
  columns: string[],
  map: (row: Row) => unknown[] | null,
  onProgress: ((p: ImportProgress) => void) | undefined,
  fixed: Record<string, string | number>,
  copy: CopyOptions,
): Promise<number> {
  let read = 0;
  const restore = await setDefaults(client, table, fixed);
  try {
    await CopyWriter.run(
      client,
      table,
      columns,
      async (writer) => {
        // No promise per row: only a full buffer that the server asks us to wait for is awaited.
        await readRows(input.path, input.file, input.format, input.columns, log, (row) => {
          read++;
          const staged = map(row);
          if (read % 50_000 === 0) onProgress?.({ file: input.file, rowsRead: read, rejected: log.rejectedCount });
          // A plain row's values need no escaping: the mappers make them of its fields and of constants.
          return staged ? writer.write(staged, row.plain) : undefined;
        });
      },
      copy,
    );
  } finally {
    // Put back also when the COPY failed (inside a transaction that is rolled back this fails too,
    // and the rollback puts them back).
    await restore().catch(() => undefined);
  }
  onProgress?.({ file: input.file, rowsRead: read, rejected: log.rejectedCount });
  return read;
}

/** Sets the columns' defaults to the values; the function that puts the former defaults back. */
async function setDefaults(client: ClientBase, table: string, values: Record<string, string | number>): Promise<() => Promise<void>> {
  const columns = Object.keys(values);
  if (columns.length === 0) return async () => undefined;
  const { rows } = await client.query(
    `SELECT a.attname AS column, pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attribute a
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attname = ANY ($2)`,
    [table, columns],
  );
  if (rows.length !== columns.length) throw new Error(`${table}: not every column of ${columns.join(', ')} is staged`);
  await client.query(`ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${c} SET DEFAULT ${literal(values[c])}`).join(', ')}`);
  return async () => {
    await client.query(
      `ALTER TABLE ${table} ${rows.map((r) => `ALTER COLUMN ${r.column} ${r.expr === null ? 'DROP DEFAULT' : `SET DEFAULT ${r.expr}`}`).join(', ')}`,
    );
  };
}

function literal(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a number: ${value}`);
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}
