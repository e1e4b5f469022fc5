import * as domain from '@bu/domain';
import {
  COMPLAINT_OUTCOMES,
  isMunicipalityCode,
  PLAN_TYPES,
  legalBasisRule,
  measureType,
  parseLegalBasis,
  UNKNOWN_MEASURE_TYPE,
} from '@bu/domain';
import { codeFrom } from '../codes';
import { caseworkerRow, field, freeText, isCprWritten, required } from '../fields';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { memo } from '../memo';
import { maskCpr, type Pseudonymiser } from '../pseudonym';
import type { ChildrenSeen } from '../children';
import type { SnapshotEntity } from '../load/snapshot-rules';
import { dkDate, dkDecimal, dkTimestamp, integer, jaNej } from '../values';

// DUBU-style export: one ';'-separated UTF-8 file per entity (EXPORTS.md section 1).
// Each mapper returns the staging row (stagingColumns order) or null when the row is rejected.

export const DUBU_FORMAT = { separator: ';', quote: '"', encoding: 'utf-8' } as const;

export interface DubuContext {
  municipality: number | null;
  source: 'dubu';
  pseudonyms: Pseudonymiser;
  /** The children of the staged cases and notifications (DUBU has no person file). */
  children: ChildrenSeen;
}

type Staged = unknown[] | null;

/** A module constant: the compiled import would read it through a getter on every row. */
const lawAt = domain.lawAt;

export const SAGER_COLUMNS: ColumnSpec[] = [
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'cpr', header: 'CPR', required: true },
  { key: 'municipality', header: 'Kommunenr', required: true },
  { key: 'area', header: 'Sagsområde', required: true },
  { key: 'opened', header: 'Oprettet', required: true },
  { key: 'closed', header: 'Lukket' },
];

/** Kommunenr: one to three digits and a municipality's code (the same few texts on every row). */
const knownMunicipality = memo((text: string) => /^\d{1,3}$/.test(text) && isMunicipalityCode(Number(text)));

/** Sagsområde in its canonical spelling, or 'ukendt'. */
const areaOf = memo((text: string) =>
  ['udsatte', 'handicap'].includes(text.toLowerCase()) ? text[0].toUpperCase() + text.slice(1).toLowerCase() : 'ukendt',
);

export function mapSag(row: Row, ctx: DubuContext): Staged {
  const caseId = required(row, 'case');
  if (caseId === null) return null;
  const cprText = row.get('cpr');
  const person = ctx.pseudonyms.pseudonymise(cprText);
  if (!person) return row.reject('CPR_INVALID', 'cpr', maskCpr(cprText));
  const codeText = row.get('municipality');
  const code = Number(codeText);
  if (!knownMunicipality(codeText)) return row.reject('MUNICIPALITY_UNKNOWN', 'municipality', codeText);
  if (ctx.municipality === null) ctx.municipality = code;
  if (code !== ctx.municipality)
    return row.reject('MUNICIPALITY_MISMATCH', 'municipality', codeText, `udtrækket gælder kommune ${ctx.municipality}`);
  const areaText = row.get('area');
  const area = areaOf(areaText);
  if (area === 'ukendt') row.warn('UNKNOWN_CODE', 'area', areaText);
  const opened = field(row, 'opened', dkDate, true);
  if (!opened.ok) return null;
  const closed = field(row, 'closed', dkDate);
  if (!closed.ok) return null;
  if (closed.value !== null && closed.value < opened.value!)
    return row.reject('END_BEFORE_START', 'closed', row.get('closed'), `oprettet ${row.get('opened')}`);
  ctx.children.see(person, row.file, row.line);
  return [ctx.municipality, ctx.source, caseId, person.personId, area, opened.value, closed.value, row.file, row.line];
}

export const MEDARBEJDERE_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Initialer', required: true },
  { key: 'name', header: 'Navn', required: true },
  { key: 'team', header: 'Team' },
  { key: 'title', header: 'Stilling' },
  { key: 'from', header: 'Ansat fra' },
  { key: 'to', header: 'Ansat til' },
];

export function mapMedarbejder(row: Row, ctx: DubuContext): Staged {
  return caseworkerRow(row, ctx.municipality, ctx.source, dkDate);
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
  // Empty Initialer: nobody responsible from this date. Kept as they stand, as an id is (required()).
  const initials = row.get('initials');
  if (isCprWritten(initials)) return row.reject('ID_IS_CPR', 'initials', initials);
  return [ctx.municipality, ctx.source, caseId, from.value, initials, to.value, row.file, row.line];
}

/** End before start rejects the row (rule R005). */
function endBeforeStart(row: Row, endKey: string, end: string | null, startKey: string, start: string | null): boolean {
  if (end === null || start === null || end >= start) return false;
  row.reject('END_BEFORE_START', endKey, row.get(endKey), `${row.label(startKey)} ${row.get(startKey)}`);
  return true;
}

/** "2024-10-27 02:30:00+02" → milliseconds since the epoch. */
const instant = (timestamp: string): number => Date.parse(`${timestamp.replace(' ', 'T')}:00`);

/** a before b, two timestamps from dkTimestamp; with the same UTC offset the text says it. */
const earlier = (a: string, b: string): boolean =>
  a.length === 22 && b.length === 22 && a.endsWith(b.slice(19)) ? a < b : instant(a) < instant(b);

const legalBasisOf = memo((text: string) => {
  const basis = parseLegalBasis(text);
  return { basis, family: basis ? legalBasisRule(basis)?.family : undefined };
});
const measureTypeOf = memo(measureType);

export const UNDERRETNINGER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Underretnings-ID', required: true },
  { key: 'cpr', header: 'CPR', required: true },
  { key: 'received', header: 'Modtaget', required: true },
  { key: 'assessed', header: 'Vurderet' },
  { key: 'channel', header: 'Kilde' },
  { key: 'acute', header: 'Akut' },
];

export function mapUnderretning(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'id');
  if (id === null) return null;
  const cprText = row.get('cpr');
  const person = ctx.pseudonyms.pseudonymise(cprText);
  if (!person) return row.reject('CPR_INVALID', 'cpr', maskCpr(cprText));
  const received = field(row, 'received', dkTimestamp, true);
  const assessed = field(row, 'assessed', dkTimestamp);
  const acute = field(row, 'acute', jaNej);
  if (!received.ok || !assessed.ok || !acute.ok) return null;
  if (assessed.value !== null && earlier(assessed.value, received.value!)) {
    return row.reject('END_BEFORE_START', 'assessed', row.get('assessed'), `modtaget ${row.get('received')}`);
  }
  const channel = freeText(row, 'channel').toLowerCase() || 'ukendt';
  // case_id is linked after staging: the child's case open at receipt, else the next, else the latest.
  ctx.children.see(person, row.file, row.line);
  return [
    ctx.municipality,
    ctx.source,
    id,
    person.personId,
    null,
    received.value,
    assessed.value,
    channel,
    acute.value,
    row.file,
    row.line,
  ];
}

export const UNDERSOEGELSER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Undersøgelses-ID', required: true },
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'start', header: 'Startdato', required: true },
  { key: 'end', header: 'Afsluttet' },
  { key: 'basis', header: 'Lovgrundlag' },
];

export function mapUndersoegelse(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'id');
  const caseId = required(row, 'case');
  if (id === null || caseId === null) return null;
  const start = field(row, 'start', dkDate, true);
  const end = field(row, 'end', dkDate);
  if (!start.ok || !end.ok || endBeforeStart(row, 'end', end.value, 'start', start.value)) return null;
  const basis = row.get('basis');
  return [
    ctx.municipality,
    ctx.source,
    id,
    caseId,
    start.value,
    end.value,
    basis ? (parseLegalBasis(basis)?.text ?? freeText(row, 'basis', basis)) : null,
    row.file,
    row.line,
  ];
}

export const YDELSER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Ydelses-ID', required: true },
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'basis', header: 'Lovgrundlag' },
  { key: 'type', header: 'Ydelse', required: true },
  { key: 'provider', header: 'Leverandør' },
  { key: 'decided', header: 'Bevilget' },
  { key: 'start', header: 'Startdato', required: true },
  { key: 'end', header: 'Slutdato' },
  { key: 'cost', header: 'Månedlig udgift' },
  { key: 'cadence', header: 'Opfølgningskadence (måneder)' },
];

export function mapYdelse(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'id');
  const caseId = required(row, 'case');
  if (id === null || caseId === null) return null;
  const start = field(row, 'start', dkDate, true);
  const end = field(row, 'end', dkDate);
  const decided = field(row, 'decided', dkDate);
  const cost = field(row, 'cost', dkDecimal);
  const cadence = field(row, 'cadence', integer);
  if (!start.ok || !end.ok || !decided.ok || !cost.ok || !cadence.ok) return null;
  if (endBeforeStart(row, 'end', end.value, 'start', start.value)) return null;
  if (cadence.value !== null && (cadence.value < 1 || cadence.value > 24))
    return row.reject('NUMBER_INVALID', 'cadence', row.get('cadence'), '1-24 måneder');
  // The measure type decides the family; a legal basis that disagrees is only a warning.
  const typeText = row.get('type');
  const type = measureTypeOf(typeText);
  if (!type) row.warn('UNKNOWN_CODE', 'type', typeText);
  const family = type?.family ?? 'unknown';
  const basisText = row.get('basis');
  const { basis, family: basisFamily } = basisText ? legalBasisOf(basisText) : { basis: null, family: undefined };
  if (basisText && !basis) row.warn('UNKNOWN_CODE', 'basis', basisText);
  if (type && basis && basisFamily !== family && !(basisFamily === 'preventive' && family === 'preventive')) {
    row.warn(
      'LEGAL_BASIS_MISMATCH',
      'basis',
      basisText,
      `ydelsen ${type.name} er ${family === 'placement' ? 'en anbringelse' : family === 'economic' ? 'en økonomisk ydelse' : 'forebyggende'}`,
    );
  }
  return [
    ctx.municipality,
    ctx.source,
    id,
    caseId,
    basisText ? freeText(row, 'basis', basisText) : null,
    lawAt(start.value!),
    basis?.text ?? null,
    type?.name ?? UNKNOWN_MEASURE_TYPE,
    type ? null : freeText(row, 'type', typeText),
    family,
    type?.familyCare ?? false,
    freeText(row, 'provider') || null,
    decided.value,
    start.value,
    end.value,
    cost.value,
    cadence.value,
    row.file,
    row.line,
  ];
}

export const HANDLEPLANER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Handleplan-ID', required: true },
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'date', header: 'Dato', required: true },
  { key: 'type', header: 'Type' },
];

export function mapHandleplan(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'id');
  const caseId = required(row, 'case');
  if (id === null || caseId === null) return null;
  const date = field(row, 'date', dkDate, true);
  if (!date.ok) return null;
  const type = codeFrom(row, 'type', PLAN_TYPES);
  return [ctx.municipality, ctx.source, id, caseId, date.value, type, row.file, row.line];
}

export const OPFOELGNINGER_COLUMNS: ColumnSpec[] = [
  { key: 'measure', header: 'Ydelses-ID', required: true },
  { key: 'date', header: 'Dato', required: true },
];

export function mapOpfoelgning(row: Row, ctx: DubuContext): Staged {
  const measure = required(row, 'measure');
  if (measure === null) return null;
  const date = field(row, 'date', dkDate, true);
  if (!date.ok) return null;
  return [ctx.municipality, ctx.source, measure, date.value, row.file, row.line];
}

export const TILSYN_COLUMNS: ColumnSpec[] = [
  { key: 'measure', header: 'Ydelses-ID', required: true },
  { key: 'date', header: 'Dato', required: true },
  { key: 'alone', header: 'Talt alene med barnet' },
];

export function mapTilsyn(row: Row, ctx: DubuContext): Staged {
  const measure = required(row, 'measure');
  if (measure === null) return null;
  const date = field(row, 'date', dkDate, true);
  const alone = field(row, 'alone', jaNej);
  if (!date.ok || !alone.ok) return null;
  return [ctx.municipality, ctx.source, measure, date.value, alone.value, row.file, row.line];
}

export const BOERNESAMTALER_COLUMNS: ColumnSpec[] = [
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'date', header: 'Dato', required: true },
  { key: 'occasion', header: 'Anledning' },
];

export function mapBoernesamtale(row: Row, ctx: DubuContext): Staged {
  const caseId = required(row, 'case');
  if (caseId === null) return null;
  const date = field(row, 'date', dkDate, true);
  if (!date.ok) return null;
  return [ctx.municipality, ctx.source, caseId, date.value, freeText(row, 'occasion'), row.file, row.line];
}

export const EFFEKTMAALINGER_COLUMNS: ColumnSpec[] = [
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'date', header: 'Dato', required: true },
  { key: 'development', header: 'Udvikling og adfærd', required: true },
  { key: 'family', header: 'Familieforhold', required: true },
  { key: 'school', header: 'Skole og dagtilbud', required: true },
  { key: 'health', header: 'Sundhed', required: true },
  { key: 'leisure', header: 'Fritid og venskaber', required: true },
];

const THEMES = ['development', 'family', 'school', 'health', 'leisure'] as const;

export function mapEffektmaaling(row: Row, ctx: DubuContext): Staged {
  const caseId = required(row, 'case');
  if (caseId === null) return null;
  const date = field(row, 'date', dkDate, true);
  if (!date.ok) return null;
  const scores: number[] = [];
  for (const theme of THEMES) {
    const score = field(row, theme, integer, true);
    if (!score.ok) return null;
    if (score.value! < 1 || score.value! > 5) return row.reject('SCORE_RANGE', theme, row.get(theme));
    scores.push(score.value!);
  }
  // seq numbers several measurements of one case on one date; assigned after staging.
  return [ctx.municipality, ctx.source, caseId, date.value, 1, ...scores, row.file, row.line];
}

export const KLAGER_COLUMNS: ColumnSpec[] = [
  { key: 'id', header: 'Klage-ID', required: true },
  { key: 'case', header: 'Sagsnummer', required: true },
  { key: 'received', header: 'Modtaget' },
  { key: 'decided', header: 'Afgjort' },
  { key: 'outcome', header: 'Afgørelse' },
];

export function mapKlage(row: Row, ctx: DubuContext): Staged {
  const id = required(row, 'id');
  const caseId = required(row, 'case');
  if (id === null || caseId === null) return null;
  const received = field(row, 'received', dkDate);
  const decided = field(row, 'decided', dkDate);
  if (!received.ok || !decided.ok || endBeforeStart(row, 'decided', decided.value, 'received', received.value)) return null;
  const outcome = codeFrom(row, 'outcome', COMPLAINT_OUTCOMES);
  return [ctx.municipality, ctx.source, id, caseId, received.value, decided.value, outcome, row.file, row.line];
}

/**
 * One file of a DUBU export and how it is staged: its columns, its mapper (the staging row, in
 * stagingColumns order of its entity, whose EntityDef in load/entities.ts gives the table and key),
 * and what the snapshot's rules need to know of it (SnapshotEntity). Whether its staging table can
 * become the partition as it is follows from the entity (stagesAsPartition).
 */
export interface DubuFile extends SnapshotEntity {
  /** The import fails without it (FILE_MISSING); an optional file's earlier data is kept (FILE_ABSENT). */
  required: boolean;
  columns: ColumnSpec[];
  map: (row: Row, ctx: DubuContext) => unknown[] | null;
}

// sager.csv first: it decides the municipality the rest of the export belongs to.
export const DUBU_FILES: DubuFile[] = [
  {
    file: 'sager.csv',
    entity: 'cases',
    required: true,
    columns: SAGER_COLUMNS,
    map: mapSag,
    eventDates: ['opened', 'closed'],
    happened: ['opened'],
    idLabel: 'sagsnummer',
  },
  {
    file: 'medarbejdere.csv',
    entity: 'caseworkers',
    required: true,
    columns: MEDARBEJDERE_COLUMNS,
    map: mapMedarbejder,
    eventDates: ['employed_from'],
    happened: [],
    idLabel: 'initialer',
  },
  {
    file: 'sagsansvar.csv',
    entity: 'assignments',
    required: true,
    columns: SAGSANSVAR_COLUMNS,
    map: mapSagsansvar,
    eventDates: ['valid_from'],
    happened: [],
    caseRef: 'case_id',
  },
  {
    file: 'underretninger.csv',
    entity: 'notifications',
    required: false,
    columns: UNDERRETNINGER_COLUMNS,
    map: mapUnderretning,
    eventDates: ['received_at'],
    happened: ['received_at', 'assessed_at'],
    idLabel: 'underretnings-id',
  },
  {
    file: 'undersoegelser.csv',
    entity: 'investigations',
    required: false,
    columns: UNDERSOEGELSER_COLUMNS,
    map: mapUndersoegelse,
    eventDates: ['started', 'completed'],
    happened: ['started'],
    caseRef: 'case_id',
    idLabel: 'undersøgelses-id',
  },
  {
    file: 'ydelser.csv',
    entity: 'measures',
    required: false,
    columns: YDELSER_COLUMNS,
    map: mapYdelse,
    eventDates: ['started', 'decided'],
    happened: ['started', 'decided'],
    caseRef: 'case_id',
    idLabel: 'ydelses-id',
  },
  {
    file: 'handleplaner.csv',
    entity: 'plans',
    required: false,
    columns: HANDLEPLANER_COLUMNS,
    map: mapHandleplan,
    eventDates: ['plan_date'],
    happened: [],
    caseRef: 'case_id',
    idLabel: 'handleplan-id',
  },
  {
    file: 'opfoelgninger.csv',
    entity: 'followups',
    required: false,
    columns: OPFOELGNINGER_COLUMNS,
    map: mapOpfoelgning,
    eventDates: ['followup_date'],
    happened: [],
    measureRef: 'measure_id',
  },
  {
    file: 'tilsyn.csv',
    entity: 'visits',
    required: false,
    columns: TILSYN_COLUMNS,
    map: mapTilsyn,
    eventDates: ['visit_date'],
    happened: [],
    measureRef: 'measure_id',
  },
  {
    file: 'boernesamtaler.csv',
    entity: 'conversations',
    required: false,
    columns: BOERNESAMTALER_COLUMNS,
    map: mapBoernesamtale,
    eventDates: ['conversation_date'],
    happened: ['conversation_date'],
    caseRef: 'case_id',
  },
  {
    file: 'effektmaalinger.csv',
    entity: 'effects',
    required: false,
    columns: EFFEKTMAALINGER_COLUMNS,
    map: mapEffektmaaling,
    eventDates: ['measured_on'],
    happened: ['measured_on'],
    caseRef: 'case_id',
  },
  {
    file: 'klager.csv',
    entity: 'complaints',
    required: false,
    columns: KLAGER_COLUMNS,
    map: mapKlage,
    eventDates: ['received', 'decided'],
    happened: ['received', 'decided'],
    caseRef: 'case_id',
    idLabel: 'klage-id',
  },
];
