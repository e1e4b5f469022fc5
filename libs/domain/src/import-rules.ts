// The import validation rules' catalogue: every rule has a stable id, a severity, a Danish text a
// data steward understands and when it is checked. Rows break a rule → an import issue with file,
// line and value. 'error' rejects the row; 'warning' keeps it and flags it; 'file' fails the whole
// import. Here, not in the ETL, because the API lists the rules (GET /etl/rules) without the ETL.

export type Severity = 'error' | 'warning' | 'file';

/**
 * When a rule is checked (where its check lives):
 * - 'import': on a file or the import as a whole (ImportFailure; import-run.ts, the formats' import.ts, load/shrink.ts);
 * - 'row': on each row as it is read (the CSV reader, the field parsers in values.ts, fields.ts and
 *   codes.ts, the formats' mappers in files.ts);
 * - 'staged': set-based SQL on the staged tables once every file is read (case-system snapshots:
 *   load/snapshot-rules.ts; CSC's event log: csc/import.ts);
 * - 'merge': as the municipality's partition is built (the last row of a repeated id wins).
 */
export type RuleWhen = 'import' | 'row' | 'staged' | 'merge';

export interface Rule {
  id: string;
  severity: Severity;
  /** Short Danish title shown in the data-quality view. */
  title: string;
  /** First format version the rule applies to (rules are versioned as law and formats change). */
  since: string;
}

/** A rule as the registry holds it: also when it is checked (not part of the API's list). */
export interface RuleEntry extends Rule {
  when: readonly RuleWhen[];
}

export const RULES = {
  FILE_FORMAT: { id: 'F001', severity: 'file', title: 'Filen er ikke i det forventede format', since: '2024.1', when: ['import'] },
  FILE_EMPTY: { id: 'F002', severity: 'file', title: 'Filen er tom', since: '2024.1', when: ['import'] },
  FILE_MISSING: { id: 'F003', severity: 'file', title: 'En påkrævet fil mangler', since: '2024.1', when: ['import'] },
  NO_MUNICIPALITY: { id: 'F004', severity: 'file', title: 'Kommunen kan ikke bestemmes', since: '2024.1', when: ['import'] },
  PSEUDONYM_KEY_MIXED: {
    id: 'F005',
    severity: 'file',
    title: 'Kommunens kilder er pseudonymiseret med forskellige nøgler',
    since: '2026.4',
    when: ['import'],
  },
  EXPORT_OLDER: { id: 'F010', severity: 'file', title: 'Udtrækket er ældre end det indlæste', since: '2026.4', when: ['import'] },
  SNAPSHOT_SHRINK: {
    id: 'F020',
    severity: 'file',
    title: 'Udtrækket ville fjerne for meget af kommunens data',
    since: '2026.4',
    when: ['import'],
  },
  REQUIRED: { id: 'R001', severity: 'error', title: 'Påkrævet felt er tomt', since: '2024.1', when: ['row'] },
  DATE_INVALID: { id: 'R002', severity: 'error', title: 'Ugyldig dato', since: '2024.1', when: ['row'] },
  DATE_BEFORE_1970: { id: 'R003', severity: 'error', title: 'Dato før 1970', since: '2024.1', when: ['row'] },
  DATE_AFTER_EXPORT: {
    id: 'R004',
    severity: 'error',
    title: 'Dato mere end et år efter udtræksdatoen',
    since: '2024.1',
    when: ['row', 'staged'],
  },
  END_BEFORE_START: { id: 'R005', severity: 'error', title: 'Slutdato før startdato', since: '2024.1', when: ['row'] },
  CPR_INVALID: { id: 'R006', severity: 'error', title: 'Ugyldigt CPR-nummer', since: '2024.1', when: ['row'] },
  MUNICIPALITY_UNKNOWN: { id: 'R007', severity: 'error', title: 'Ukendt kommunenummer', since: '2024.1', when: ['row'] },
  MUNICIPALITY_MISMATCH: {
    id: 'R008',
    severity: 'error',
    title: 'Kommunenummer passer ikke til udtrækket',
    since: '2024.1',
    when: ['row'],
  },
  NUMBER_INVALID: { id: 'R009', severity: 'error', title: 'Ugyldigt tal', since: '2024.1', when: ['row'] },
  BOOLEAN_INVALID: { id: 'R010', severity: 'error', title: 'Ugyldig Ja/Nej-værdi', since: '2024.1', when: ['row'] },
  UNKNOWN_CASE: { id: 'R011', severity: 'error', title: 'Henviser til en ukendt sag', since: '2024.1', when: ['staged'] },
  SCORE_RANGE: { id: 'R012', severity: 'error', title: 'Score uden for 1-5', since: '2024.1', when: ['row'] },
  TOO_MANY_FIELDS: { id: 'R013', severity: 'error', title: 'Flere felter end kolonner', since: '2024.1', when: ['row'] },
  UNKNOWN_MEASURE: { id: 'R014', severity: 'error', title: 'Henviser til en ukendt ydelse', since: '2024.1', when: ['staged'] },
  UNKNOWN_PERSON: { id: 'R015', severity: 'error', title: 'Henviser til en ukendt person', since: '2024.1', when: ['row'] },
  EVENT_SECOND_START: {
    id: 'R016',
    severity: 'error',
    title: 'Anden start for samme id i hændelsesloggen',
    since: '2024.1',
    when: ['staged'],
  },
  EVENT_SECOND_END: {
    id: 'R017',
    severity: 'error',
    title: 'Anden afslutning for samme id i hændelsesloggen',
    since: '2024.1',
    when: ['staged'],
  },
  EVENT_END_WITHOUT_START: {
    id: 'R018',
    severity: 'error',
    title: 'Afslutning uden start i hændelsesloggen',
    since: '2024.1',
    when: ['staged'],
  },
  QUOTE_UNCLOSED: { id: 'R030', severity: 'error', title: 'Et felt i anførselstegn afsluttes ikke', since: '2026.4', when: ['row'] },
  RECORD_TOO_LONG: { id: 'R031', severity: 'error', title: 'Rækken er for lang', since: '2026.4', when: ['row'] },
  ID_IS_CPR: { id: 'R032', severity: 'error', title: 'Et id er et CPR-nummer', since: '2026.12', when: ['row'] },
  UNKNOWN_COLUMNS: { id: 'W001', severity: 'warning', title: 'Ukendte kolonner ignoreret', since: '2024.1', when: ['row'] },
  DUPLICATE_ID: {
    id: 'W002',
    severity: 'warning',
    title: 'Samme id med forskelligt indhold; sidste række bruges',
    since: '2024.1',
    when: ['merge'],
  },
  UNKNOWN_CODE: { id: 'W003', severity: 'warning', title: 'Ukendt kode gemt som "ukendt"', since: '2024.1', when: ['row'] },
  UNKNOWN_WORKER: { id: 'W004', severity: 'warning', title: 'Ukendt rådgiver i sagsansvar', since: '2024.1', when: ['staged'] },
  LEGAL_BASIS_MISMATCH: {
    id: 'W005',
    severity: 'warning',
    title: 'Lovgrundlaget passer ikke til ydelsestypen',
    since: '2024.1',
    when: ['row'],
  },
  FILE_ABSENT: {
    id: 'W006',
    severity: 'warning',
    title: 'Filen mangler i udtrækket; de tidligere data for den beholdes',
    since: '2024.1',
    when: ['import'],
  },
  ECONOMY_AFTER_D: {
    id: 'W007',
    severity: 'warning',
    title: 'Økonomiudtrækket går længere end sagsdata (efter opgørelsesdatoen)',
    since: '2026.4',
    when: ['staged'],
  },
  CPR_IN_TEXT: {
    id: 'W008',
    severity: 'warning',
    title: 'Noget, der ligner et CPR-nummer, er maskeret i en tekst',
    since: '2026.12',
    when: ['row'],
  },
} as const satisfies Record<string, RuleEntry>;

export type RuleKey = keyof typeof RULES;

const TITLES: ReadonlyMap<string, string> = new Map(Object.values(RULES).map((r) => [r.id, r.title]));

/** A rule's Danish title by its id (what a user reads instead of "R003"); the id itself when unknown. */
export function ruleTitle(id: string): string {
  return TITLES.get(id) ?? id;
}

/** The rules as the API lists them (id, severity, title, since). */
export function listRules(): Rule[] {
  return Object.values(RULES).map(({ id, severity, title, since }) => ({ id, severity, title, since }));
}
