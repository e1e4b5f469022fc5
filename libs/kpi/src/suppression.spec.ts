import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forCommittee, KPIS, kpiById, SUPPRESSED, suppressCount, suppressParts } from '@bu/kpi';

const S = { suppressed: true };
describe('small-cell suppression', () => {
  it('replaces 1..4 and keeps 0 and 5+', () => {
    expect([0, 1, 4, 5, 17, null].map(suppressCount)).toEqual([0, S, S, 5, 17, null]);
  });

  it('suppresses one more part — the smallest non-zero other one — when parts are shown with their total', () => {
    expect(suppressParts({ skole: 12, politi: 3, sundhed: 7, anonym: 0 })).toEqual({ skole: 12, politi: S, sundhed: S, anonym: 0 });
    expect(suppressParts({ a: 6, b: 9 })).toEqual({ a: 6, b: 9 });
  });

  it('leaves no part of a shown total to be worked out: the hidden sum is 0, 5 or more, or spread over 2 or more hidden parts', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('skole', 'politi', 'sundhed', 'anonym', 'andet'), fc.nat({ max: 12 })), (parts) => {
        const shown = suppressParts(parts);
        const total = Object.values(parts).reduce((a, b) => a + b, 0);
        const shownTotal = suppressCount(total);
        const numbers = Object.values(shown).filter((v): v is number => typeof v === 'number');
        for (const n of numbers) expect(n >= 1 && n <= 4).toBe(false);
        if (typeof shownTotal === 'number') {
          const hidden = shownTotal - numbers.reduce((a, b) => a + b, 0);
          const hiddenParts = Object.values(shown).filter((v) => typeof v !== 'number').length;
          expect(hidden === 0 || hidden >= 5 || hiddenParts >= 2).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every KPI the committee may read is money or suppressible', () => {
    const open = KPIS.filter((k) => k.roles.includes('udvalg') && k.unit !== 'kr' && !k.suppress).map((k) => k.id);
    expect(open).toEqual([]);
  });

  it('every KPI whose rule needs the counts withholds a value when it is not given them (fail closed)', () => {
    const needsCounts = KPIS.filter((k) => k.suppress && k.suppress.length >= 2);
    expect(needsCounts.map((k) => k.id)).toContain('activity.children_with_open_case_per_1000');
    for (const k of needsCounts) {
      expect(k.suppress!(0.05), k.id).toEqual(SUPPRESSED);
      expect(k.suppress!(0.05, null), k.id).toEqual(SUPPRESSED);
    }
  });

  it('gives a rate its counts for the committee: withheld on 1..4, shown on 0 and on 5 or more', async () => {
    const kpi = kpiById('activity.children_with_open_case_per_1000')!;
    // A stand-in fraction: numerator n children of 40,000; the rate n / 40,000 × 1,000.
    const forCounts = (n: number) =>
      forCommittee({ ...kpi, fraction: () => Promise.resolve(null) }, (n / 40_000) * 1000, () =>
        Promise.resolve({ numerator: n, denominator: 40_000 }),
      );
    // 2 / 40,000 × 1,000 = 0.05 rests on 2 children: withheld; 0 is 0; 5 / 40,000 × 1,000 = 0.125.
    expect(await forCounts(2)).toEqual(SUPPRESSED);
    expect(await forCounts(0)).toBe(0);
    expect(await forCounts(5)).toBe(0.125);
    // No rate (no population): nothing to withhold.
    expect(kpi.suppress!(null, null)).toBeNull();
  });
});
