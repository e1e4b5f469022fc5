import { describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { deadlinesFixture } from '../../../test/support/kpi';
import { answerMemo, kpiById, type KpiContext } from '@bu/kpi';

// Sibling KPIs that compute the same rows share one statement per answer (ADR 0079): with the
// answer's memo each group sends its shared statements once, and every KPI's value (and a
// share's counts) is the one it has computed alone, without a memo. On test/fixtures/dubu-deadlines
// at D = 30-04-2024, on both paths (facts, read models), for the chief and a team leader.
const D = '2024-04-30';
const GROUPS: { kpis: string[]; statements: number }[] = [
  { kpis: ['deadline.supervision_overdue', 'deadline.supervision_due_soon'], statements: 1 },
  { kpis: ['deadline.followup_overdue', 'deadline.followup_due_soon'], statements: 1 },
  { kpis: ['caseload.open_cases', 'caseload.vs_norm', 'caseload.weighted'], statements: 1 },
  // The two started-in-P shares in one statement, the other two one each, and the breakdown's list of teams.
  {
    kpis: [
      'deadline.notification_24h',
      'deadline.investigation_4m',
      'deadline.plan_on_time',
      'deadline.child_conversation',
      'deadline.compliance_by_team',
    ],
    statements: 4,
  },
];

describe('sibling KPIs share one statement per answer', () => {
  const { db, ctx } = deadlinesFixture(D);

  /** Each KPI's value and counts in `context`, and how many statements they sent. */
  const compute = async (ids: string[], context: KpiContext) => {
    let sent = 0;
    const counted: KpiContext = { ...context, query: (sql, params) => (sent++, context.query(sql, params)) };
    const values = [];
    for (const id of ids) {
      const kpi = kpiById(id)!;
      values.push({ id, value: await kpi.compute(counted), fraction: await kpi.fraction?.(counted) });
    }
    return { values, sent };
  };

  for (const readModels of [false, true])
    for (const teams of [undefined, ['Team Nord']])
      it(`${readModels ? 'read models' : 'facts'}, ${teams ? 'a team' : 'every team'}`, async () => {
        if (readModels) expect(await buildReadModels(db().pool, 461)).not.toBeNull();
        for (const { kpis, statements } of GROUPS) {
          const alone = [];
          for (const id of kpis) alone.push(...(await compute([id], ctx({ readModels, teams }))).values);
          const together = await compute(kpis, ctx({ readModels, teams, shared: answerMemo() }));
          expect(together.values, kpis.join(', ')).toEqual(alone);
          expect(together.sent, kpis.join(', ')).toBe(statements);
        }
      });

  it('the lists are not empty here, so the test compares rows', async () => {
    const rows = async (id: string) => ((await kpiById(id)!.compute(ctx({ shared: answerMemo() }))) as { count: number }).count;
    for (const id of [
      'deadline.supervision_overdue',
      'deadline.supervision_due_soon',
      'deadline.followup_overdue',
      'deadline.followup_due_soon',
    ])
      expect(await rows(id), id).toBeGreaterThan(0);
  });
});
