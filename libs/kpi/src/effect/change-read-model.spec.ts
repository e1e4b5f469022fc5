import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { kpiById } from '@bu/kpi';
import { chiefFixture, heldDays, onBothPaths } from '../../../../test/support/kpi';

// effect.change from the read model effect_change_day (ADR 0103) against the facts, at every day
// caseload_day holds (the month ends of three years up to the export, and the export date: most
// with no child counted yet, some with the fixture's children, see change.spec.ts) and at days it
// does not hold (then the children's spans are read, ADR 0078).
const D = '2024-04-30';
const EFFECT = kpiById('effect.change')!;

describe('effect.change from the held days', () => {
  const { db, ctx } = chiefFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /** The value on both paths at D, and whether the held day's read model answered. */
  async function bothPaths(asOf: string) {
    const both = await onBothPaths(ctx, { asOf }, (context) => EFFECT.compute(context), /effect_change_day/);
    // Without the answer's memo the same.
    expect(both.alone).toEqual(both.withMemo);
    expect(both.readAlone).toBe(both.readWithMemo);
    return { facts: both.facts, models: both.withMemo, read: both.readWithMemo > 0 };
  }

  it('gives what the facts give at every day it holds', async () => {
    expect(held).toHaveLength(37);
    let counted = 0;
    for (const asOf of held) {
      const both = await bothPaths(asOf);
      expect(both.read, asOf).toBe(true);
      expect(both.models, asOf).toEqual(both.facts);
      counted += (both.facts as { children: number }).children;
    }
    // 31-03-2024: child7 (Δ −0.2); 30-04-2024: child1, child3, child7 (change.spec.ts) — and no child before.
    expect(counted).toBe(4);
  });

  it('reads the spans at a day it does not hold, with the same answers', async () => {
    for (const asOf of ['2024-04-29', '2024-04-01', '2024-03-01', '2024-02-28', '2024-05-09', '2024-05-10']) {
      const both = await bothPaths(asOf);
      expect(both.read, asOf).toBe(false);
      expect(both.models, asOf).toEqual(both.facts);
    }
  });
});
