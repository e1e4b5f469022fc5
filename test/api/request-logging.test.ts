import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logSettings } from '@bu/config';
import { MaskedQueryLogger } from '@bu/db';
import { configureLogger, createLogger, runWithLogContext, setLogUser } from '@bu/logger';
import type { AppConfig } from '@bu/config';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, startTestApi } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';

// One logger (libs/logger): every line logged while serving a request carries its request id, and
// once the token is verified its user and municipality; JSON lines in production.

/** A logger whose lines land in an array (parsed when JSON). */
function capture(format: 'json' | 'pretty' = 'json', level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const log = createLogger({ level, format, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('request logging', () => {
  let db: TestDatabase;
  const apps: INestApplication[] = [];

  async function api(logger: ReturnType<typeof createLogger>, overrides: Partial<AppConfig> = {}): Promise<INestApplication> {
    const app = await startTestApi(db, overrides, { logger });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: 461 });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('a line logged during an authenticated request has its request id, user and municipality', async () => {
    const { log, json } = capture();
    const app = await api(log);
    const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
    const res = await request(app.getHttpServer()).get('/api/v1/etl/rules').set('Authorization', `Bearer ${login.body.token}`).expect(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = json().find((l) => l.requestId === id);
    expect(line).toMatchObject({
      level: 'info',
      requestId: id,
      user: 'chef',
      municipality: 461,
      method: 'GET',
      path: '/api/v1/etl/rules',
      status: 200,
    });
    expect(typeof line!.time).toBe('string');
    // The login's own line has its own id, and no user (none was authenticated), and never the password.
    const loginLine = json().find((l) => l.path === '/api/v1/auth/login')!;
    expect(loginLine.requestId).toBe(login.headers['x-request-id']);
    expect(loginLine.requestId).not.toBe(id);
    expect(loginLine).not.toHaveProperty('user');
    expect(JSON.stringify(json())).not.toContain(PASSWORD);
    expect(JSON.stringify(json())).not.toContain(login.body.token);
  });

  it('logs the route, not the case number or other ids in the path (the audit log has those)', async () => {
    const { log, json } = capture();
    const app = await api(log);
    const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
    const as = { Authorization: `Bearer ${login.body.token}` };
    await request(app.getHttpServer()).get('/api/v1/reviews/7/cases/SAG-4711').set(as);
    await request(app.getHttpServer()).get('/api/v1/no-such-thing/SAG-4712/more').set(as).expect(404);
    await new Promise((r) => setTimeout(r, 100));
    const paths = json().map((l) => l.path);
    expect(paths).toContain('/api/v1/reviews/:id/cases/:case');
    expect(paths).toContain('/api/v1/no-such-thing/…');
    expect(JSON.stringify(json())).not.toMatch(/SAG-471[12]/);
  });

  it('logs /API/... (routed whatever its case) as the API: its route, or its first segments, never as a dashboard path', async () => {
    // At debug, where a dashboard path would be logged whole.
    const { log, json } = capture('json', 'debug');
    const app = await api(log);
    const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
    const as = { Authorization: `Bearer ${login.body.token}` };
    await request(app.getHttpServer()).get('/API/v1/reviews/7/cases/SAG-4713').set(as);
    await request(app.getHttpServer()).get('/Api/v1/no-such-thing/SAG-4714/more').set(as).expect(404);
    await new Promise((r) => setTimeout(r, 100));
    const lines = json().filter((l) => typeof l.path === 'string' && /^\/api\//i.test(l.path));
    expect(lines.map((l) => [l.level, l.path])).toEqual(
      expect.arrayContaining([
        ['info', '/api/v1/reviews/:id/cases/:case'],
        ['info', '/Api/v1/no-such-thing/…'],
      ]),
    );
    expect(JSON.stringify(json())).not.toMatch(/SAG-471[34]/);
  });

  it('takes X-Request-Id from a trusted proxy only', async () => {
    const trusting = capture();
    const viaProxy = await request((await api(trusting.log)).getHttpServer())
      .get('/api/health')
      .set('X-Request-Id', 'proxy-id-1');
    expect(viaProxy.headers['x-request-id']).toBe('proxy-id-1');
    expect(trusting.json().some((l) => l.requestId === 'proxy-id-1')).toBe(true);

    const distrusting = capture();
    const direct = await request((await api(distrusting.log, { trustedProxies: false })).getHttpServer())
      .get('/api/health')
      .set('X-Request-Id', 'forged-id');
    expect(direct.headers['x-request-id']).not.toBe('forged-id');
    expect(JSON.stringify(distrusting.json())).not.toContain('forged-id');

    // A header that could forge a log line is never taken, whoever sends it.
    const odd = await request((await api(capture().log)).getHttpServer())
      .get('/api/health')
      .set('X-Request-Id', 'a b"c');
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("does not log the value of an id the database could not take (an unexpected error's message)", async () => {
    const { log, json } = capture();
    const app = await api(log);
    await addUser(db.pool, { username: 'admin', password: PASSWORD, role: 'admin', municipality: 461 });
    const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'admin', password: PASSWORD }).expect(200);
    const res = await request(app.getHttpServer()).delete('/api/v1/goals/3112991234').set('Authorization', `Bearer ${login.body.token}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(JSON.stringify(json())).not.toContain('3112991234');
  });
});

describe('the logger', () => {
  it('writes JSON lines in production and one readable line in development', () => {
    expect(logSettings({ NODE_ENV: 'production' })).toEqual({ level: 'info', format: 'json' });
    expect(logSettings({})).toEqual({ level: 'info', format: 'pretty' });
    expect(logSettings({ NODE_ENV: 'production', LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' })).toEqual({ level: 'debug', format: 'pretty' });
    // A wrong value is reported by configFromEnv; the logger falls back to its defaults.
    expect(logSettings({ LOG_LEVEL: 'loud' })).toEqual({ level: 'info', format: 'pretty' });

    const json = capture('json');
    json.log.info({ job: '7' }, 'ETL job 7 done');
    expect(json.lines).toHaveLength(1);
    expect(json.lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(json.lines[0])).toMatchObject({ level: 'info', msg: 'ETL job 7 done', job: '7' });

    const pretty = capture('pretty');
    pretty.log.warn({ job: '7' }, 'Redis connection: refused (retrying)');
    expect(pretty.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}Redis connection: refused \(retrying\) job=7\n$/);
  });

  it('adds the request context to every line logged inside it, also after an await', async () => {
    const { log, json } = capture();
    log.info('outside');
    await runWithLogContext({ requestId: 'r-1' }, async () => {
      log.info('before login');
      setLogUser({ username: 'anna', municipality: null });
      await new Promise((r) => setTimeout(r, 1));
      log.info('after login');
    });
    expect(json().map(({ msg, requestId, user, municipality }) => ({ msg, requestId, user, municipality }))).toEqual([
      { msg: 'outside', requestId: undefined, user: undefined, municipality: undefined },
      { msg: 'before login', requestId: 'r-1', user: undefined, municipality: undefined },
      { msg: 'after login', requestId: 'r-1', user: 'anna', municipality: null },
    ]);
  });

  it('never writes passwords, tokens, secrets or CPR numbers it is given', () => {
    const { log, lines } = capture();
    log.info(
      {
        password: 'hunter2hunter2',
        token: 'eyJtoken',
        headers: { authorization: 'Bearer eyJtoken' },
        config: { pseudonymSecret: 's3cret' },
        cpr: '0101011234',
      },
      'careless',
    );
    expect(lines[0]).not.toMatch(/hunter2|eyJtoken|s3cret|0101011234/);
    expect(lines[0]).toContain('[redacted]');
  });

  it('masks a CPR number in any field, however deep, and an error logged under another name', () => {
    const { log, json } = capture();
    const at = new Date('2026-12-07T08:00:00Z');
    log.warn(
      {
        reason: 'sag 010203-1234 findes ikke',
        task: { data: { file: 'barn 0102031234.csv', lines: [1, 'x 010203 1234'] }, at },
        error: new Error('id 3112991234 for stort'),
        count: 3,
        // The ids a line is found by stay as they are.
        job: 'repeat:retention-purge:1765090800000',
        requestId: '12345678-1234-4123-8123-123456789012',
      },
      'careless',
    );
    const { job, requestId, ...rest } = json()[0];
    expect([job, requestId]).toEqual(['repeat:retention-purge:1765090800000', '12345678-1234-4123-8123-123456789012']);
    const line = JSON.stringify(rest);
    expect(line).not.toMatch(/1234|3112991234/);
    expect(json()[0]).toMatchObject({
      reason: 'sag ******-**** findes ikke',
      task: { data: { file: 'barn ******-****.csv', lines: [1, 'x ******-****'] }, at: '2026-12-07T08:00:00.000Z' },
      error: { type: 'Error', message: 'id ******-**** for stort' },
      count: 3,
    });
  });

  it("logs TypeORM's failed queries through the logger, masked and without their parameters (row values)", () => {
    const { lines } = capture();
    configureLogger({ level: 'info', format: 'json', destination: { write: (line: string) => void lines.push(line) } });
    try {
      const error = Object.assign(new Error('value "3112991234" is out of range for type integer'), { parameters: ['SAG-4713'] });
      new MaskedQueryLogger().logQueryError(error, 'DELETE FROM political_goal WHERE id = $1', [3112991234, 'SAG-4713']);
    } finally {
      configureLogger({});
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DELETE FROM political_goal WHERE id = $1');
    expect(lines[0]).not.toMatch(/3112991234|SAG-4713/);
  });

  it("masks an error's message and stack, and leaves out a database error's fields that quote row values", () => {
    const { log, json } = capture();
    const error = Object.assign(new Error('value "3112991234" is out of range for type integer'), {
      code: '22003',
      detail: 'Key (case_id)=(ZZ-4711) is duplicated.',
      where: 'COPY measure, line 5, column start_date: "ZZ-4712"',
    });
    log.error({ err: error }, 'unexpected');
    const line = JSON.stringify(json()[0]);
    expect(line).not.toMatch(/3112991234|ZZ-471/);
    expect(json()[0].err).toMatchObject({ type: 'Error', code: '22003', message: 'value "******-****" is out of range for type integer' });
    // An error it carries (TypeORM's driverError) likewise; a date stays a date.
    const wrapped = Object.assign(new Error('query failed'), {
      driverError: Object.assign(new Error('value "3112991234" is out of range'), { detail: 'Key (id)=(ZZ-4714)' }),
      at: new Date('2026-12-06T08:00:00Z'),
    });
    log.error({ err: wrapped }, 'wrapped');
    expect(JSON.stringify(json()[1])).not.toMatch(/3112991234|ZZ-4714/);
    expect(json()[1].err).toMatchObject({
      driverError: { message: 'value "******-****" is out of range' },
      at: '2026-12-06T08:00:00.000Z',
    });
  });
});
