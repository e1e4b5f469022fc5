import { describe, expect, it } from 'vitest';
import { ListQueryError, MAX_FILTERS, MAX_SORT_KEYS, pageList, parseListQuery } from './list-page';

describe('parseListQuery', () => {
  it('keeps the first of a field named twice, and its direction', () => {
    expect(parseListQuery({ sort: '-team, team,worker,,+team,-worker' })?.sort).toEqual([
      { field: 'team', descending: true },
      { field: 'worker', descending: false },
    ]);
  });

  it('refuses more distinct sort keys than a list has useful columns, whatever the repeats', () => {
    const five = 'a,b,c,d,e';
    expect(parseListQuery({ sort: five })?.sort).toHaveLength(MAX_SORT_KEYS);
    expect(() => parseListQuery({ sort: `${five},f` })).toThrow(new ListQueryError('sort kan højst have 5 forskellige felter'));
    // 1,500 repeats of one key are one key: the sort compares it once per pair, not 1,500 times.
    const repeated = ['team', ...Array<string>(1500).fill('team'), 'worker'].join(',');
    expect(parseListQuery({ sort: repeated })?.sort).toEqual([
      { field: 'team', descending: false },
      { field: 'worker', descending: false },
    ]);
  });

  it('refuses more than MAX_FILTERS filters', () => {
    const filters = (n: number) => Array.from({ length: n }, (_, i) => `worker:W${i}`);
    expect(parseListQuery({ filter: filters(MAX_FILTERS) })?.filter).toHaveLength(MAX_FILTERS);
    expect(() => parseListQuery({ filter: filters(MAX_FILTERS + 1) })).toThrow(new ListQueryError('Højst 10 filtre ad gangen'));
  });

  it('refuses an offset or a limit that is not a whole number in range', () => {
    for (const v of ['1.5', '1e3', '-1', '0x10']) expect(() => parseListQuery({ limit: v })).toThrow(ListQueryError);
    expect(() => parseListQuery({ offset: '9'.repeat(20) })).toThrow(ListQueryError);
    expect(parseListQuery({ offset: '20', limit: '10' })).toMatchObject({ offset: 20, limit: 10 });
  });
});

describe('pageList', () => {
  it('sorts by the deduplicated keys, missing values last', () => {
    const list = {
      count: 3,
      rows: [
        { team: 'Syd', worker: 'B' },
        { team: 'Nord', worker: null },
        { team: 'Nord', worker: 'A' },
      ],
    };
    const query = parseListQuery({ sort: 'team,team,worker' })!;
    expect(pageList(list, query).rows).toEqual([
      { team: 'Nord', worker: 'A' },
      { team: 'Nord', worker: null },
      { team: 'Syd', worker: 'B' },
    ]);
  });
});
