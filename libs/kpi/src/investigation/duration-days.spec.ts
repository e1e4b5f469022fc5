import { describe, expect, it } from 'vitest';
import { kpiById } from '../registry';
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

// Without a team scope the statement skips the case's team at D; with one it reads it. Both on both
// paths, and the children the median rests on.
describe('investigation.duration_days with and without a team scope', () => {
  const { db, ctx, value } = deadlinesFixture(D);
  const children = async (over: Parameters<typeof ctx>[0] = {}) => {
    const count = kpiById('investigation.duration_days')?.children;
    if (!count) throw new Error('investigation.duration_days counts its children');
    const [live, fromReadModels] = await Promise.all([false, true].map((readModels) => count(ctx({ ...over, readModels }))));
    expect(fromReadModels).toBe(live);
    return live;
  };

  it('counts every investigation of the municipality without a scope, only the scope’s teams with one', async () => {
    // C6 (I5) passes from AA (Team Nord, ended 31-03) to CC (Team Syd) on 01-04: at D it is Team Syd's.
    await db().pool.query(
      `INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from)
       SELECT municipality_code, source, case_id, 'CC', DATE '2024-04-01' FROM child_case WHERE case_id = 'C6'`,
    );
    // No scope: I3 121, I4 122, I5 91 → 121, three children.
    expect(await value('investigation.duration_days')).toBe(121);
    expect(await children()).toBe(3);
    // Team Nord: I3 and I4 → (121 + 122) / 2; Team Syd: I5 → 91; both: all three again.
    expect(await value('investigation.duration_days', { teams: ['Team Nord'] })).toBe((121 + 122) / 2);
    expect(await children({ teams: ['Team Nord'] })).toBe(2);
    expect(await value('investigation.duration_days', { teams: ['Team Syd'] })).toBe(91);
    expect(await children({ teams: ['Team Syd'] })).toBe(1);
    expect(await value('investigation.duration_days', { teams: ['Team Nord', 'Team Syd'] })).toBe(121);
    // The intake team has no investigation; an empty scope is no team, not every team.
    expect(await value('investigation.duration_days', { teams: ['Modtagelsen'] })).toBeNull();
    expect(await value('investigation.duration_days', { teams: [] })).toBeNull();
    expect(await children({ teams: [] })).toBe(0);
  });
});
