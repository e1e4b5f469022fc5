import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { answerMemo, DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { deadlinesFixture, heldDays } from '../../../../test/support/kpi';

// The caseload read model (ADR 0100) against the facts: the three caseload KPIs at every day it
// holds (the month ends of three years up to the export, and the export date) and at days it does
// not hold (read from the facts), with cases written here for the edges: a child with two cases
// with one caseworker (a placement on a leap day, an investigation completed on a month end, a
// preventive measure), one case in each of two areas, a one-day case on a month end, a caseworker
// who holds cases in two case systems and is in a different team in each, and a caseworker the
// caseworker table does not know.
const D = '2024-04-30';
const KPIS = ['caseload.open_cases', 'caseload.vs_norm', 'caseload.weighted'];

describe('caseload from the read model', () => {
  const { db, ctx } = deadlinesFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO caseworker (municipality_code, source, worker_id, name, team, job_title, employed_from, employed_to) VALUES
      (461, 'dubu', 'RB', 'Rikke Bak', 'Team Syd', 'Rådgiver', '2020-01-01', NULL),
      (461, 'csc', 'RB', 'Rikke Bak', 'Team Nord', 'Rådgiver', '2020-01-01', NULL)`);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CZ1', 'pz1', 'Udsatte', '2023-01-31', NULL),
      (461, 'dubu', 'CZ2', 'pz1', 'Handicap', '2023-05-01', '2024-01-31'),
      (461, 'csc', 'CZ3', 'pz2', 'Udsatte', '2022-12-31', NULL),
      (461, 'dubu', 'CZ4', 'pz3', 'Udsatte', '2023-03-31', '2023-03-31'),
      (461, 'dubu', 'CZ5', 'pz4', 'Handicap', '2024-04-30', NULL)`);
    // CZ3's caseworker in CSC ends 31-12-2023; nobody from then on (CSC's SB_SKIFT: an empty worker).
    await q(`INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to) VALUES
      (461, 'dubu', 'CZ1', 'RB', '2023-01-31', NULL),
      (461, 'dubu', 'CZ2', 'RB', '2023-05-01', NULL),
      (461, 'csc', 'CZ3', 'RB', '2022-12-31', '2023-12-31'),
      (461, 'csc', 'CZ3', '', '2024-01-01', NULL),
      (461, 'dubu', 'CZ4', 'RB', '2023-03-31', '2023-03-31'),
      (461, 'dubu', 'CZ5', 'RX', '2024-04-30', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, family_care, started, ended, monthly_cost) VALUES
      (461, 'dubu', 'YZ1', 'CZ1', 'Opholdssted', 'placement', false, '2024-02-29', '2024-02-29', 100),
      (461, 'dubu', 'YZ2', 'CZ2', 'Aflastning', 'preventive', false, '2023-05-31', NULL, 100),
      (461, 'dubu', 'YZ3', 'CZ4', 'Plejefamilie', 'placement', true, '2023-03-31', NULL, 100)`);
    await q(`INSERT INTO investigation (municipality_code, source, investigation_id, case_id, started, completed) VALUES
      (461, 'dubu', 'IZ1', 'CZ1', '2023-06-01', '2024-03-31')`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /** A context that notes whether a statement read the caseload read model. */
  function noting(over: Partial<KpiContext>): { context: KpiContext; readModel: () => boolean } {
    let read = false;
    const base = ctx(over);
    const context: KpiContext = {
      ...base,
      query: async <T>(sql: string, params?: unknown[]) => {
        const rows = await base.query<T>(sql, params);
        // Not the one row without a caseworker that says the read model does not hold D.
        const held = rows.length !== 1 || (rows[0] as { worker_id: unknown }).worker_id !== null;
        if (sql.includes('caseload_day_worker') && held) read = true;
        return rows;
      },
    };
    return { context, readModel: () => read };
  }

  /** The KPIs' values on both paths at D, and whether the read-model path read the read model. */
  async function bothPaths(asOf: string, over: Partial<KpiContext> = {}): Promise<{ differences: string[]; read: boolean }> {
    const differences: string[] = [];
    let read = false;
    for (const memo of [false, true]) {
      const facts: unknown[] = [];
      const models: unknown[] = [];
      const onFacts = noting({ ...over, asOf, readModels: false, shared: memo ? answerMemo() : undefined });
      const onModels = noting({ ...over, asOf, readModels: true, shared: memo ? answerMemo() : undefined });
      for (const id of KPIS) {
        facts.push(await kpiById(id)!.compute(onFacts.context));
        models.push(await kpiById(id)!.compute(onModels.context));
      }
      expect(onFacts.readModel()).toBe(false);
      read = onModels.readModel();
      if (JSON.stringify(facts) !== JSON.stringify(models))
        differences.push(`${asOf} ${JSON.stringify(over)} memo=${memo}: ${JSON.stringify(facts)} / ${JSON.stringify(models)}`);
    }
    return { differences, read };
  }

  it('holds the month ends of the three years up to the export, the export date among them', () => {
    // Exported 30-04-2024, itself a month end: 30-04-2021 .. 30-04-2024, the leap day 29-02-2024 too.
    expect(held).toHaveLength(37);
    expect(held[0]).toBe('2021-04-30');
    expect(held.at(-1)).toBe(D);
    expect(held).toContain('2024-02-29');
    expect(held).toContain('2023-02-28');
  });

  it('gives what the facts give at every day it holds, scoped, unscoped and with other weights', async () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      // "None" above the rest: a child's weight is the highest of its class and "none".
      'caseload.weights': { placement: 1, investigation: 2, preventive: 0.5, none: 3 },
    };
    const differences: string[] = [];
    for (const asOf of held) {
      for (const over of [{}, { teams: ['Team Nord'] }, { teams: ['Team Syd'] }, { settings }]) {
        const both = await bothPaths(asOf, over);
        expect(both.read, `${asOf} ${JSON.stringify(over)}`).toBe(true);
        differences.push(...both.differences);
      }
    }
    expect(differences).toEqual([]);
  });

  it('reads the facts at a day it does not hold, with the same answers', async () => {
    for (const asOf of ['2024-04-29', '2024-03-01', '2024-02-28', '2023-12-30', '2021-03-31', '2024-05-31']) {
      const both = await bothPaths(asOf);
      expect(both.read, asOf).toBe(false);
      expect(both.differences).toEqual([]);
    }
  });

  it('counts by hand at 31-12-2023 and on the leap day', async () => {
    const value = async (id: string, asOf: string, over: Partial<KpiContext> = {}) =>
      (await kpiById(id)!.compute(ctx({ ...over, asOf, readModels: true, shared: answerMemo() }))) as Record<string, number>;
    // 31-12-2023: RB holds CZ1 (pz1, Udsatte, investigation IZ1 open), CZ2 (pz1, Handicap,
    // preventive YZ2) and, in CSC, CZ3 (pz2, Udsatte, nothing on it; its assignment's last day).
    // Children: pz1, pz2 = 2. Per area: Udsatte 2 / 40 + Handicap 1 / 55. Weighted: pz1's class is
    // investigation and preventive → 1.2; pz2 none → 0.5; 1.7, once although RB is in two teams.
    expect((await value('caseload.open_cases', '2023-12-31')).RB).toBe(2);
    expect((await value('caseload.vs_norm', '2023-12-31')).RB).toBeCloseTo(2 / 40 + 1 / 55, 12);
    expect((await value('caseload.weighted', '2023-12-31')).RB).toBeCloseTo(1.7, 12);
    // In either team's scope RB is listed (CSC's team Nord, DUBU's team Syd) with the same figures.
    expect((await value('caseload.weighted', '2023-12-31', { teams: ['Team Nord'] })).RB).toBeCloseTo(1.7, 12);
    expect((await value('caseload.open_cases', '2023-12-31', { teams: ['Team Syd'] })).RB).toBe(2);
    // 29-02-2024: CZ2 closed 31-01, CZ3 has nobody since 01-01: RB holds CZ1 alone, with the one-day
    // placement YZ1 and the open investigation IZ1 → 1.5.
    expect((await value('caseload.open_cases', '2024-02-29')).RB).toBe(1);
    expect((await value('caseload.weighted', '2024-02-29')).RB).toBeCloseTo(1.5, 12);
    // 31-03-2023: the one-day case CZ4 (pz3, placement YZ3 begun that day) and CZ1 (pz1, nothing on it
    // yet) and CZ3 (pz2): 3 children, 1.5 + 0.5 + 0.5.
    expect((await value('caseload.open_cases', '2023-03-31')).RB).toBe(3);
    expect((await value('caseload.weighted', '2023-03-31')).RB).toBeCloseTo(2.5, 12);
    // 30-04-2024: RX, unknown to the caseworker table, holds CZ5 opened that day: listed with 1 child.
    expect((await value('caseload.open_cases', D)).RX).toBe(1);
  });
  it('holds a mid-month export date and its month end too', async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`UPDATE source_snapshot SET export_date = '2024-04-15' WHERE municipality_code = 461`);
    try {
      expect(await buildReadModels(db().pool, 461)).not.toBeNull();
      const days = await heldDays(db().pool);
      // 30-04-2021 .. 30-04-2024 (the export's month end after it) and 15-04-2024.
      expect(days).toHaveLength(38);
      expect(days.slice(-2)).toEqual(['2024-04-15', D]);
      for (const asOf of ['2024-04-15', D, '2024-03-31']) {
        const both = await bothPaths(asOf);
        expect(both.read, asOf).toBe(true);
        expect(both.differences).toEqual([]);
      }
    } finally {
      await q(`UPDATE source_snapshot SET export_date = '${D}' WHERE municipality_code = 461`);
      await buildReadModels(db().pool, 461);
    }
  });
});
