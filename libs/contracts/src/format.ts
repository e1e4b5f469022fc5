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

/** ISO date (YYYY-MM-DD, or a timestamp that starts with one) → 31.10.2026, whatever the browser's language. */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (match) return `${match[3]}.${match[2]}.${match[1]}`;
  return dateFormat.format(new Date(iso));
}

/** The Danish message for a date typed in another form than dd.mm.åååå. */
export const DATE_FORMAT_MESSAGE = 'Skriv datoen som dd.mm.åååå, fx 31.01.2026';
/** The Danish message for dd.mm.åååå that is no day of the calendar (31.02.2026). */
export const DATE_INVALID_MESSAGE = 'Datoen findes ikke i kalenderen';

/**
 * A date typed in Danish form → ISO (YYYY-MM-DD), or the Danish message why not. Accepts
 * dd.mm.åååå and the forms Danes also type: d.m.åååå, and "-" or "/" between the parts
 * (31-01-2026, 31/1/2026), always day first.
 */
export function parseDanishDate(text: string): { iso: string } | { error: string } {
  const match = /^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$/.exec(text);
  if (!match) return { error: DATE_FORMAT_MESSAGE };
  const [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || d < 1 || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1 || y < 1900)
    return { error: DATE_INVALID_MESSAGE };
  return { iso: `${match[3]}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** An ISO date moved by whole days (the date field's arrow keys). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
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
