// The Danish words of the case review view. The checklist's own titles come from the API (they
// are data, per version); the committee may not read checklists, so the default items' titles
// are here too (the same as the migration's default checklist).

/** Item id → Danish title. */
export type ItemTitles = Record<string, string>;

export const DEFAULT_ITEM_TITLES: ItemTitles = {
  'formal.investigation_4m': 'Børnefaglig undersøgelse findes og er afsluttet inden for 4 måneder (eller åben og ikke over fristen)',
  'formal.plan_on_time': 'Handleplan / barnets plan rettidig for hver foranstaltning',
  'formal.child_conversation': 'Børnesamtale før hver afgørelse',
  'formal.followup_on_time': 'Opfølgning rettidig på hver aktiv foranstaltning',
  'formal.supervision_visits': 'Anbringelse: to tilsynsbesøg inden for de seneste 12 måneder',
  'formal.talked_alone': 'Anbringelse: talt alene med barnet ved hvert tilsynsbesøg',
  'formal.notification_24h': 'Underretninger vurderet inden for 24 timer',
  'formal.decision_before_start': 'Bevilling dateret senest ved foranstaltningens start',
  'pro.target_group': 'Barnet er i målgruppen (personkredsen) for foranstaltningen',
  'pro.child_view': 'Barnets egen holdning er dokumenteret',
  'pro.network': 'Familiens netværk er afdækket og inddraget',
  'pro.analysis': 'Analyse og konklusion er begrundet; opfølgningen vurderer barnets udvikling mod planens mål',
  'pro.documentation': 'Dokumentationen er præcis (tid, sted, deltagere; partshøring)',
  'pro.fit': 'Foranstaltningen passer til behovet og er så tæt på barnets almindelige liv som muligt',
};

export const itemTitle = (titles: ItemTitles, id: string): string => titles[id] ?? DEFAULT_ITEM_TITLES[id] ?? id;

export const ANSWER_NAMES: Record<string, string> = { ja: 'Ja', delvist: 'Delvist', nej: 'Nej', ikke_relevant: 'Ikke relevant' };
export const STATUS_NAMES: Record<string, string> = { ikke_startet: 'Ikke startet', i_gang: 'I gang', faerdig: 'Færdig' };

/** The column headings of a case's facts (the API's English keys). */
export const FACT_NAMES: Record<string, string> = {
  case: 'Sag',
  measure: 'Foranstaltning',
  measureType: 'Foranstaltningstype',
  family: 'Gruppe',
  law: 'Lov',
  paragraph: 'Paragraf',
  occasion: 'Anledning',
  type: 'Type',
  started: 'Start',
  ended: 'Slut',
  decided: 'Afgjort',
  followupDue: 'Næste opfølgning',
  investigation: 'Undersøgelse',
  due: 'Frist',
  completed: 'Afsluttet',
  plan: 'Plan',
  date: 'Dato',
  talkedAlone: 'Talt alene med barnet',
  notification: 'Underretning',
  received: 'Modtaget',
  assessed: 'Vurderet',
  within24h: 'Vurderet inden for 24 timer',
};

export const FACT_GROUPS: [key: string, title: string][] = [
  ['measures', 'Foranstaltninger'],
  ['investigations', 'Børnefaglige undersøgelser'],
  ['plans', 'Handleplaner'],
  ['conversations', 'Børnesamtaler'],
  ['followups', 'Opfølgninger'],
  ['visits', 'Tilsynsbesøg'],
  ['notifications', 'Underretninger'],
];

/** Codes among the facts' values, in Danish (a measure's family). */
const FACT_CODES: Record<string, Record<string, string>> = {
  family: { placement: 'Anbringelse', preventive: 'Forebyggende', economic: 'Økonomisk' },
};

/**
 * A fact as shown: a code in Danish, else as factValue; a case number the API leaves out (another
 * of the child's cases, not shown to a team leader) as "Anden sag".
 */
export const factCell = (key: string, v: string | number | boolean | null): string =>
  key === 'case' && v === null ? 'Anden sag' : typeof v === 'string' && FACT_CODES[key]?.[v] ? FACT_CODES[key][v] : factValue(v);

/** A fact's value as shown: dates dd.mm.åååå (with the time when it has one), yes/no in Danish. */
export function factValue(v: string | number | boolean | null): string {
  if (v === null) return '–';
  if (typeof v === 'boolean') return v ? 'Ja' : 'Nej';
  if (typeof v === 'number') return String(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(v);
  if (!m) return v;
  return `${m[3]}.${m[2]}.${m[1]}${m[4] ? ` ${m[4]}.${m[5]}` : ''}`;
}
