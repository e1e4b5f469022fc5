import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './settings';
import { answerMemo, fractionKpi, shared, type KpiContext } from './types';

// The answer's memo (ADR 0075): a sub-result once per answer, never shared with another context.
describe('answerMemo and shared', () => {
  const base = (over: Partial<KpiContext> = {}): KpiContext => ({
    query: async () => [],
    municipality: 461,
    asOf: '2024-04-30',
    period: { from: '2024-01-01', to: '2024-04-30' },
    settings: DEFAULT_SETTINGS,
    ...over,
  });

  it('computes once per key and context, and again for any other municipality, D, P, teams, group, read models or settings', async () => {
    const memo = answerMemo();
    let runs = 0;
    const ask = (ctx: KpiContext, key = 'lines') => shared(ctx, key, async () => ++runs);
    expect(await ask(base({ shared: memo }))).toBe(1);
    expect(await ask(base({ shared: memo }))).toBe(1);
    const others: Partial<KpiContext>[] = [
      { municipality: 101 },
      { asOf: '2024-03-31' },
      { period: { from: '2024-02-01', to: '2024-04-30' } },
      { period: { from: '2024-01-01', to: '2024-04-29' } },
      { teams: ['Team Nord'] },
      { comparisonGroup: [101, 461] },
      { readModels: true },
      { settings: { ...DEFAULT_SETTINGS } },
      { settings: undefined },
    ];
    for (const [i, over] of others.entries()) expect(await ask(base({ shared: memo, ...over })), JSON.stringify(over)).toBe(i + 2);
    expect(await ask(base({ shared: memo }), 'other key')).toBe(others.length + 2);
    // Another answer has its own memo; a context without one computes every time.
    expect(await ask(base({ shared: answerMemo() }))).toBe(others.length + 3);
    expect(await ask(base())).toBe(others.length + 4);
    expect(await ask(base())).toBe(others.length + 5);
  });

  it("gives a fractionKpi's value and counts from one computation of the counts per answer", async () => {
    let runs = 0;
    const kpi = fractionKpi({
      id: 'test.share',
      title: 'Test',
      unit: 'share',
      shape: 'fraction',
      higherIsBetter: true,
      roles: ['chef'],
      fraction: async () => (++runs, { numerator: 1, denominator: 4 }),
    });
    const ctx = base({ shared: answerMemo() });
    expect(await kpi.compute(ctx)).toBe(0.25);
    expect(await kpi.fraction!({ ...ctx })).toEqual({ numerator: 1, denominator: 4 });
    expect(runs).toBe(1);
  });
});
