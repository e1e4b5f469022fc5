import { describe, expect, it } from 'vitest';
import { grantOf } from './group-mapping';

describe('grantOf: what the mapped groups give', () => {
  it('gives nothing without a mapped group, and nothing across two municipalities', () => {
    expect(grantOf([])).toBe('no_group');
    expect(
      grantOf([
        { municipality: 461, role: 'chef', teams: [] },
        { municipality: 101, role: 'udvalg', teams: [] },
      ]),
    ).toBe('several_municipalities');
  });

  it('takes the widest role and the teams of every group with that role', () => {
    expect(
      grantOf([
        { municipality: 461, role: 'teamleder', teams: ['Team Syd'] },
        { municipality: 461, role: 'udvalg', teams: [] },
        { municipality: 461, role: 'teamleder', teams: ['Team Øst', 'Team Syd'] },
      ]),
    ).toEqual({ role: 'teamleder', municipality: 461, teams: ['Team Syd', 'Team Øst'] });
    expect(
      grantOf([
        { municipality: 461, role: 'teamleder', teams: ['Team Syd'] },
        { municipality: 461, role: 'admin', teams: [] },
        { municipality: 461, role: 'chef', teams: [] },
      ]),
    ).toEqual({ role: 'admin', municipality: 461, teams: [] });
  });
});
