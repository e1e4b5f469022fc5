import { spawnSync } from 'child_process';
import { resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../scripts/lib/users';
import { createTestDatabase, TestDatabase } from '../support/database';

// `npm run admin -- user add` reads its flags as `--flag value` or `--flag=value` and refuses any
// other argument before it reads a password or writes anything: a flag it did not understand, left
// out silently, made an administrator national (every municipality), or moved one there with --replace.

const ROOT = resolve(__dirname, '../..');
const PASSWORD = 'en-lang-adgangskode';

describe('npm run admin -- user add: every argument understood, or nothing done', () => {
  let db: TestDatabase;
  const admin = (args: string[]) =>
    spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', ...args], {
      cwd: ROOT,
      input: `${PASSWORD}\n`,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url },
    });
  const user = async (name: string) =>
    (await db.pool.query(`SELECT role, municipality_code AS m FROM app_user WHERE username = $1`, [name])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('takes --flag=value as --flag value: a municipality given so is the user’s, also with --replace', async () => {
    const made = admin(['user', 'add', 'kirsten', '--role=chef', '--municipality=461', '--team=Team Syd']);
    expect([made.status, made.stderr]).toEqual([0, '']);
    expect(await user('kirsten')).toEqual([{ role: 'chef', m: 461 }]);
    await addUser(db.pool, { username: 'mette', password: PASSWORD, role: 'admin', municipality: 461 });
    const replaced = admin(['user', 'add', 'mette', '--role', 'admin', '--municipality=461', '--replace']);
    expect([replaced.status, replaced.stderr]).toEqual([0, '']);
    // Still the municipality's administrator, not a national one.
    expect(await user('mette')).toEqual([{ role: 'admin', m: 461 }]);
  });

  it('refuses an unknown flag, a stray argument, a flag without its value, a value for --replace and a flag given twice', async () => {
    await addUser(db.pool, { username: 'nina', password: PASSWORD, role: 'admin', municipality: 461 });
    const refusals: [string[], string][] = [
      [['user', 'add', 'lone', '--role', 'admin', '--municipalty', '461'], 'Ukendt argument: --municipalty'],
      [['user', 'add', 'lone', '--role', 'admin', '461'], 'Ukendt argument: 461'],
      [['user', 'add', 'lone', '--role', 'admin', '--municipality', '--replace'], '--municipality mangler en værdi.'],
      [
        ['user', 'add', 'lone', '--role', 'admin', '--municipality', 'Silkeborg'],
        '--municipality skal være en kommunekode (fx 461), ikke Silkeborg',
      ],
      [
        ['user', 'add', 'lone', '--role', 'admin', '--municipality', '461', '--municipality', '101'],
        '--municipality er angivet mere end én gang.',
      ],
      [['user', 'add', 'nina', '--role', 'admin', '--municipality=461', '--replace=ja'], '--replace tager ingen værdi: --replace=ja'],
      [['user', 'add', 'nina', '--role', 'admin', '--replace', '--municipalty=461'], 'Ukendt argument: --municipalty=461'],
      [['user', 'disable', 'nina', '--now'], 'Ukendt argument: --now'],
    ];
    for (const [args, message] of refusals) {
      const result = admin(args);
      expect([result.status, result.stdout], args.join(' ')).toEqual([1, '']);
      expect(result.stderr, args.join(' ')).toContain(message);
      // A malformed command line is answered with how to write it.
      if (message.startsWith('Ukendt') || message.includes('værdi')) expect(result.stderr).toContain('Brug: npm run admin -- user');
    }
    // Nothing made, and the municipality's administrator was neither moved nor disabled.
    expect(await user('lone')).toEqual([]);
    expect(await user('nina')).toEqual([{ role: 'admin', m: 461 }]);
    expect((await db.pool.query(`SELECT disabled FROM app_user WHERE username = 'nina'`)).rows).toEqual([{ disabled: false }]);
  });
});
