import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool, PoolClient } from 'pg';
import { CASE_SOURCES_SQL, isMunicipalityCode } from '@bu/domain';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { ImportOptions, ImportResult, runImport } from '../import-run';
import { ImportFailure, type IssueLog } from '../issues';
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

const dk = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

/**
 * W007: a municipality whose economy goes past its D — the export date of its newest case-system
 * snapshot (dubu, csc), the figures' default as-of date. The months after D are kept but not counted
 * as spent until a newer case-system export comes (budget.function counts months ended by D).
 */
async function warnEconomyAfterD(client: PoolClient, log: IssueLog, stg: string): Promise<void> {
  const { rows } = await client.query<{ municipality: number; economy: string; d: string }>(
    `SELECT b.municipality_code AS municipality,
            to_char(max(make_date(b.year, b.month, 1) + interval '1 month' - interval '1 day'), 'YYYY-MM-DD') AS economy,
            to_char(s.d, 'YYYY-MM-DD') AS d
     FROM ${stg} b
     JOIN (SELECT municipality_code, max(export_date) AS d FROM source_snapshot WHERE source IN ${CASE_SOURCES_SQL} GROUP BY municipality_code) s
       ON s.municipality_code = b.municipality_code
     GROUP BY b.municipality_code, s.d
     HAVING max(make_date(b.year, b.month, 1) + interval '1 month' - interval '1 day') > s.d
     ORDER BY b.municipality_code`,
  );
  for (const r of rows) {
    log.add(
      'ECONOMY_AFTER_D',
      ECONOMY_FILE,
      null,
      String(r.municipality),
      `Økonomien for kommune ${r.municipality} går til ${dk(r.economy)}, men sagsdata kun til ${dk(r.d)} (opgørelsesdatoen): ` +
        `forbrug efter ${dk(r.d)} tælles først med, når et nyere udtræk fra sagssystemet er indlæst.`,
    );
  }
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
    await warnEconomyAfterD(client, log, stg);
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
