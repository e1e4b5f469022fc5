import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('investigations (4 calendar months)', () => {
    it('investigation.duration_days: the median of 121, 122 and 91 days', async () => {
      // Completed in P: I3 31-10-2023 → 29-02-2024 = 30 + 31 + 31 + 29 = 121 days; I4 01-11-2023 → 02-03-2024 =
      // 122; I5 10-01 → 10-04 = 21 + 29 + 31 + 10 = 91. Median of 91, 121, 122 → 121.
      expect(await value('investigation.duration_days')).toBe(121);
      // P from 01-03: I4 (completed 02-03) and I5 → (122 + 91) / 2.
      expect(await value('investigation.duration_days', { period: { from: '2024-03-01', to: D } })).toBe((122 + 91) / 2);
      // Nothing completed from 11-04 → null, not 0.
      expect(await value('investigation.duration_days', { period: { from: '2024-04-11', to: D } })).toBeNull();
    });
  });
});
