import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

// Security review, item 2: a disabled user's right password gets exactly a wrong password's answer,
// so a guesser does not learn that the password was right; the attempt stays counted against the
// username like a wrong one; the audit log (and the server log) keep the real reason.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('login of a disabled user', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const login = (username: string, password: string, ip = '203.0.113.7') =>
    request(app.getHttpServer()).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username, password });
  const answer = (res: request.Response) => ({ status: res.status, body: res.body, retryAfter: res.headers['retry-after'] });
  /** The audit rows of the name, once the background writes are in. */
  const audit = async (username: string, rows: number) => {
    for (let i = 0; i < 50; i++) {
      const found = await db.pool.query(
        `SELECT action, role, municipality_code AS municipality, client_ip AS ip, status, detail FROM audit_log WHERE username = $1 ORDER BY id`,
        [username],
      );
      if (found.rows.length >= rows) return found.rows;
      await sleep(100);
    }
    throw new Error(`fewer than ${rows} audit rows for ${username}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    for (const username of ['spaerret', 'aktiv', 'taeller'])
      await addUser(db.pool, { username, password: PASSWORD, role: 'chef', municipality: 461 });
    await db.pool.query(`UPDATE app_user SET disabled = true WHERE username IN ('spaerret', 'taeller')`);
    app = await startTestApi(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('the right password of a disabled user gets exactly the answer of a wrong password', async () => {
    const wrongOfActive = answer(await login('aktiv', 'forkert-kodeord', '203.0.113.1'));
    const wrongOfDisabled = answer(await login('spaerret', 'forkert-kodeord', '203.0.113.2'));
    const rightOfDisabled = answer(await login('spaerret', PASSWORD, '203.0.113.3'));
    const unknown = answer(await login('findes-ikke', PASSWORD, '203.0.113.4'));
    expect(wrongOfActive).toEqual({
      status: 401,
      body: { statusCode: 401, message: 'Forkert brugernavn eller adgangskode', error: 'Unauthorized' },
      retryAfter: undefined,
    });
    expect(rightOfDisabled).toEqual(wrongOfActive);
    expect(wrongOfDisabled).toEqual(wrongOfActive);
    expect(unknown).toEqual(wrongOfActive);
    expect(JSON.stringify(rightOfDisabled)).not.toContain('spærret');
  });

  it('the audit log keeps the real reason: the usual failed login, and a row saying the user is disabled', async () => {
    await login('spaerret', PASSWORD, '203.0.113.5').expect(401);
    // Two right-password attempts (this and the one above), two wrong ones: one reason row per right password.
    const rows = await audit('spaerret', 5);
    expect(rows.filter((r) => r.action === 'login.failed')).toHaveLength(3);
    expect(rows.filter((r) => r.action === 'login.disabled')).toEqual([
      { action: 'login.disabled', role: 'chef', municipality: 461, ip: '203.0.113.3', status: 401, detail: { reason: 'disabled' } },
      { action: 'login.disabled', role: 'chef', municipality: 461, ip: '203.0.113.5', status: 401, detail: { reason: 'disabled' } },
    ]);
    // A wrong password of an active user says nothing of the kind.
    expect((await audit('aktiv', 1)).map((r) => r.action)).toEqual(['login.failed']);
  });

  it('the right password of a disabled user does not reset the username’s failure counts', async () => {
    const ip = '198.51.100.20';
    await login('taeller', 'forkert-1', ip).expect(401);
    await login('taeller', 'forkert-2', ip).expect(401);
    await login('taeller', PASSWORD, ip).expect(401);
    const counts = await db.pool.query(`SELECT kind, failures FROM login_attempt WHERE key IN ('taeller', 'taeller|${ip}') ORDER BY kind`);
    expect(counts.rows).toEqual([
      { kind: 'user', failures: 3 },
      { kind: 'user_ip', failures: 3 },
    ]);
  });

  it('an enabled user with the right password still logs in, and the counts start over', async () => {
    const ip = '198.51.100.21';
    await login('aktiv', 'forkert-1', ip).expect(401);
    await login('aktiv', PASSWORD, ip).expect(200);
    const counts = await db.pool.query(`SELECT kind FROM login_attempt WHERE key IN ('aktiv', 'aktiv|${ip}')`);
    expect(counts.rows).toEqual([]);
  });
});
