import { beforeAll, describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';
import { formalAnswers, FORMAL_ITEM_IDS } from './formal';

// The case review's formal items on test/fixtures/dubu-deadlines at D = 30-04-2024 (the fixture the
// deadline KPIs' specs work out by hand), plus case C20 written here for the window's ends and a
// measure without a decision. "The last 12 months" = 30-04-2023 .. 30-04-2024, both ends in.
const D = '2024-04-30';

describe('formal items of the case review', () => {
  const { db, ctx } = deadlinesFixture(D);
  beforeAll(async () => {
    const q = (sql: string, params: unknown[] = []) => db().pool.query(sql, params);
    await q(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'dubu', 'C20', 'p20', 'Udsatte', '2023-01-01')`,
    );
    // A placement started on D − 12 months exactly, with no decision.
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, law, measure_type, family, family_care, started)
             VALUES (461, 'dubu', 'Y20', 'C20', 'SEL', 'Plejefamilie', 'placement', true, '2023-04-30')`);
    // Visits: the day before the window (not alone, not counted), its first day and its last day (D).
    await q(`INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone)
             VALUES (461, 'dubu', 'Y20', '2023-04-29', false), (461, 'dubu', 'Y20', '2023-04-30', true), (461, 'dubu', 'Y20', '2024-04-30', true)`);
    // Notifications: late, the evening before the window; on time, on its first day.
    await q(`INSERT INTO notification (municipality_code, source, notification_id, person_id, case_id, received_at, assessed_at, channel)
             VALUES (461, 'dubu', 'N20', 'p20', 'C20', '2023-04-29 23:00+02', NULL, 'skole'),
                    (461, 'dubu', 'N21', 'p20', 'C20', '2023-04-30 10:00+02', '2023-04-30 12:00+02', 'skole')`);
  });

  const answers = async (item: string) => {
    const cases = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C20'];
    const all = await formalAnswers(
      ctx().query,
      461,
      D,
      cases.map((c) => ({ source: 'dubu', case: c })),
    );
    return Object.fromEntries(cases.map((c) => [c, (all[c] as Record<string, string>)[item]]));
  };

  it('answers every item for every case asked for, and nothing for an unknown case number', async () => {
    const all = await formalAnswers(ctx().query, 461, D, [
      { source: 'dubu', case: 'C1' },
      { source: 'dubu', case: 'X99' },
    ]);
    expect(Object.keys(all.C1).sort()).toEqual([...FORMAL_ITEM_IDS].sort());
    // X99 is no case of 461: the item that wants an investigation says 'nej', the rest have nothing to judge.
    expect(all.X99['formal.investigation_4m']).toBe('nej');
    expect(all.X99['formal.plan_on_time']).toBe('ikke_relevant');
  });

  it('formal.investigation_4m: the latest investigation completed within 4 months, or open and not yet due', async () => {
    // C1 I3 31-10-2023 + 4 months = 29-02-2024, completed 29-02 → ja. C2 I1 open, due 01-06-2024 ≥ D → ja.
    // C3 I4 due 01-03-2024, completed 02-03 → nej. C4 I2 open, due 15-04-2024 < D → nej. C5 I6 open, due 14-05 → ja.
    // C6 I5 completed 10-04, due 10-05 → ja. C7 I7 (2022) completed in time → ja. C8, C9, C20 have no investigation → nej.
    expect(await answers('formal.investigation_4m')).toEqual({
      C1: 'ja',
      C2: 'ja',
      C3: 'nej',
      C4: 'nej',
      C5: 'ja',
      C6: 'ja',
      C7: 'ja',
      C8: 'nej',
      C9: 'nej',
      C20: 'nej',
    });
  });

  it('formal.plan_on_time: every measure started in the last 12 months meets deadline.plan_on_time', async () => {
    // C1 Y1 (BL, 01-02-2024): plan HP1 15-03-2024 within 01-02-2023 .. 01-05-2024 → ja.
    // C3 Y2 (BL): limit 01-05-2024 is after D and no plan: pending → ikke_relevant (Y3 is an economic benefit).
    // C5 Y4 (SEL, 01-11-2023): limit = the start; HP2 01-12-2023 is after it → nej.
    // C6 Y6 (SEL, 01-12-2023): HP3 01-12-2022 = start − 12 months, the window's first day → ja.
    // C2 Y7 is "ukendt"; C7 Y5 and C9 Y8 started before 30-04-2023. C20 Y20 started 30-04-2023 (in), SEL, no plan → nej.
    expect(await answers('formal.plan_on_time')).toEqual({
      C1: 'ja',
      C2: 'ikke_relevant',
      C3: 'ikke_relevant',
      C4: 'ikke_relevant',
      C5: 'nej',
      C6: 'ja',
      C7: 'ikke_relevant',
      C8: 'ikke_relevant',
      C9: 'ikke_relevant',
      C20: 'nej',
    });
  });

  it('formal.child_conversation: every measure decided in the last 12 months had a conversation in the 6 months before', async () => {
    // C1 Y1 decided 01-02-2024: conversation 01-08-2023 = decision − 6 months → ja.
    // C3 Y2 decided 15-01-2024: the conversation on 16-01-2024 is after the decision → nej.
    // C5 Y4 (20-10-2023) and C6 Y6 (01-12-2023): no conversation → nej.
    // C20 Y20 has no decision: its start 30-04-2023 stands in (in the window), no conversation → nej.
    // C7 Y5 and C9 Y8 were decided before the window; C2 Y7 is "ukendt".
    expect(await answers('formal.child_conversation')).toEqual({
      C1: 'ja',
      C2: 'ikke_relevant',
      C3: 'nej',
      C4: 'ikke_relevant',
      C5: 'nej',
      C6: 'nej',
      C7: 'ikke_relevant',
      C8: 'ikke_relevant',
      C9: 'ikke_relevant',
      C20: 'nej',
    });
  });

  it('formal.followup_on_time: no active measure of the case is in deadline.followup_overdue', async () => {
    // As the deadline spec: Y8 (C9) and Y5 (C7) overdue; Y4 (C5) due on D is not overdue; Y1 (C1), Y2 (C3)
    // and Y7 (C2, "ukendt" still counts here) due later. Y6 (C6) ended 31-03-2024: nothing active.
    // C20 Y20: no follow-up, 30-04-2023 + 3 months = 30-07-2023 < D → nej.
    expect(await answers('formal.followup_on_time')).toEqual({
      C1: 'ja',
      C2: 'ja',
      C3: 'ja',
      C4: 'ikke_relevant',
      C5: 'ja',
      C6: 'ikke_relevant',
      C7: 'nej',
      C8: 'ikke_relevant',
      C9: 'nej',
      C20: 'nej',
    });
  });

  it('formal.supervision_visits: placements started on or before D − 12 months have two visits in the window', async () => {
    // C7 Y5: visits 15-09-2023 and 30-10-2023 → ja. C9 Y8: one visit (29-10-2023) → nej.
    // C1 Y1 started 01-02-2024: too recent to judge → ikke_relevant.
    // C20 Y20 started 30-04-2023 = D − 12 months (judged): visits 30-04-2023 and 30-04-2024 count, 29-04-2023 not → ja.
    expect(await answers('formal.supervision_visits')).toEqual({
      C1: 'ikke_relevant',
      C2: 'ikke_relevant',
      C3: 'ikke_relevant',
      C4: 'ikke_relevant',
      C5: 'ikke_relevant',
      C6: 'ikke_relevant',
      C7: 'ja',
      C8: 'ikke_relevant',
      C9: 'nej',
      C20: 'ja',
    });
  });

  it('formal.talked_alone: alone with the child at every visit in the last 12 months', async () => {
    // C7: both visits "Ja" → ja. C9: "Nej" → nej. C20: the visit "not alone" on 29-04-2023 is outside the window → ja.
    expect(await answers('formal.talked_alone')).toEqual({
      C1: 'ikke_relevant',
      C2: 'ikke_relevant',
      C3: 'ikke_relevant',
      C4: 'ikke_relevant',
      C5: 'ikke_relevant',
      C6: 'ikke_relevant',
      C7: 'ja',
      C8: 'ikke_relevant',
      C9: 'nej',
      C20: 'ja',
    });
  });

  it('formal.notification_24h: every notification on the child in the last 12 months assessed within 24 hours', async () => {
    // C1 N1 exactly 24 h → ja. C2 N2 24 h 1 min → nej. C3 N3 30-03 12:00 → 31-03 12:30 across the clock change: 23.5 h → ja.
    // C4 N4 29-04 23:30, not assessed, over 24 h before the end of D → nej. C5 N5 30-04 08:00: pending → ikke_relevant.
    // C6 N6 5 days → nej. C8 N7 assessed 03-05-2024, after D: not known at D, late → nej.
    // C20: N21 on the window's first day in 2 h → ja; N20 the evening before the window is not counted.
    expect(await answers('formal.notification_24h')).toEqual({
      C1: 'ja',
      C2: 'nej',
      C3: 'ja',
      C4: 'nej',
      C5: 'ikke_relevant',
      C6: 'nej',
      C7: 'ikke_relevant',
      C8: 'nej',
      C9: 'ikke_relevant',
      C20: 'ja',
    });
  });

  it('formal.decision_before_start: every active measure has a decision dated on or before its start', async () => {
    // C1 Y1, C7 Y5, C9 Y8 decided on the start; C3 Y2 15-01 before 01-02 (Y3 economic left out); C5 Y4 20-10 before 01-11 → ja.
    // C20 Y20 has no decision → nej. C2 Y7 is "ukendt"; C6 Y6 ended before D.
    expect(await answers('formal.decision_before_start')).toEqual({
      C1: 'ja',
      C2: 'ikke_relevant',
      C3: 'ja',
      C4: 'ikke_relevant',
      C5: 'ja',
      C6: 'ikke_relevant',
      C7: 'ja',
      C8: 'ikke_relevant',
      C9: 'ja',
      C20: 'nej',
    });
  });
});
