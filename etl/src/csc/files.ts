import { COMPLAINT_OUTCOMES, isMunicipalityCode, legalBasisRule, measureType, parseLegalBasis } from '@bu/domain';
import { caseworkerRow, field, freeText, isCprWritten, required } from '../fields';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { maskCpr, Pseudonym, Pseudonymiser } from '../pseudonym';
import { isoDate } from '../values';
import { copenhagenOffsetHours } from '@bu/domain';

// CSC Social-style export (EXPORTS.md section 2): tab-separated Windows-1252 without quotes,
// dates YYYY-MM-DD, times HH:MM:SS, decimal point, booleans 1/0, CPR as 10 digits.

export const CSC_FORMAT = { separator: '\t', quote: null, encoding: 'windows-1252' } as const;

export interface CscContext {
  municipality: number | null;
  pseudonyms: Pseudonymiser;
  /** PERSON_ID → pseudonym, from PERSON.txt. */
  persons: Map<string, Pseudonym>;
}

type Staged = unknown[] | null;

export const PERSON_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'PERSON_ID', required: true },
  { key: 'cpr', header: 'CPRNR', required: true },
  { key: 'municipality', header: 'KOMMUNE_NR', required: true },
];

/** Stages the person and remembers its pseudonym for SAG and AKTIVITET rows. */
export function mapPerson(row: Row, ctx: CscContext): Staged {
  const id = row.get('id');
  if (!id) return row.reject('REQUIRED', 'id', id);
  const cprText = row.get('cpr');
  const person = ctx.pseudonyms.pseudonymise(cprText);
  if (!person) return row.reject('CPR_INVALID', 'cpr', maskCpr(cprText));
  const codeText = row.get('municipality');
  const code = Number(codeText);
  if (!/^\d{1,3}$/.test(codeText) || !isMunicipalityCode(code)) return row.reject('MUNICIPALITY_UNKNOWN', 'municipality', codeText);
  if (ctx.municipality === null) ctx.municipality = code;
  if (code !== ctx.municipality)
    return row.reject('MUNICIPALITY_MISMATCH', 'municipality', codeText, `udtrækket gælder kommune ${ctx.municipality}`);
  ctx.persons.set(id, person);
  return [ctx.municipality, 'csc', person.personId, person.birthDate, person.sex, row.file, row.line];
}

export const MEDARBEJDER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'MEDARB_ID', required: true },
  { key: 'name', header: 'NAVN', required: true },
  { key: 'team', header: 'ENHED' },
  { key: 'title', header: 'ROLLE' },
  { key: 'from', header: 'START_DATO' },
  { key: 'to', header: 'SLUT_DATO' },
];

export function mapMedarbejder(row: Row, ctx: CscContext): Staged {
  return caseworkerRow(row, ctx.municipality, 'csc', isoDate);
}

export const SAG_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'SAG_ID', required: true },
  { key: 'person', header: 'PERSON_ID', required: true },
  { key: 'area', header: 'OMRAADE', required: true },
  { key: 'opened', header: 'OPRETTET', required: true },
  { key: 'closed', header: 'AFSLUTTET' },
];

const AREAS: Record<string, string> = { U: 'Udsatte', H: 'Handicap' };

export function mapSag(row: Row, ctx: CscContext): Staged {
  const id = required(row, 'id');
  if (id === null) return null;
  const person = ctx.persons.get(row.get('person'));
  if (!person) return row.reject('UNKNOWN_PERSON', 'person', row.get('person'));
  const areaText = row.get('area').toUpperCase();
  const area = AREAS[areaText] ?? 'ukendt';
  if (area === 'ukendt') row.warn('UNKNOWN_CODE', 'area', row.get('area'));
  const opened = field(row, 'opened', isoDate, true);
  const closed = field(row, 'closed', isoDate, false);
  if (!opened.ok || !closed.ok) return null;
  if (closed.value && closed.value < opened.value!)
    return row.reject('END_BEFORE_START', 'closed', row.get('closed'), `OPRETTET ${row.get('opened')}`);
  return [ctx.municipality, 'csc', id, person.personId, area, opened.value, closed.value, row.file, row.line];
}

export const AKTIVITET_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'AKT_ID', required: true },
  { key: 'case', header: 'SAG_ID', required: true },
  { key: 'person', header: 'PERSON_ID' },
  { key: 'code', header: 'AKT_KODE', required: true },
  { key: 'date', header: 'DATO', required: true },
  { key: 'time', header: 'TID' },
  { key: 'worker', header: 'MEDARB_ID' },
  { key: 'ref', header: 'REF_ID' },
  { key: 'v1', header: 'V1' },
  { key: 'v2', header: 'V2' },
  { key: 'v3', header: 'V3' },
  { key: 'v4', header: 'V4' },
  { key: 'v5', header: 'V5' },
  { key: 'text', header: 'TEKST' },
];

export const EVENT_CODES = [
  'SB_SKIFT',
  'UND_MODT',
  'UND_VURD',
  'BFU_START',
  'BFU_SLUT',
  'HP',
  'FOR_BEV',
  'FOR_START',
  'FOR_SLUT',
  'OPF',
  'TILSYN',
  'BSAMT',
  'EFFEKT',
  'KLAGE_MODT',
  'KLAGE_AFG',
] as const;

const NEEDS_REF = new Set([
  'UND_MODT',
  'UND_VURD',
  'BFU_START',
  'BFU_SLUT',
  'HP',
  'FOR_BEV',
  'FOR_START',
  'FOR_SLUT',
  'OPF',
  'TILSYN',
  'KLAGE_MODT',
  'KLAGE_AFG',
]);

/** The staging columns of one event, in order (see createEventStaging). */
export const EVENT_STAGING_COLUMNS = [
  'akt_id',
  'case_id',
  'person_id',
  'code',
  'day',
  'at',
  'worker_id',
  'ref_id',
  'v1',
  'v2',
  'v3',
  'v4',
  'v5',
  'text',
  'measure_type',
  'type_code',
  'family',
  'family_care',
  'paragraph',
  '_file',
  '_line',
];

function bool01(row: Row, key: string): { ok: boolean; value: boolean | null } {
  const t = row.get(key);
  if (t === '') return { ok: true, value: null };
  if (t === '1' || t === '0') return { ok: true, value: t === '1' };
  row.reject('BOOLEAN_INVALID', key, t, '1 eller 0');
  return { ok: false, value: null };
}

/** Validates one event of the log by its code; pairing happens in SQL once every event is staged. */
export function mapAktivitet(row: Row, ctx: CscContext): Staged {
  const code = row.get('code').toUpperCase();
  if (!(EVENT_CODES as readonly string[]).includes(code)) {
    row.warn('UNKNOWN_CODE', 'code', row.get('code'), 'hændelsen springes over');
    return null;
  }
  const caseId = row.get('case');
  // A notification about a child with no case names the person instead.
  if (!caseId && !(code.startsWith('UND_') && row.get('person'))) return row.reject('REQUIRED', 'case', caseId);
  const ref = row.get('ref');
  if (NEEDS_REF.has(code) && !ref) return row.reject('REQUIRED', 'ref', ref);
  // The ids kept as they stand (see required()).
  for (const key of ['id', 'case', 'ref', 'worker']) if (isCprWritten(row.get(key))) return row.reject('ID_IS_CPR', key, row.get(key));
  const day = field(row, 'date', isoDate, true);
  if (!day.ok) return null;
  let at: string | null = null;
  if (code === 'UND_MODT' || code === 'UND_VURD') {
    const t = row.get('time') || '00:00:00';
    const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return row.reject('DATE_INVALID', 'time', t);
    const [y, mo, d] = day.value!.split('-').map(Number);
    at = `${day.value} ${m[1]}:${m[2]}:${m[3] ?? '00'}+0${copenhagenOffsetHours(y, mo, d, Number(m[1]))}`;
  }
  const personText = row.get('person');
  const person = personText ? ctx.persons.get(personText) : undefined;
  if (personText && !person) return row.reject('UNKNOWN_PERSON', 'person', personText);
  // The texts kept as they stand (a source, a legal basis or a measure type not in the catalogue, a
  // supplier, the free text) are masked where they may hold a CPR number (W008); V3 and V5 are numbers.
  const text = (k: string) => freeText(row, k) || null;
  let [v1, v2, v3, v4, v5]: (string | null)[] = [text('v1'), text('v2'), row.get('v3') || null, text('v4'), row.get('v5') || null];
  let measure: unknown[] = [null, null, null, null, null];
  if (code === 'UND_MODT') {
    const acute = bool01(row, 'v2');
    if (!acute.ok) return null;
    v1 = (v1 ?? 'ukendt').toLowerCase();
  } else if (code === 'TILSYN') {
    if (!bool01(row, 'v1').ok) return null;
  } else if (code === 'EFFEKT') {
    for (const k of ['v1', 'v2', 'v3', 'v4', 'v5']) {
      const t = row.get(k);
      if (!/^\d+$/.test(t)) return row.reject(t === '' ? 'REQUIRED' : 'NUMBER_INVALID', k, t);
      if (Number(t) < 1 || Number(t) > 5) return row.reject('SCORE_RANGE', k, t);
    }
  } else if (code === 'FOR_BEV' || code === 'FOR_START') {
    if (v3 !== null && !/^-?\d+(\.\d+)?$/.test(v3)) return row.reject('NUMBER_INVALID', 'v3', v3);
    if (v5 !== null && (!/^\d+$/.test(v5) || Number(v5) < 1 || Number(v5) > 24))
      return row.reject('NUMBER_INVALID', 'v5', v5, '1-24 måneder');
    const type = v2 ? measureType(v2) : undefined;
    if (v2 && !type) row.warn('UNKNOWN_CODE', 'v2', v2);
    const basis = v1 ? parseLegalBasis(v1) : null;
    if (v1 && !basis) row.warn('UNKNOWN_CODE', 'v1', v1);
    const basisFamily = basis ? legalBasisRule(basis)?.family : undefined;
    if (type && basis && basisFamily !== type.family) row.warn('LEGAL_BASIS_MISMATCH', 'v1', v1!, `ydelsen ${type.name}`);
    measure = v2
      ? [type?.name ?? 'ukendt', type ? null : v2, type?.family ?? 'unknown', type?.familyCare ?? false, basis?.text ?? null]
      : measure;
  } else if (code === 'KLAGE_AFG') {
    const outcome = row.get('text').toLowerCase();
    if (outcome && !(COMPLAINT_OUTCOMES as readonly string[]).includes(outcome)) row.warn('UNKNOWN_CODE', 'text', row.get('text'));
  }
  return [
    row.get('id'),
    caseId || null,
    person?.personId ?? null,
    code,
    day.value,
    at,
    row.get('worker') || null,
    ref || null,
    v1,
    v2,
    v3,
    v4,
    v5,
    text('text'),
    ...measure,
    row.file,
    row.line,
  ];
}
