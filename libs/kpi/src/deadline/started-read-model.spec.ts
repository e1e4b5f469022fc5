import { beforeAll, describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// deadline.plan_on_time and deadline.child_conversation from the started_measure read model (ADR
// 0102) against the facts (`value` computes both paths and requires them equal), with measures
// written here, started from March 2024 (no measure of the fixture that the two rules judge starts
// then) or in the second half of December 2023: a plan on another case of the child, dated after D
// but in the window (known only from its date on); a decision after the start, so that a
// conversation in its window can be after D; a conversation on the window's first day and one the
// day after it ends; Serviceloven plans on and one day before start − 12 months; an economic
// benefit, which neither rule judges.
const D = '2024-04-30';

describe('plan and child conversation shares from the read model', () => {
  const { db, value } = deadlinesFixture(D);
  const at = (asOf: string, from: string) => ({ asOf, period: { from, to: asOf } });

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CQ1', 'pq1', 'Udsatte', '2024-01-01', NULL),
      (461, 'dubu', 'CQ2', 'pq1', 'Handicap', '2023-01-01', NULL),
      (461, 'dubu', 'CQ3', 'pq2', 'Udsatte', '2024-01-01', NULL),
      (461, 'dubu', 'CQ4', 'pq3', 'Udsatte', '2024-01-01', NULL),
      (461, 'dubu', 'CQ5', 'pq4', 'Udsatte', '2023-01-01', NULL),
      (461, 'dubu', 'CQ6', 'pq5', 'Udsatte', '2023-01-01', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, family_care, decided, started, ended, monthly_cost) VALUES
      (461, 'dubu', 'YQ1', 'CQ1', 'Opholdssted', 'placement', false, '2024-03-10', '2024-03-15', NULL, 100),
      (461, 'dubu', 'YQ2', 'CQ3', 'Aflastning', 'preventive', false, NULL, '2024-04-02', NULL, 100),
      (461, 'dubu', 'YQ3', 'CQ1', 'Merudgifter', 'economic', false, NULL, '2024-03-20', NULL, 100),
      (461, 'dubu', 'YQ4', 'CQ4', 'Familiebehandling', 'preventive', false, '2024-05-15', '2024-03-01', NULL, 100),
      (461, 'dubu', 'YQ5', 'CQ5', 'Døgninstitution', 'placement', false, NULL, '2023-12-31', NULL, 100),
      (461, 'dubu', 'YQ6', 'CQ6', 'Døgninstitution', 'placement', false, NULL, '2023-12-20', NULL, 100)`);
    await q(`INSERT INTO action_plan (municipality_code, source, plan_id, case_id, plan_date) VALUES
      (461, 'dubu', 'PQ1', 'CQ2', '2024-05-20'),
      (461, 'dubu', 'PQ5', 'CQ5', '2022-12-31'),
      (461, 'dubu', 'PQ6', 'CQ6', '2022-12-19')`);
    await q(`INSERT INTO child_conversation (municipality_code, source, case_id, conversation_date) VALUES
      (461, 'dubu', 'CQ2', '2023-09-10'),
      (461, 'dubu', 'CQ3', '2024-04-03'),
      (461, 'dubu', 'CQ4', '2024-05-01')`);
  });

  it('deadline.plan_on_time: a plan counts from its date on; pending while the limit is after D', async () => {
    // P 01-03-2024 .. D: YQ1 (Barnets Lov, limit 15-06-2024; PQ1 on the child's other case dated
    // 20-05-2024, after D), YQ2 (limit 02-07-2024), YQ4 (limit 01-06-2024): all pending → 0 of 0.
    expect(await value('deadline.plan_on_time', at(D, '2024-03-01'))).toBeNull();
    // D 20-05-2024, PQ1's own date: YQ1 on time; YQ2 and YQ4 still pending → 1/1.
    expect(await value('deadline.plan_on_time', at('2024-05-20', '2024-03-01'))).toBe(1);
    // D 30-06-2024: YQ1 on time, YQ2 pending, YQ4 late (limit passed, no plan) → 1/2.
    expect(await value('deadline.plan_on_time', at('2024-06-30', '2024-03-01'))).toBe(1 / 2);
    // D 31-07-2024: YQ2's limit has passed too → 1/3. YQ3, an economic benefit, is never judged.
    expect(await value('deadline.plan_on_time', at('2024-07-31', '2024-03-01'))).toBe(1 / 3);
    // Serviceloven, P 15-12-2023 .. 31-12-2023: YQ5's plan on start − 12 months (31-12-2022) is in the
    // closed window, YQ6's on 19-12-2022 one day before it → 1/2.
    expect(await value('deadline.plan_on_time', { period: { from: '2023-12-15', to: '2023-12-31' } })).toBe(1 / 2);
  });

  it('deadline.child_conversation: a conversation counts from its date on, in the 6 months up to the decision', async () => {
    // D: YQ1 held (10-09-2023 = its decision 10-03-2024 − 6 months, the window's first day);
    // YQ2 not (03-04-2024 is the day after its start, no decision); YQ4 not yet (01-05-2024 is after D,
    // before its decision 15-05-2024) → 1/3.
    expect(await value('deadline.child_conversation', at(D, '2024-03-01'))).toBe(1 / 3);
    // D 30-06-2024: YQ4's conversation is known now → 2/3.
    expect(await value('deadline.child_conversation', at('2024-06-30', '2024-03-01'))).toBe(2 / 3);
    // The team scope: the cases have no caseworker, so they are the intake team's, not Team Nord's.
    expect(await value('deadline.child_conversation', { ...at('2024-06-30', '2024-03-01'), teams: ['Team Nord'] })).toBeNull();
  });
});
