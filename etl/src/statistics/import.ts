import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool } from 'pg';
import { municipalityByName } from '@bu/domain';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { ImportOptions, ImportResult, runImport, StageResult } from '../import-run';
import { ImportFailure } from '../issues';
import { entityDef } from '../load/entities';
import { createStaging, mergeStaged } from '../load/merge';
import { stageFile } from '../load/stage-file';

// Statistics-bank style files (EXPORTS.md section 4): one fact a row; '..' = not available,
// kept as missing and never as 0. municipality_code 0 = Hele landet.
const FORMAT = { separator: ';', quote: '"', encoding: 'utf-8' } as const;

export const AGE_GROUPS = ['0-17 år', '0-22 år'] as const;
export const INDICATORS = [
  'Underretninger',
  'Anbragte børn og unge',
  'Børn og unge med forebyggende foranstaltninger',
  'Nettodriftsudgifter udsatte børn og unge (1.000 kr.)',
] as const;

function area(row: Row): number | null {
  const text = row.get('area');
  if (/^hele landet$/i.test(text)) return 0;
  const m = municipalityByName(text);
  if (!m) row.reject('MUNICIPALITY_UNKNOWN', 'area', text);
  return m?.code ?? null;
}

function year(row: Row): number | null {
  const text = row.get('year');
  // A year after next is no statistic yet (a typo, or 9999 for "unknown").
  if (!/^\d{4}$/.test(text) || Number(text) < 1970 || Number(text) > new Date().getFullYear() + 1) {
    row.reject('DATE_INVALID', 'year', text, 'et årstal');
    return null;
  }
  return Number(text);
}

/** INDHOLD: an integer, or '..' (not available) → null. */
function content(row: Row): { ok: boolean; value: string | null } {
  const text = row.get('content');
  if (text === '..') return { ok: true, value: null };
  const compact = text.replace(/[\s.]/g, '');
  if (!/^-?\d+$/.test(compact)) {
    row.reject('NUMBER_INVALID', 'content', text);
    return { ok: false, value: null };
  }
  return { ok: true, value: compact };
}

function known<T extends string>(row: Row, key: string, values: readonly T[]): T | null {
  const text = row.get(key).replace(/\s+/g, ' ');
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase());
  if (!found) row.reject('REQUIRED', key, text, `kendte værdier: ${values.join(', ')}`);
  return found ?? null;
}

const BEFOLKNING: ColumnSpec[] = [
  { key: 'area', header: 'OMRÅDE', required: true },
  { key: 'age', header: 'ALDER', required: true },
  { key: 'year', header: 'TID', required: true },
  { key: 'content', header: 'INDHOLD', required: true },
];

const NOEGLETAL: ColumnSpec[] = [
  { key: 'area', header: 'OMRÅDE', required: true },
  { key: 'indicator', header: 'NØGLETAL', required: true },
  { key: 'year', header: 'TID', required: true },
  { key: 'content', header: 'INDHOLD', required: true },
];

function mapBefolkning(row: Row): unknown[] | null {
  const code = area(row);
  if (code === null) return null;
  const age = known(row, 'age', AGE_GROUPS);
  const y = year(row);
  const value = content(row);
  if (age === null || y === null || !value.ok) return null;
  return [code, y, age, value.value, row.file, row.line];
}

function mapNoegletal(row: Row): unknown[] | null {
  const code = area(row);
  if (code === null) return null;
  const indicator = known(row, 'indicator', INDICATORS);
  const y = year(row);
  const value = content(row);
  if (indicator === null || y === null || !value.ok) return null;
  return [code, indicator, y, value.value, row.file, row.line];
}

/** Upserts the published figures; figures not in the file are kept (statistics are revised, not withdrawn). */
export function importStatistics(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  const files = [
    { file: 'befolkning.csv', columns: BEFOLKNING, map: mapBefolkning, entity: 'population' as const },
    { file: 'noegletal.csv', columns: NOEGLETAL, map: mapNoegletal, entity: 'statistics' as const },
  ].filter((f) => existsSync(join(dir, f.file)));
  return runImport(
    pool,
    'statistics',
    files.map((f) => join(dir, f.file)),
    options,
    async (client, log) => {
      if (files.length === 0)
        throw new ImportFailure('FILE_MISSING', 'befolkning.csv', 'Mappen indeholder hverken befolkning.csv eller noegletal.csv.');
      // One statistics import at a time (national files): a second waits for the first's commit and
      // then compares against it. Held until commit.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['source-import', 'statistics']);
      const merged: StageResult['merged'] = {};
      for (const f of files) {
        const def = entityDef(f.entity);
        await createStaging(client, def);
        await stageFile(
          client,
          log,
          { path: join(dir, f.file), file: f.file, format: FORMAT, columns: f.columns },
          def,
          f.map,
          options.onProgress,
        );
        merged[f.entity] = await mergeStaged(client, def, null);
      }
      return { municipality: null, exportDate: null, merged };
    },
  );
}
