// Small-cell suppression for the committee role: a count 1..4 becomes {"suppressed": true} and the
// real number is never sent; zero stays 0. (Shares and rates resting on a suppressed count are
// withheld by the KPIs that compute them, given the counts: forCommittee below.)

import type { Fraction, KpiDefinition } from './types';

export interface Suppressed {
  suppressed: true;
}

export const SUPPRESSED: Suppressed = { suppressed: true };
export const MIN_CELL = 5;

/** Whether a count is a small cell (1-4). */
export const isSmallCell = (n: number): boolean => n >= 1 && n < MIN_CELL;

export function suppressCount(n: number | null): number | null | Suppressed {
  return n !== null && isSmallCell(n) ? SUPPRESSED : n;
}

/**
 * Parts shown with their total: besides the small parts, the smallest non-zero other part is
 * suppressed too, so a hidden cell cannot be worked out by subtraction.
 */
export function suppressParts(parts: Record<string, number>): Record<string, number | Suppressed> {
  const out: Record<string, number | Suppressed> = {};
  const small = Object.entries(parts).filter(([, n]) => isSmallCell(n));
  for (const [k, n] of Object.entries(parts)) out[k] = suppressCount(n) as number | Suppressed;
  if (small.length > 0) {
    const next = Object.entries(parts)
      .filter(([, n]) => n >= MIN_CELL)
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0];
    if (next) out[next[0]] = SUPPRESSED;
  }
  return out;
}

/**
 * The committee's value, for every way a figure reaches the committee (the API's answers and the
 * monthly report): small cells suppressed by the KPI's own rule; a share or rate is given the counts
 * it rests on, asked of `counts` only then (the API's come from its cache, beside the share's n). A
 * rule that needs the counts withholds the value when it is not given them (fail closed), so a
 * caller that forgets them prints nothing it should not.
 */
export async function forCommittee(kpi: KpiDefinition, value: unknown, counts: () => Promise<Fraction | null>): Promise<unknown> {
  if (!kpi.suppress) return value;
  if (kpi.suppress.length < 2 || !kpi.fraction) return kpi.suppress(value);
  return kpi.suppress(value, await counts());
}
