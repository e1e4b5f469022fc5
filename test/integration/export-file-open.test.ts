import { execFileSync } from 'child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// The import itself refuses what it opens, not only the drop folder's check before it: a link put in
// a checked file's place between the check and the read is never followed (no time of check apart
// from the time of use).
describe('an export file is opened only as a regular file, never through a link', () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  const exportWith = (replace: (path: string) => void): string => {
    const dir = mkdtempSync(join(tmpdir(), 'export-open-'));
    dirs.push(dir);
    cpSync(DUBU_SMALL, dir, { recursive: true });
    unlinkSync(join(dir, 'sager.csv'));
    replace(join(dir, 'sager.csv'));
    return dir;
  };
  /** The small DUBU export imported with its sager.csv replaced. */
  const importWith = (replace: (path: string) => void) =>
    importDubu(db.pool, exportWith(replace), { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
  const cases = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM child_case`)).rows[0].n;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it.each([
    [
      'a symbolic link to a file',
      (path: string) => symlinkSync(join(DUBU_SMALL, 'sager.csv'), path),
      /sager\.csv er en symbolsk henvisning; den følges ikke/,
    ],
    // A named pipe would block a plain open for ever: it is refused at once.
    ['a named pipe', (path: string) => execFileSync('mkfifo', [path]), /sager\.csv er ikke en almindelig fil/],
  ])('%s fails the import with a Danish message, and nothing is written', async (_, replace, message) => {
    const result = await importWith(replace);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(message);
    expect(await cases()).toBe(0);
  });

  it('the same export with the file itself imports', async () => {
    const result = await importWith((path) => cpSync(join(DUBU_SMALL, 'sager.csv'), path));
    expect(result.status).toBe('succeeded');
    expect(await cases()).toBe(11);
  });

  it('a link where the loaded snapshot has the same file fails the import as well (the same-export check is not fooled)', async () => {
    const result = await importWith((path) => symlinkSync(join(DUBU_SMALL, 'sager.csv'), path));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/sager\.csv er en symbolsk henvisning; den følges ikke/);
    const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE id = $1`, [result.importId]);
    expect(rows).toEqual([{ status: 'failed' }]);
    expect(await cases()).toBe(11);
  });
});
