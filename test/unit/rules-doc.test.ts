import { readFileSync } from 'fs';
import { resolve } from 'path';
import { describe, expect, it } from 'vitest';
import { listRules } from '@bu/etl';

describe('the validation rules', () => {
  it('are all listed in docs/ETL.md with their text', () => {
    const doc = readFileSync(resolve(__dirname, '../../docs/ETL.md'), 'utf8');
    for (const rule of listRules()) {
      expect(doc).toContain(`| ${rule.id} |`);
      expect(doc).toContain(rule.title);
    }
  });

  it('have unique ids', () => {
    const ids = listRules().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
