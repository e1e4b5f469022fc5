import { describe, expect, it } from 'vitest';
import { kpiById } from '@bu/kpi';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('caseload', () => {
    it('caseload.vs_norm: Σ children per area / norm (Udsatte 40, Handicap 55)', async () => {
      // AA: Udsatte C1, C2, C4 = 3/40 + Handicap C3 = 1/55; BB: 1/40; CC: 2/40
      const ratio = (await value('caseload.vs_norm')) as Record<string, number>;
      expect(ratio.AA).toBeCloseTo(3 / 40 + 1 / 55, 12);
      expect(ratio.BB).toBeCloseTo(1 / 40, 12);
      expect(ratio.CC).toBeCloseTo(2 / 40, 12);
      expect(kpiById('caseload.vs_norm')!.light!({ 'caseload.light': { green: 1, yellow: 1.15 } } as never)).toEqual({
        green: 1,
        yellow: 1.15,
      });
    });
  });
});
