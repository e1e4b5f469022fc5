import { spawnSync } from 'child_process';
import { resolve } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');

describe('npm run admin -- user add (how a real deployment gets its first users)', () => {
  let db: TestDatabase;
  const admin = (args: string[], password: string) =>
    spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', ...args], {
      cwd: ROOT,
      input: `${password}\n`,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('adds a user whose password, read from standard input, logs in over HTTP with the role and team', async () => {
    const result = admin(
      ['user', 'add', 'anna', '--role', 'teamleder', '--team', 'Team Syd', '--municipality', '461'],
      'en-lang-adgangskode',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Bruger anna (teamleder) er oprettet.');
    const { rows } = await db.pool.query(
      `SELECT role, municipality_code, teams, demo, password_hash FROM app_user WHERE username = 'anna'`,
    );
    expect(rows[0]).toMatchObject({ role: 'teamleder', municipality_code: 461, teams: ['Team Syd'], demo: false });
    expect(rows[0].password_hash).not.toContain('en-lang-adgangskode');
    const app = await startTestApi(db);
    try {
      const res = await request(app.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ username: 'anna', password: 'en-lang-adgangskode' })
        .expect(200);
      expect(res.body.user).toEqual({ username: 'anna', role: 'teamleder', municipalities: [461], teams: ['Team Syd'] });
    } finally {
      await app.close();
    }
  });

  it('refuses a short password, an unknown role and a role without municipality, with a clear message', () => {
    expect(admin(['user', 'add', 'bo', '--role', 'chef', '--municipality', '461'], 'kort').stderr).toContain(
      'Adgangskoden skal være mindst 10 tegn.',
    );
    expect(admin(['user', 'add', 'bo', '--role', 'boss'], 'en-lang-adgangskode').stderr).toContain(
      '--role skal være udvalg, chef, teamleder eller admin',
    );
    const noMunicipality = admin(['user', 'add', 'bo', '--role', 'chef'], 'en-lang-adgangskode');
    expect(noMunicipality.status).toBe(1);
    expect(noMunicipality.stderr).toContain('Rollen chef skal have en kommune (--municipality).');
  });

  it('refuses a team leader without a team (such a user would otherwise see every team)', async () => {
    const noTeam = admin(['user', 'add', 'bo', '--role', 'teamleder', '--municipality', '461'], 'en-lang-adgangskode');
    expect(noTeam.status).toBe(1);
    expect(noTeam.stderr).toContain('En teamleder skal have mindst ét team (--team).');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE username = 'bo'`)).rows[0].n).toBe(0);
  });
});
