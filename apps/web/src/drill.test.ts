import { describe, expect, it } from 'vitest';
import { drillHref, parseHash, rowMatches } from './drill';

describe('drill-down in the address', () => {
  it('reads the view and one filter from the hash, and writes it back', () => {
    expect(parseHash('#/teamleder?worker=EF')).toEqual({ view: 'teamleder', drill: { worker: 'EF' } });
    expect(parseHash('#/teamleder?team=Team%20Nord')).toEqual({ view: 'teamleder', drill: { team: 'Team Nord' } });
    expect(parseHash('#/chef')).toEqual({ view: 'chef', drill: {} });
    expect(parseHash('')).toEqual({ view: '', drill: {} });
    // A caseworker wins over a team when both are given; an empty value is no filter.
    expect(parseHash('#/teamleder?team=X&worker=EF')).toEqual({ view: 'teamleder', drill: { worker: 'EF' } });
    expect(parseHash('#/teamleder?worker=')).toEqual({ view: 'teamleder', drill: {} });
    expect(drillHref({ team: 'Team Nord' })).toBe('#/teamleder?team=Team+Nord');
    expect(parseHash(drillHref({ team: 'Team Nord' }))).toEqual({ view: 'teamleder', drill: { team: 'Team Nord' } });
    expect(drillHref({ worker: 'Æ&Ø' })).toBe('#/teamleder?worker=%C3%86%26%C3%98');
    expect(parseHash(drillHref({ worker: 'Æ&Ø' })).drill).toEqual({ worker: 'Æ&Ø' });
    expect(drillHref({})).toBe('#/teamleder');
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
