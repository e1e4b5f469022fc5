// Danish number and date formats, as Intl gives them for da-DK (1.234,5; 31.10.2026): what the
// dashboard shows and what the committee's PDF report prints, from one place.
const numberFormat = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 1 });
const shareFormat = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat('da-DK', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('da-DK', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Copenhagen',
});

export const formatNumber = (n: number): string => numberFormat.format(n);
export const formatShare = (fraction: number): string => shareFormat.format(fraction);

/** ISO date (YYYY-MM-DD) → 31.10.2026. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d)));
}

/** A moment → 31.10.2026 14.05, Danish time. */
export function formatDateTime(at: Date | string): string {
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}.${parts.minute}`;
}

/** A value withheld from the committee (small-cell suppression). */
const isWithheld = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { suppressed?: unknown }).suppressed === true;

/** A single KPI value as shown: "–" for none, "<5" when suppressed, else the Danish number. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (isWithheld(v)) return '<5';
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

/** Shares of the catalogue are fractions: shown as %; other values as numbers (a goal's value and target). */
export function displayKpiValue(kpi: string, v: unknown): string {
  if (isWithheld(v) || v === null || v === undefined) return displayValue(v);
  return /share|_24h|_4m|on_time|conversation/.test(kpi) ? formatShare(v as number) : formatNumber(v as number);
}

/** An amount in 1.000 kr. as the budget table shows it; "skjult" when withheld from the committee. */
export const displayThousandKr = (n: unknown): string =>
  n === null || n === undefined ? '–' : typeof n === 'number' ? formatNumber(Math.round(n / 1000)) : 'skjult';

export const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];

/** The budget table's light: colour, a symbol and the word (never colour alone). */
export const BUDGET_LIGHTS = {
  green: { symbol: '✓', word: 'Inden for budget' },
  yellow: { symbol: '!', word: 'Hold øje' },
  red: { symbol: '✕', word: 'Forventet overskridelse' },
} as const;

/** A political goal's light. */
export const GOAL_LIGHTS = {
  green: { symbol: '✓', word: 'Nået' },
  yellow: { symbol: '!', word: 'Tæt på' },
  red: { symbol: '✕', word: 'Ikke nået' },
} as const;

/** The rows of activity.summary's year table. */
export const YEAR_ROW_LABELS: Record<string, string> = {
  notifications: 'Underretninger',
  placementsStarted: 'Nye anbringelser',
  placedChildren: 'Anbragte børn (31.12.)',
  preventiveChildren: 'Børn med forebyggende indsats (31.12.)',
};
