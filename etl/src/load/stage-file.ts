import type { ClientBase } from 'pg';
import type { ColumnSpec } from '../csv/header';
import { FormatOptions, readRows, Row } from '../file-reader';
import type { ImportProgress } from '../import-run';
import type { IssueLog } from '../issues';
import { CopyWriter } from './copy';
import { EntityDef, stagingColumns } from './entities';
import { stagingTable } from './merge';
import { traceClock } from '../trace';

/** Streams one file through its row mapper into the entity's staging table; returns rows read. */
export async function stageFile(
  client: ClientBase,
  log: IssueLog,
  input: { path: string; file: string; format: FormatOptions; columns: ColumnSpec[] },
  def: EntityDef,
  map: (row: Row) => unknown[] | null,
  onProgress?: (p: ImportProgress) => void,
  /** false when the caller analyses the table itself (a partition's builder, see prebuildPartition). */
  analyze = true,
): Promise<number> {
  let read = 0;
  const started = Date.now();
  await CopyWriter.run(client, stagingTable(def), stagingColumns(def), async (writer) => {
    // No promise per row: only a full buffer that the server asks us to wait for is awaited.
    await readRows(input.path, input.file, input.format, input.columns, log, (row) => {
      read++;
      const staged = map(row);
      if (read % 50_000 === 0) onProgress?.({ file: input.file, rowsRead: read, rejected: log.rejectedCount });
      // A plain row's values need no escaping: the mappers make them of its fields and of constants.
      return staged ? writer.write(staged, row.plain) : undefined;
    });
  });
  onProgress?.({ file: input.file, rowsRead: read, rejected: log.rejectedCount });
  // ETL_TRACE=1 (benchmarking): parse, validate and COPY of the file, which no SQL trace line shows.
  if (process.env.ETL_TRACE) process.stderr.write(`[etl ${traceClock()} loader] ${Date.now() - started} ms staged ${input.file} (${read} rows read, parse + COPY)\n`);
  // Temporary tables have no statistics until analysed: the set-based rules need good plans.
  if (analyze) await client.query(`ANALYZE ${stagingTable(def)}`);
  return read;
}
