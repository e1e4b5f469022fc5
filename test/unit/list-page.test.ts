import { describe, expect, it } from 'vitest';
import { ListQueryError, pageList, parseListQuery, unknownFields } from '@bu/kpi';

const list = {
  count: 4,
  rows: [
    { case: 'C10', worker: 'AA', team: 'Team Nord', daysOverdue: 3 },
    { case: 'C9', worker: null, team: 'Team Syd', daysOverdue: 40 },
    { case: 'C2', worker: 'ÅB', team: 'Team Nord', daysOverdue: 3 },
    { case: 'C1', worker: 'BB', team: 'Team Syd', daysOverdue: null as number | null },
  ],
};
const q = (raw: Parameters<typeof parseListQuery>[0]) => parseListQuery(raw)!;

describe('paging, sorting and filtering a list KPI', () => {
  it('is no query at all without parameters', () => {
    expect(parseListQuery({})).toBeNull();
  });

  it('sorts numbers as numbers, descending with "-", ties by the next key, missing values last both ways', () => {
    expect(pageList(list, q({ sort: '-daysOverdue,case' })).rows.map((r) => r.case)).toEqual(['C9', 'C2', 'C10', 'C1']);
    expect(pageList(list, q({ sort: 'daysOverdue,case' })).rows.map((r) => r.case)).toEqual(['C2', 'C10', 'C9', 'C1']);
  });

  it('sorts text the Danish way with numbers in it in order (C2 before C10; AA is Å, after B)', () => {
    expect(pageList(list, q({ sort: 'case' })).rows.map((r) => r.case)).toEqual(['C1', 'C2', 'C9', 'C10']);
    // As a Danish phone book: Aabenraa after Vejle, so initials AA after BB, before ÅB.
    expect(pageList(list, q({ sort: 'worker' })).rows.map((r) => r.worker)).toEqual(['BB', 'AA', 'ÅB', null]);
  });

  it('filters by equality; an empty value finds the rows without one; count is of the filtered rows', () => {
    expect(pageList(list, q({ filter: 'team:Team Syd' }))).toMatchObject({ count: 2, rows: [{ case: 'C9' }, { case: 'C1' }] });
    expect(pageList(list, q({ filter: ['team:Team Syd', 'worker:'] }))).toMatchObject({ count: 1, rows: [{ case: 'C9' }] });
    expect(pageList(list, q({ filter: 'daysOverdue:3' })).count).toBe(2);
  });

  it('pages after sorting and filtering; count stays the whole list', () => {
    expect(pageList(list, q({ sort: 'case', offset: '1', limit: '2' }))).toEqual({
      count: 4,
      offset: 1,
      limit: 2,
      rows: [list.rows[2], list.rows[1]],
    });
    expect(pageList(list, q({ offset: '10' }))).toEqual({ count: 4, offset: 10, limit: null, rows: [] });
  });

  it('keeps a count that is not the number of rows (rejected rows per rule)', () => {
    const rejected = {
      count: 7,
      rows: [
        { rule: 'R001', count: 5 },
        { rule: 'R002', count: 2 },
      ],
    };
    expect(pageList(rejected, q({ filter: 'rule:R002' }), (rows) => rows.reduce((s, r) => s + r.count, 0)).count).toBe(2);
  });

  it('rejects bad numbers and filters, and names fields the list does not have', () => {
    expect(() => parseListQuery({ limit: '0' })).toThrow(ListQueryError);
    expect(() => parseListQuery({ limit: '1001' })).toThrow(/1 til 1000/);
    expect(() => parseListQuery({ offset: '-1' })).toThrow(ListQueryError);
    expect(() => parseListQuery({ filter: 'worker' })).toThrow(/felt:værdi/);
    expect(unknownFields(q({ sort: '-daysOverdue,cpr', filter: 'name:x' }), ['case', 'daysOverdue'])).toEqual(['cpr', 'name']);
  });
});
