import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('notifications in P: 7 (N6 is from 2023), 6 children, one notified twice', async () => {
    expect(await value('activity.notifications')).toBe(7);
    expect(await value('activity.notifications_per_1000')).toBeCloseTo((7 / 40_100) * 1000, 12);
    expect(await value('activity.children_notified')).toBe(6);
    expect(await value('activity.repeat_notification_share')).toBe(1 / 6);
    expect(await value('activity.notifications_by_source')).toEqual({ skole: 3, anonym: 1, dagtilbud: 1, politi: 1, sundhed: 1 });
  });

  it('per 1,000 uses the latest earlier published year when D’s year is not published', async () => {
    // D in 2025: no 2025 population → 2024's 40,100. Notifications received in 2025: none.
    expect(await value('activity.notifications_per_1000', { asOf: '2025-01-31', period: { from: '2025-01-01', to: '2025-01-31' } })).toBe(
      0,
    );
    // No population at all for København (101) in 0-17 år → null, never a division by zero.
    expect(await value('activity.notifications_per_1000', { municipality: 101 })).toBeNull();
  });
});
