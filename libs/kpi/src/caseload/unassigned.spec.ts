import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('caseload', () => {
    it('caseload.unassigned: the handover list — a caseworker who left, an ended assignment, a case never assigned', async () => {
      expect(await value('caseload.unassigned')).toEqual({
        count: 3,
        rows: [
          // BB's employment ended 31-03-2024: nobody active on C5 since 01-04 (29 days to D)
          {
            case: 'C5',
            area: 'Udsatte',
            lastWorker: 'BB',
            team: 'Team Nord',
            reason: 'rådgiver fratrådt',
            since: '2024-04-01',
            days: 29,
          },
          // AA's assignment on C6 ended 31-03-2024
          {
            case: 'C6',
            area: 'Udsatte',
            lastWorker: 'AA',
            team: 'Team Nord',
            reason: 'ingen rådgiver',
            since: '2024-04-01',
            days: 29,
          },
          // C8 opened 15-04-2024 and was never assigned: the intake team's
          {
            case: 'C8',
            area: 'Udsatte',
            lastWorker: null,
            team: 'Modtagelsen',
            reason: 'ingen rådgiver',
            since: '2024-04-15',
            days: 15,
          },
        ],
      });
    });
  });
});
