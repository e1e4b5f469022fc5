import { describe, expect, it } from 'vitest';
import { KPIS, loadSettings, type KpiContext } from '@bu/kpi';
import { readsNational } from '../../apps/api/src/kpi/national';
import { chiefFixture } from '../support/kpi';

// The KPI cache keeps an answer under the national data version (the public statistics, moved by
// a statistics import) only when one of its KPIs reads the statistics (ADR 0070). Which ones do is
// a rule by id (apps/api/src/kpi/national.ts); here every KPI runs on the chief's fixture (with
// statistics-small's population and figures, and a goal on a rate per 1,000 children), and every
// KPI whose SQL names a statistics table must be one the rule names.
const STATISTICS = /\b(population|municipal_statistic)\b/;

describe('the KPIs that read the public statistics', () => {
  const fixture = chiefFixture('2024-04-30');

  it('are all known to the cache as reading national data', async () => {
    await fixture
      .db()
      .pool.query(
        `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES (461, 'activity.notifications_per_1000', 'Færre underretninger', '<=', 50, 5)`,
      );
    const reading: string[] = [];
    for (const kpi of KPIS) {
      const sqls: string[] = [];
      const base = fixture.ctx();
      const ctx: KpiContext = {
        ...base,
        query: (sql, params) => {
          sqls.push(sql);
          return base.query(sql, params);
        },
      };
      ctx.settings = await loadSettings(ctx.query, 461);
      await kpi.compute(ctx);
      if (kpi.fraction) await kpi.fraction(ctx);
      if (kpi.children) await kpi.children(ctx);
      if (sqls.some((sql) => STATISTICS.test(sql))) reading.push(kpi.id);
    }
    // Not vacuous: the benchmarks, the rates per 1,000 children and the goal on one of them.
    expect(reading).toContain('benchmark.activity.notifications_per_1000');
    expect(reading).toContain('activity.notifications_per_1000');
    expect(reading).toContain('goal.status');
    expect(reading.filter((id) => !readsNational(id))).toEqual([]);
  });
});
