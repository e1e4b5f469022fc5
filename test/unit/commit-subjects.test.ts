import { execFileSync } from 'child_process';
import { resolve } from 'path';
import { describe, expect, it } from 'vitest';

// The commit convention (CONTRIBUTING.md): a subject of at most 72 characters, so `git log
// --oneline` stays readable. Checked from the commit that introduced the convention on.
const ROOT = resolve(__dirname, '../..');
const SINCE = '1014aff'; // "Format the code with Prettier"

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null; // not a git checkout, or a shallow one without that commit
  }
}

const known = git('cat-file', '-e', `${SINCE}^{commit}`) !== null;

describe('commit subjects', () => {
  it.skipIf(!known)('are at most 72 characters since the convention was written down', () => {
    const subjects = (git('log', '--format=%s', `${SINCE}^..HEAD`) ?? '').split('\n').filter(Boolean);
    expect(subjects.length).toBeGreaterThan(0);
    expect(subjects.filter((s) => s.length > 72)).toEqual([]);
  });
});
