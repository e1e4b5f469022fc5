import { describe, expect, it } from 'vitest';
import { DASHBOARDS, type ListColumn } from '@bu/dashboards';
import { kpiById } from '@bu/kpi';

// Issue 17: the team leader acts on a work list by the caseworker who holds each item, so every
// list whose rows name a caseworker shows that column ("Rådgiver"), and every column is a field
// of the list's rows.
const WORKER_FIELDS = ['worker', 'lastWorker'];

describe('work lists', () => {
  const lists = DASHBOARDS.flatMap((d) =>
    d.figures
      .filter((f) => f.chart === 'work-list')
      .flatMap((f) => [
        { where: `${d.id}: ${f.kpi}`, kpi: f.kpi, columns: f.columns ?? [] },
        ...(f.secondary ? [{ where: `${d.id}: ${f.kpi} (${f.secondary.title})`, kpi: f.kpi, columns: f.secondary.columns ?? [] }] : []),
      ]),
  );

  it('show the caseworker wherever the rows name one, as "Rådgiver" by name', () => {
    expect(lists.length).toBeGreaterThan(0);
    for (const list of lists) {
      const fields = kpiById(list.kpi)!.fields ?? [];
      const workerField = fields.find((f) => WORKER_FIELDS.includes(f));
      if (!workerField) continue;
      const column: ListColumn | undefined = list.columns.find((c) => c.key === workerField);
      expect(column, list.where).toBeDefined();
      expect(column!.format, list.where).toBe('worker');
      expect(column!.label, list.where).toMatch(/rådgiver/i);
    }
  });

  it("on the team leader's view: every list has the caseworker column", () => {
    const teamleder = lists.filter((l) => l.where.startsWith('teamleder:'));
    expect(teamleder.length).toBeGreaterThanOrEqual(8);
    for (const list of teamleder)
      expect(
        list.columns.some((c) => c.format === 'worker'),
        list.where,
      ).toBe(true);
  });

  it('name only fields the rows have', () => {
    for (const list of lists) {
      const fields = kpiById(list.kpi)!.fields ?? [];
      for (const c of list.columns) expect(fields, `${list.where}: ${c.key}`).toContain(c.key);
    }
  });
});
