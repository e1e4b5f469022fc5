// Measure types (Ydelse) and their families, as the KPI catalogue defines them.
// Kept as data: a new type is one line here, reviewed by domain people.

export type MeasureFamily = 'placement' | 'preventive' | 'economic' | 'unknown';

export interface MeasureType {
  /** The Danish name as it appears in exports and in the UI. */
  name: string;
  family: MeasureFamily;
  /** Family-type care (netværkspleje, plejefamilie, kommunal plejefamilie). */
  familyCare: boolean;
  /** Default account-plan function the measure books on (budget.forecast_activity). */
  accountFunction: string;
}

export const UNKNOWN_MEASURE_TYPE = 'ukendt';

export const MEASURE_TYPES: readonly MeasureType[] = [
  { name: 'Familiebehandling', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Kontaktperson', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Aflastning', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Praktisk pædagogisk støtte', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Døgnophold for familien', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Fast kontaktperson for familien', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Formidling af praktikophold', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Økonomisk støtte', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Efterværn', family: 'preventive', familyCare: false, accountFunction: '5.28.21' },
  { name: 'Netværkspleje', family: 'placement', familyCare: true, accountFunction: '5.28.22' },
  { name: 'Plejefamilie', family: 'placement', familyCare: true, accountFunction: '5.28.22' },
  { name: 'Kommunal plejefamilie', family: 'placement', familyCare: true, accountFunction: '5.28.22' },
  { name: 'Opholdssted', family: 'placement', familyCare: false, accountFunction: '5.28.20' },
  { name: 'Døgninstitution', family: 'placement', familyCare: false, accountFunction: '5.28.23' },
  { name: 'Sikret døgninstitution', family: 'placement', familyCare: false, accountFunction: '5.28.24' },
  { name: 'Eget værelse', family: 'placement', familyCare: false, accountFunction: '5.28.20' },
  { name: 'Merudgifter', family: 'economic', familyCare: false, accountFunction: '5.57.72' },
  { name: 'Tabt arbejdsfortjeneste', family: 'economic', familyCare: false, accountFunction: '5.57.72' },
];

const normalise = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
const BY_NAME = new Map(MEASURE_TYPES.map((t) => [normalise(t.name), t]));

/** Resolves an export's measure text; unknown text gives undefined (stored as "ukendt" and reported). */
export function measureType(text: string): MeasureType | undefined {
  return BY_NAME.get(normalise(text));
}
