import { describe, expect, it } from 'vitest';
import { drillHref, linkHref, parseHash, routeHref, rowMatches } from './drill';

describe('drill-down in the address', () => {
  it('reads the view and one filter from the hash, and writes it back', () => {
    expect(parseHash('#/teamleder?worker=EF')).toEqual({ view: 'teamleder', drill: { worker: 'EF' }, filters: {} });
    expect(parseHash('#/teamleder?team=Team%20Nord')).toEqual({ view: 'teamleder', drill: { team: 'Team Nord' }, filters: {} });
    expect(parseHash('#/chef')).toEqual({ view: 'chef', drill: {}, filters: {} });
    expect(parseHash('')).toEqual({ view: '', drill: {}, filters: {} });
    // A caseworker wins over a team when both are given; an empty value is no filter.
    expect(parseHash('#/teamleder?team=X&worker=EF')).toEqual({ view: 'teamleder', drill: { worker: 'EF' }, filters: {} });
    expect(parseHash('#/teamleder?worker=')).toEqual({ view: 'teamleder', drill: {}, filters: {} });
    expect(drillHref({ team: 'Team Nord' })).toBe('#/teamleder?team=Team+Nord');
    expect(parseHash(drillHref({ team: 'Team Nord' }))).toEqual({ view: 'teamleder', drill: { team: 'Team Nord' }, filters: {} });
    expect(drillHref({ worker: 'Æ&Ø' })).toBe('#/teamleder?worker=%C3%86%26%C3%98');
    expect(parseHash(drillHref({ worker: 'Æ&Ø' })).drill).toEqual({ worker: 'Æ&Ø' });
    expect(drillHref({})).toBe('#/teamleder');
  });

  it('reads and writes the filters, so a shared link opens the same figures', () => {
    const hash = '#/chef?municipality=461&asOf=2024-02-29&from=2024-02-01&group=3';
    expect(parseHash(hash)).toEqual({
      view: 'chef',
      drill: {},
      filters: { municipality: 461, asOf: '2024-02-29', from: '2024-02-01', group: 3 },
    });
    expect(routeHref('chef', {}, parseHash(hash).filters)).toBe(hash);
    expect(parseHash('#/chef?group=all').filters).toEqual({ group: 'all' });
    // Filters and a drill-down together; the drill-down keeps the filters it is given.
    expect(drillHref({ worker: 'EF' }, { asOf: '2024-03-31' })).toBe('#/teamleder?asOf=2024-03-31&worker=EF');
    expect(parseHash('#/teamleder?asOf=2024-03-31&worker=EF')).toEqual({
      view: 'teamleder',
      drill: { worker: 'EF' },
      filters: { asOf: '2024-03-31' },
    });
    // What is not a filter's form is no filter: a Danish date, a name for a number.
    expect(parseHash('#/chef?asOf=29.02.2024&municipality=Aarhus&from=&group=x').filters).toEqual({});
  });

  it('keeps the chosen municipality and dates in a link to another view or page, beside its own parameters', () => {
    const filters = { municipality: 461, asOf: '2024-02-29' };
    expect(linkHref('sagsgennemgang/7/S%201', {}, filters)).toBe('#/sagsgennemgang/7/S%201?municipality=461&asOf=2024-02-29');
    expect(parseHash(linkHref('sagsgennemgang/7', {}, filters))).toEqual({ view: 'sagsgennemgang/7', drill: {}, filters });
    expect(linkHref('admin/indlaesninger', { import: '12' }, { municipality: 101 })).toBe(
      '#/admin/indlaesninger?municipality=101&import=12',
    );
    // No filter chosen: the plain address, as before.
    expect(linkHref('datakvalitet', {}, {})).toBe('#/datakvalitet');
    // Outside a browser there is no address to read: no filters.
    expect(linkHref('datakvalitet')).toBe('#/datakvalitet');
  });

  it('keeps a work-list row by its caseworker (or, on the handover list, its last caseworker) or its team', () => {
    expect(rowMatches({ case: 'C1', worker: 'EF', team: 'Team Syd' }, { worker: 'EF' })).toBe(true);
    expect(rowMatches({ case: 'C1', worker: 'IJ', team: 'Team Syd' }, { worker: 'EF' })).toBe(false);
    expect(rowMatches({ case: 'C1', worker: null, team: 'Modtagelsen' }, { worker: 'EF' })).toBe(false);
    expect(rowMatches({ case: 'C6', lastWorker: 'EF', team: 'Team Syd' }, { worker: 'EF' })).toBe(true);
    expect(rowMatches({ case: 'C1', worker: 'EF', team: 'Team Syd' }, { team: 'Team Syd' })).toBe(true);
    expect(rowMatches({ case: 'C1', worker: 'EF', team: 'Team Syd' }, { team: 'Team Nord' })).toBe(false);
    expect(rowMatches({ case: 'C1' }, {})).toBe(true);
  });
});
