import { describe, expect, it } from 'vitest';
import { RULES } from '../rules';
import { SNAPSHOT_RULES } from './snapshot-rules';

describe('the snapshot rules registry', () => {
  it('holds each rule once, and only rules the registry says are checked on the staged tables', () => {
    const keys = SNAPSHOT_RULES.map((r) => r.rule);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(RULES[key].when).toContain('staged');
  });

  it('says for every rule when it is checked', () => {
    for (const rule of Object.values(RULES)) expect(rule.when.length).toBeGreaterThan(0);
  });
});
