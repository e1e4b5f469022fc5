import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('investigations (4 calendar months)', () => {
    it('deadline.investigation_4m: completed in P within start + 4 months', async () => {
      // I3 31-10-2023 + 4 months = 29-02-2024 (clamped, leap year), completed 29-02 → on time;
      // I4 01-11-2023 → due 01-03-2024, completed 02-03 → late; I5 10-01 → due 10-05, completed 10-04 → on time.
      expect(await value('deadline.investigation_4m')).toBe(2 / 3);
    });

    it('deadline.investigation_overdue: open past start + 4 months, and those due within 14 days', async () => {
      // I2 15-12-2023 → due 15-04-2024, 15 days overdue. I6 14-01-2024 → due 14-05-2024, 14 days ahead: due soon.
      // I1 01-02-2024 → due 01-06-2024: neither.
      expect(await value('deadline.investigation_overdue')).toEqual({
        count: 1,
        rows: [
          { investigation: 'I2', case: 'C4', worker: 'AA', team: 'Team Nord', started: '2023-12-15', due: '2024-04-15', daysOverdue: 15 },
        ],
        dueSoon: {
          count: 1,
          rows: [
            {
              investigation: 'I6',
              case: 'C5',
              worker: 'BB',
              team: 'Team Nord',
              started: '2024-01-14',
              due: '2024-05-14',
              daysOverdue: -14,
            },
          ],
        },
      });
    });
  });
});
