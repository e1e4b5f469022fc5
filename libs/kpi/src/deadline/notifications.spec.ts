import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('notifications (24 hours = 86,400 seconds)', () => {
    it('deadline.notification_24h: on time / (assessed + late), young unassessed ones pending', async () => {
      // In P: N1 exactly 24 h → on time; N2 24 h 1 min → late; N3 30-03 12:00 CET → 31-03 12:30 CEST is
      // 23.5 elapsed hours across the spring clock change → on time; N4 unassessed, received more than
      // 24 h before the end of D → late; N5 received 30-04 08:00 → pending; N7 assessed 03-05 (after D,
      // not known at D) → late. N6 was received in 2023. → 2 / 5
      expect(await value('deadline.notification_24h')).toBe(2 / 5);
      // Team Nord (C1-C6): N1, N3 on time; N2, N4 late; N5 pending → 2/4. N7 (C8) is the intake team's.
      expect(await value('deadline.notification_24h', { teams: ['Team Nord'] })).toBe(2 / 4);
      // The intake team: N7 (C8, never assigned) late → 0 / 1 = 0. Team Syd has no notification in P → null.
      expect(await value('deadline.notification_24h', { teams: ['Modtagelsen'] })).toBe(0);
      expect(await value('deadline.notification_24h', { teams: ['Team Syd'] })).toBeNull();
    });

    it('deadline.notification_overdue: not assessed by D, more than 24 hours old', async () => {
      expect(await value('deadline.notification_overdue')).toEqual({
        count: 2,
        rows: [
          {
            notification: 'N7',
            case: 'C8',
            worker: null,
            team: 'Modtagelsen',
            received: '2024-04-01T10:00',
            due: '2024-04-02T10:00',
            daysOverdue: 28,
          },
          {
            notification: 'N4',
            case: 'C4',
            worker: 'AA',
            team: 'Team Nord',
            received: '2024-04-29T23:30',
            due: '2024-04-30T23:30',
            daysOverdue: 0,
          },
        ],
      });
    });

    it('deadline.notification_due_soon: not assessed by D, received within the 24 hours before the end of D', async () => {
      // N5 received 30-04 08:00, not assessed: due 01-05 08:00, after D. N4 (29-04 23:30) ran out at 30-04 23:30: overdue.
      expect(await value('deadline.notification_due_soon')).toEqual({
        count: 1,
        rows: [
          {
            notification: 'N5',
            case: 'C5',
            worker: 'BB',
            team: 'Team Nord',
            received: '2024-04-30T08:00',
            due: '2024-05-01T08:00',
            daysOverdue: -1,
          },
        ],
      });
      // At D = 29-04-2024 N4 (received 23:30 that day) is the pending one; N5 is not received yet.
      expect(
        ((await value('deadline.notification_due_soon', { asOf: '2024-04-29' })) as { rows: { notification: string }[] }).rows.map(
          (r) => r.notification,
        ),
      ).toEqual(['N4']);
    });

    it('a past D shows what was known then: at D = 10-01-2024, N1 and N2 (received 09:00) are pending', async () => {
      expect(await value('deadline.notification_24h', { asOf: '2024-01-10', period: { from: '2024-01-01', to: '2024-01-10' } })).toBeNull();
      expect(await value('deadline.notification_24h', { asOf: '2024-01-11', period: { from: '2024-01-01', to: '2024-01-11' } })).toBe(
        1 / 2,
      );
    });
  });
});
