import { describe, expect, it } from 'vitest';
import { CONNECTIONS } from '@bu/config';
import { STAGING_ROLES } from './staging-session';

describe("an import's connections in the budget (ADR 0097)", () => {
  it('are the staging session, the staging thread and the municipality lock', () => {
    expect(CONNECTIONS.import).toBe(STAGING_ROLES.length + 1 + 1);
  });
});
