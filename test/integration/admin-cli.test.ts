import { spawn, spawnSync } from 'child_process';
import { resolve } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hotp, totpStep } from '../../apps/api/src/auth/totp';
import { addUser } from '../../scripts/lib/users';
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

  it('refuses a name that exists unless --replace is given, and never a single sign-on user', async () => {
    expect(admin(['user', 'add', 'carl', '--role', 'chef', '--municipality', '461'], 'forste-adgangskode').status).toBe(0);
    // Typed again, without --municipality: it would have made carl a national administrator.
    const again = admin(['user', 'add', 'carl', '--role', 'admin'], 'anden-adgangskode');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('Brugeren carl findes allerede (chef, kommune 461). Tilføj --replace');
    const carl = async () => (await db.pool.query(`SELECT role, municipality_code AS m FROM app_user WHERE username = 'carl'`)).rows;
    expect(await carl()).toEqual([{ role: 'chef', m: 461 }]);
    const app = await startTestApi(db);
    try {
      const login = (password: string) => request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'carl', password });
      await login('forste-adgangskode').expect(200);
      const replaced = admin(['user', 'add', 'carl', '--role', 'udvalg', '--municipality', '461', '--replace'], 'anden-adgangskode');
      expect(replaced.status).toBe(0);
      expect(replaced.stdout).toContain('Bruger carl (udvalg) er ændret; brugerens sessioner er afsluttet.');
      await login('forste-adgangskode').expect(401);
      await login('anden-adgangskode').expect(200);
    } finally {
      await app.close();
    }
    await db.pool.query(
      `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id) VALUES ('dorte@kommune.dk', 'chef', 461, 'oidc', 'idp|dorte')`,
    );
    const sso = admin(['user', 'add', 'dorte@kommune.dk', '--role', 'admin', '--replace'], 'en-lang-adgangskode');
    expect(sso.status).toBe(1);
    expect(sso.stderr).toContain('Brugeren dorte@kommune.dk logger ind med organisationens konto; den ændres ikke her.');
  });

  it('decides in the writing statement itself, so a login between the check and the write changes nothing', async () => {
    // As if the first single sign-on login of the name came while the password was being typed.
    await db.pool.query(
      `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id) VALUES ('frida', 'chef', 461, 'saml', 'idp|frida')`,
    );
    const frida = { username: 'frida', password: 'en-lang-adgangskode', role: 'admin' as const, municipality: null };
    expect(await addUser(db.pool, frida, 'new')).toBe(false);
    expect(await addUser(db.pool, frida, 'password-user')).toBe(false);
    expect((await db.pool.query(`SELECT role, municipality_code AS m, password_hash FROM app_user WHERE username = 'frida'`)).rows).toEqual(
      [{ role: 'chef', m: 461, password_hash: null }],
    );
  });

  it('reads the password from a terminal without showing it', async () => {
    // util-linux `script` gives the command a terminal; what the terminal shows is its output. The
    // password is typed once the prompt is there, as a person would.
    const command = `${process.execPath} tools/run.js scripts/admin.ts user add erik --role chef --municipality 461`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
    let shown = '';
    child.stdout.on('data', (d) => {
      shown += d;
      if (shown.endsWith('Adgangskode: ')) child.stdin.write('hemmelig-adgangskode\r');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(shown).toContain('Bruger erik (chef) er oprettet.');
    expect(shown).not.toContain('hemmelig');
    expect(code).toBe(0);
    expect((await db.pool.query(`SELECT role FROM app_user WHERE username = 'erik'`)).rows).toEqual([{ role: 'chef' }]);
  }, 60_000);

  describe('user totp: a one-time code as the second factor (ADR 0116)', () => {
    const fromBase32 = (text: string) => {
      let bits = '';
      for (const ch of text.replace(/\s+/g, '')) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(ch).toString(2).padStart(5, '0');
      return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    };
    /** Runs `user totp`, answering its prompt with what `answer` makes of the key it showed. */
    const enrol = async (args: string[], answer: (secret: Buffer) => string) => {
      const child = spawn(process.execPath, ['tools/run.js', 'scripts/admin.ts', 'user', 'totp', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url },
      });
      let stdout = '';
      let stderr = '';
      let secret: Buffer | undefined;
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => {
        stderr += d;
        const key = /eller med nøglen:\s+([A-Z2-7 ]+)\n/.exec(stdout)?.[1];
        if (key && !secret && stderr.includes('Skriv den første kode')) {
          secret = fromBase32(key);
          child.stdin.end(`${answer(secret)}\n`);
        }
      });
      const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { status, stdout, stderr, secret };
    };
    const stored = async (username: string) =>
      (
        await db.pool.query(
          `SELECT totp_secret AS secret, totp_last_step AS step, token_version AS version FROM app_user WHERE username = $1`,
          [username],
        )
      ).rows[0];

    it("shows the key once and stores it when the app's first code matches; that code does not log in again", async () => {
      await addUser(db.pool, { username: 'lars', password: 'en-lang-adgangskode', role: 'admin' });
      const before = await stored('lars');
      const result = await enrol(['lars'], (secret) => hotp(secret, totpStep()));
      expect(result.stderr).not.toMatch(/Error|passer ikke/);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/otpauth:\/\/totp\/B%C3%B8rneblik%3Alars\?secret=[A-Z2-7]{32}&issuer=/);
      expect(result.stdout).toContain('Bruger lars logger nu ind med adgangskode og engangskode; brugerens sessioner er afsluttet.');
      const after = await stored('lars');
      expect(after.secret.equals(result.secret)).toBe(true);
      expect(Number(after.step)).toBeGreaterThanOrEqual(totpStep() - 1);
      expect(after.version).toBe(before.version + 1);
      const app = await startTestApi(db, { secondFactor: 'national' });
      try {
        const login = (code?: string) =>
          request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'lars', password: 'en-lang-adgangskode', code });
        // The code typed at the terminal was used there; the next step's logs in.
        await login(hotp(result.secret!, Number(after.step))).expect(401);
        await login(hotp(result.secret!, Number(after.step) + 1)).expect(200);
      } finally {
        await app.close();
      }
    }, 60_000);

    it('stores nothing when the code does not match, and refuses an unknown or single sign-on user', async () => {
      await addUser(db.pool, { username: 'mette', password: 'en-lang-adgangskode', role: 'admin' });
      const wrong = await enrol(['mette'], (secret) => String((Number(hotp(secret, totpStep())) + 1) % 1_000_000).padStart(6, '0'));
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain('Koden passer ikke til nøglen (eller tog mere end et minut); intet er ændret. Prøv igen.');
      expect((await stored('mette')).secret).toBeNull();
      const unknown = admin(['user', 'totp', 'findes-ikke'], '');
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('Brugeren findes-ikke findes ikke');
      await db.pool.query(
        `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id) VALUES ('sso-sara', 'chef', 461, 'oidc', 'idp|sara')`,
      );
      const sso = admin(['user', 'totp', 'sso-sara'], '');
      expect(sso.status).toBe(1);
      expect(sso.stderr).toContain('logger ind med organisationens konto');
      expect(admin(['user', 'totp', 'mette', '--force'], '').stderr).toContain('Brug: npm run admin -- user totp <navn> [--remove]');
    }, 60_000);

    it('removes the factor with --remove, ending the sessions', async () => {
      await addUser(db.pool, { username: 'niels', password: 'en-lang-adgangskode', role: 'chef', municipality: 461 });
      expect((await enrol(['niels'], (secret) => hotp(secret, totpStep()))).status).toBe(0);
      const before = await stored('niels');
      const removed = admin(['user', 'totp', 'niels', '--remove'], '');
      expect(removed.status).toBe(0);
      expect(removed.stdout).toContain('Bruger niels har ikke længere en engangskode; brugerens sessioner er afsluttet.');
      const after = await stored('niels');
      expect([after.secret, after.step, after.version]).toEqual([null, null, before.version + 1]);
    }, 60_000);

    it('names the command when a national administrator is made', () => {
      const made = admin(['user', 'add', 'olga', '--role', 'admin'], 'en-lang-adgangskode');
      expect(made.stdout).toContain('En national administrator logger ind med en engangskode: npm run admin -- user totp olga');
    });
  });
});
