import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool } from 'pg';
import { isMunicipalityCode } from '@bu/domain';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { ImportOptions, ImportResult, runImport } from '../import-run';
import { ImportFailure } from '../issues';
import { entityDef } from '../load/entities';
import { createStaging, mergeStaged, stagingTable } from '../load/merge';
import { rejectStaged, warnConflictingDuplicates } from '../load/set-rules';
import { budgetShrinkage } from '../load/shrink';
import { stageFile } from '../load/stage-file';
import { dkDecimal, integer } from '../values';

// oekonomi.csv from the financial system (EXPORTS.md section 3): UTF-8, ';', decimal comma.
export const ECONOMY_FILE = 'oekonomi.csv';
const FORMAT = { separator: ';', quote: '"', encoding: 'utf-8' } as const;

export const OEKONOMI_COLUMNS: ColumnSpec[] = [
  { key: 'municipality', header: 'Kommunenr', required: true },
  { key: 'year', header: 'År', required: true },
  { key: 'month', header: 'Måned', required: true },
  { key: 'function', header: 'Funktion', required: true },
  { key: 'name', header: 'Funktionsnavn' },
  { key: 'original', header: 'Oprindeligt budget' },
  { key: 'corrected', header: 'Korrigeret budget' },
  { key: 'spend', header: 'Forbrug' },
];

const FUNCTION = /^\d\.\d{2}\.\d{2}$/;

export function mapOekonomi(row: Row, only: number | undefined): unknown[] | null {
  const codeText = row.get('municipality');
  const code = Number(codeText);
  if (!/^\d{1,3}$/.test(codeText) || !isMunicipalityCode(code)) return row.reject('MUNICIPALITY_UNKNOWN', 'municipality', codeText);
  if (only !== undefined && code !== only)
    return row.reject('MUNICIPALITY_MISMATCH', 'municipality', codeText, `importen gælder kommune ${only}`);
  const year = integer(row.get('year'));
  if (!year.ok || year.value === null || year.value < 1970 || year.value > 2100) return row.reject('DATE_INVALID', 'year', row.get('year'));
  const month = integer(row.get('month'));
  if (!month.ok || month.value === null || month.value < 1 || month.value > 12)
    return row.reject('DATE_INVALID', 'month', row.get('month'), 'måned 1-12');
  const fn = row.get('function');
  if (!FUNCTION.test(fn)) return row.reject('REQUIRED', 'function', fn, 'funktion som 5.28.20');
  const amounts: (string | null)[] = [];
  for (const key of ['original', 'corrected', 'spend']) {
    const amount = dkDecimal(row.get(key));
    if (!amount.ok) return row.reject(amount.rule, key, row.get(key));
    amounts.push(amount.value);
  }
  return [code, year.value, month.value, fn, row.get('name') || null, ...amounts, row.file, row.line];
}

/**
 * Budget lines replace, per municipality and year in the file, what an earlier economy file said
 * for that municipality and year; other years are kept.
 */
export function importEconomy(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  const path = join(dir, ECONOMY_FILE);
  return runImport(pool, 'economy', existsSync(path) ? [path] : [], options, async (client, log) => {
    if (!existsSync(path)) throw new ImportFailure('FILE_MISSING', ECONOMY_FILE, `Mappen indeholder ikke ${ECONOMY_FILE}.`);
    // One economy import at a time (a file may span municipalities): a second waits for the first's
    // commit and then compares against it. Held until commit.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['source-import', 'economy']);
    const def = entityDef('budget_lines');
    await createStaging(client, def);
    await stageFile(
      client,
      log,
      { path, file: ECONOMY_FILE, format: FORMAT, columns: OEKONOMI_COLUMNS },
      def,
      (row) => mapOekonomi(row, options.municipality),
      options.onProgress,
    );
    const stg = stagingTable(def);
    await rejectStaged(
      client,
      log,
      stg,
      'DATE_AFTER_EXPORT',
      `make_date(year, month, 1) > (now() AT TIME ZONE 'Europe/Copenhagen')::date + interval '1 year'`,
      `year || '-' || month`,
      (v) => `Måneden ${v} ligger mere end et år ude i fremtiden.`,
    );
    await warnConflictingDuplicates(
      client,
      log,
      stg,
      ['municipality_code', 'year', 'month', 'function_code'],
      def.values,
      'kommune, år, måned og funktion',
    );
    const shrinkage = await budgetShrinkage(client, stg, ECONOMY_FILE);
    const merged = await mergeStaged(client, def, {
      where: `(t.municipality_code, t.year) IN (SELECT DISTINCT municipality_code, year FROM ${stg})`,
      params: [],
    });
    const { rows } = await client.query(
      `SELECT array_agg(DISTINCT municipality_code) AS m,
              to_char(max(make_date(year, month, 1) + interval '1 month' - interval '1 day'), 'YYYY-MM-DD') AS d FROM ${stg}`,
    );
    const municipalities: number[] = rows[0].m ?? [];
    return {
      municipality: municipalities.length === 1 ? municipalities[0] : null,
      exportDate: rows[0].d,
      merged: { budget_lines: merged },
      shrinkage,
    };
  });
}
