// The committee's budget figures as the dashboard and the committee's PDF both show them: the
// month in words, the budget table's total row, and the spend curve's lines.
import type { BudgetLine } from './core';

/** Month 1..12 in words, as the committee reads it ("t.o.m. oktober"). */
export const MONTHS_IN_WORDS = [
  'januar',
  'februar',
  'marts',
  'april',
  'maj',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'december',
];

type Amount = BudgetLine['forecast'];
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isWithheld = (v: unknown) => typeof v === 'object' && v !== null;

/**
 * The sum of one column over the lines: withheld when any line's amount is (a total would give the
 * withheld amount away by subtraction), none when no line has one.
 */
function sum(values: Amount[]): Amount {
  if (values.some(isWithheld)) return values.find(isWithheld) ?? null;
  const numbers = values.filter(isNumber);
  return numbers.length ? numbers.reduce((a, b) => a + b, 0) : null;
}

/** The budget table's total row: sums of the lines; deviation and its share computed from the sums. */
export function budgetTotal(lines: BudgetLine[]) {
  const budget = sum(lines.map((l) => l.budget)) as number | null;
  const spent = sum(lines.map((l) => l.spent)) as number | null;
  const lastYear = sum(lines.map((l) => l.lastYear)) as number | null;
  const forecast = sum(lines.map((l) => l.forecast));
  const deviation = isWithheld(forecast) ? forecast : isNumber(forecast) && budget !== null ? forecast - budget : null;
  const deviationShare = isWithheld(deviation) ? deviation : isNumber(deviation) && budget ? deviation / budget : null;
  return { budget, spent, lastYear, forecast, deviation, deviationShare };
}

/** The month the table's spend runs to: the newest month of the lines (lines of another month say theirs). */
export const budgetSpendMonth = (lines: BudgetLine[]): number | null => Math.max(0, ...lines.map((l) => l.month ?? 0)) || null;

/** The spend column's heading: "Forbrug t.o.m. oktober". */
export const spendHeading = (month: number | null): string => (month ? `Forbrug t.o.m. ${MONTHS_IN_WORDS[month - 1]}` : 'Forbrug');

/**
 * budget.spend_curve: twelve monthly amounts in kr. per key — each year's spend to date (keys
 * "2025", "2026"), the corrected budget (`budget`) and the forecast to December (`forecast`).
 */
export type SpendCurveValue = Record<string, (number | null | { suppressed: true })[]>;

/** The spend curve's lines besides the years, with their names on screen and in print. */
export const SPEND_CURVE_LINES = { budget: 'Korrigeret budget', forecast: 'Forventet forbrug' } as const;

/** The years of a spend curve, oldest first. */
export const spendCurveYears = (value: SpendCurveValue): string[] =>
  Object.keys(value)
    .filter((k) => /^\d{4}$/.test(k))
    .sort();

/** A spend curve's columns as a table shows them: the years, then the budget and the forecast when present. */
export const spendCurveColumns = (value: SpendCurveValue): { key: string; label: string }[] => [
  ...spendCurveYears(value).map((y) => ({ key: y, label: y })),
  ...Object.entries(SPEND_CURVE_LINES)
    .filter(([key]) => value[key])
    .map(([key, label]) => ({ key, label })),
];
