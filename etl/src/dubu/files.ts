import { isMunicipalityCode, JOB_TITLES } from '@bu/domain';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { maskCpr, type Pseudonymiser } from '../pseudonym';
import { dkDate, Parsed } from '../values';

// DUBU-style export: one ';'-separated UTF-8 file per entity (EXPORTS.md section 1).
// Each mapper returns the staging row (stagingColumns order) or null when the row is rejected.

export const DUBU_FORMAT = { separator: ';', quote: '"', encoding: 'utf-8' } as const;

export interface DubuContext {
  municipality: number | null;
  source: 'dubu';
  pseudonyms: Pseudonymiser;
}

type Staged = unknown[] | null;

/** Parses a field, rejecting the row on failure. */
function field<T>(row: Row, column: string, parse: (t: string) => Parsed<T>, required = false): { ok: boolean; value: T | null } {
  const text = row.get(column);
  if (text === '') {
    if (required) row.reject('REQUIRED', column, text);
    return { ok: !required, value: null };
  }
  const parsed = parse(text);
  if (!parsed.ok) {
    row.reject(parsed.rule, column, text);
    return { ok: false, value: null };
  }
  return { ok: true, value: parsed.value };
}

function required(row: Row, column: string): string | null {
  const text = row.get(column);
  if (text === '') row.reject('REQUIRED', column, text);
  return text === '' ? null : text;
}

export const SAGER_COLUMNS: ColumnSpec[] = [
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'cpr', header: 'CPR', required: true },
  { key: 'municipality', header: 'Kommunenr', required: true },
  { key: 'area', header: 'Sagsområde', required: true },
  { key: 'opened', header: 'Oprettet', required: true },
  { key: 'closed', header: 'Lukket' },
];

export function mapSag(row: Row, ctx: DubuContext): Staged {
  const caseId = required(row, 'case');
  if (caseId === null) return null;
  const cprText = row.get('cpr');
  const person = ctx.pseudonyms.pseudonymise(cprText);
  if (!person) return row.reject('CPR_INVALID', 'cpr', maskCpr(cprText));
  const codeText = row.get('municipality');
  const code = Number(codeText);
  if (!/^\d{1,3}$/.test(codeText) || !isMunicipalityCode(code)) return row.reject('MUNICIPALITY_UNKNOWN', 'municipality', codeText);
  if (ctx.municipality === null) ctx.municipality = code;
  if (code !== ctx.municipality) return row.reject('MUNICIPALITY_MISMATCH', 'municipality', codeText, `udtrækket gælder kommune ${ctx.municipality}`);
  const areaText = row.get('area');
  const area = ['udsatte', 'handicap'].includes(areaText.toLowerCase()) ? areaText[0].toUpperCase() + areaText.slice(1).toLowerCase() : 'ukendt';
  if (area === 'ukendt') row.warn('UNKNOWN_CODE', 'area', areaText);
  const opened = field(row, 'opened', dkDate, true);
  if (!opened.ok) return null;
  const closed = field(row, 'closed', dkDate);
  if (!closed.ok) return null;
  if (closed.value !== null && closed.value < opened.value!) return row.reject('END_BEFORE_START', 'closed', row.get('closed'), `oprettet ${row.get('opened')}`);
  return [ctx.municipality, ctx.source, caseId, person.personId, area, opened.value, closed.value, person.birthDate, person.sex, row.file, row.line];
}

export const MEDARBEJDERE_COLUMNS: ColumnSpec[] = [
  { key: 'initials', header: 'Initialer', required: true },
  { key: 'name', header: 'Navn', required: true },
  { key: 'team', header: 'Team' },
  { key: 'title', header: 'Stilling' },
  { key: 'from', header: 'Ansat fra' },
  { key: 'to', header: 'Ansat til' },
];

export function mapMedarbejder(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'initials');
  const name = required(row, 'name');
  if (id === null || name === null) return null;
  const titleText = row.get('title');
  let title: string | null = JOB_TITLES.find((t) => t.toLowerCase() === titleText.toLowerCase()) ?? null;
  if (title === null && titleText !== '') {
    row.warn('UNKNOWN_CODE', 'title', titleText);
    title = 'ukendt';
  }
  const from = field(row, 'from', dkDate);
  const to = field(row, 'to', dkDate);
  if (!from.ok || !to.ok) return null;
  if (from.value !== null && to.value !== null && to.value < from.value) return row.reject('END_BEFORE_START', 'to', row.get('to'), `ansat fra ${row.get('from')}`);
  return [ctx.municipality, ctx.source, id, name, row.get('team') || null, title, from.value, to.value, row.file, row.line];
}

export const SAGSANSVAR_COLUMNS: ColumnSpec[] = [
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'initials', header: 'Initialer', required: true },
  { key: 'from', header: 'Fra', required: true },
  { key: 'to', header: 'Til' },
];

export function mapSagsansvar(row: Row, ctx: DubuContext): Staged {
  const caseId = required(row, 'case');
  if (caseId === null) return null;
  const from = field(row, 'from', dkDate, true);
  if (!from.ok) return null;
  const to = field(row, 'to', dkDate);
  if (!to.ok) return null;
  if (to.value !== null && to.value < from.value!) return row.reject('END_BEFORE_START', 'to', row.get('to'), `fra ${row.get('from')}`);
  // Empty Initialer: nobody responsible from this date.
  return [ctx.municipality, ctx.source, caseId, from.value, row.get('initials'), to.value, row.file, row.line];
}
