import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'crypto';
import { availableParallelism } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, kpiSlots, parseEnv } from '@bu/config';
import { importDubu } from '@bu/etl';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { hotp, newTotpSecret, totpStep } from '../../apps/api/src/auth/totp';
import { addUser, setUserTotp } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// ADR 0094: GET /api/metrics for the operators' Prometheus, only with the scraper's token, and
// nothing on it about a person or a case: the KPI answers by cache, the KPI slots, each
// municipality's data age, failed imports and the job queue.

/** The value of a sample line `name{labels} value` in the text format (undefined: no such line). */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('metrics for the operators', () => {
  const METRICS_TOKEN = randomBytes(32).toString('hex');
  let db: TestDatabase;
  let app: INestApplication;
  let chef = '';
  const scrape = () => request(app.getHttpServer()).get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);

  beforeAll(async () => {
    db = await createTestDatabase();
    expect(
      (await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' })).status,
    ).toBe('succeeded');
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db, { metricsToken: METRICS_TOKEN });
    app.get(KpiCache).setRewarm(0);
    chef = await tokenFor(app, 'chef');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers only the scraper with its token: 401 without it or with another, in Danish', async () => {
    const none = await request(app.getHttpServer()).get('/api/metrics').expect(401);
    expect(none.body.message).toBe('METRICS_TOKEN mangler eller er forkert');
    await request(app.getHttpServer())
      .get('/api/metrics')
      .set('Authorization', `Bearer ${'x'.repeat(64)}`)
      .expect(401);
    // A user's login is not the scraper's token.
    await request(app.getHttpServer()).get('/api/metrics').set('Authorization', `Bearer ${chef}`).expect(401);
    await request(app.getHttpServer()).head('/api/metrics').expect(401);
    // Not part of the versioned API.
    await request(app.getHttpServer()).get('/api/v1/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
  });

  it('counts the KPI answers by cache and says how old each municipality’s data is', async () => {
    const before = (await scrape()).text;
    const ask = () =>
      request(app.getHttpServer()).get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${chef}`).expect(200);
    expect((await ask()).headers['x-kpi-cache']).toBe('miss');
    expect((await ask()).headers['x-kpi-cache']).toBe('hit');
    const res = await scrape();
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const after = res.text;
    const delta = (line: string) => (sample(after, line) ?? 0) - (sample(before, line) ?? 0);
    expect(delta('boerneblik_kpi_answers_total{cache="miss"}')).toBe(1);
    expect(delta('boerneblik_kpi_answers_total{cache="hit"}')).toBe(1);
    expect(delta('boerneblik_kpi_answer_seconds_count{cache="miss"}')).toBe(1);
    // Odense's DUBU import ended moments ago (the database's clock).
    const age = sample(after, 'boerneblik_data_age_seconds{municipality="461",source="dubu"}');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(600);
    expect(sample(after, 'boerneblik_kpi_slots_waiting')).toBe(0);
    expect(sample(after, 'boerneblik_kpi_slots_busy')).toBe(0);
    // As many slots as ADR 0099 gives this machine (the cores plus one, at most 8) for a lone API
    // process, unless KPI_SLOTS is set.
    expect(sample(after, 'boerneblik_kpi_slots')).toBe(kpiSlots(parseEnv().KPI_SLOTS, availableParallelism(), 1));
    expect(sample(after, 'boerneblik_metrics_errors')).toBe(0);
    // The API's pool (ADR 0097): the connections it kept after the answers, none waited for.
    expect(sample(after, 'boerneblik_db_pool_connections{pool="boerneblik-api",state="idle"}')).toBeGreaterThan(0);
    expect(sample(after, 'boerneblik_db_pool_connections{pool="boerneblik-api",state="waiting"}')).toBe(0);
    expect(after).toMatch(/^boerneblik_etl_jobs\{state="waiting"\} \d+$/m);
    expect(after).toMatch(/^process_cpu_seconds_total \d/m);
    // Aggregates only: Børneblik's own metrics have no label but these (no person, case, caseworker or team).
    const labels = new Set(
      after
        .split('\n')
        .filter((l) => l.startsWith('boerneblik_'))
        .flatMap((l) => [...(l.match(/\{([^}]*)\}/)?.[1] ?? '').matchAll(/(\w+)="/g)].map((m) => m[1])),
    );
    expect([...labels].sort()).toEqual(['cache', 'le', 'municipality', 'pool', 'source', 'state']);
    for (const word of ['AA', 'BB', 'C5', 'Team Nord']) expect(after).not.toContain(word);

    // A case system removed from the municipality (remove-source drops its snapshot) has no data to age:
    // the alert that asked for the removal clears.
    const { rows } = await db.pool.query(`DELETE FROM source_snapshot WHERE municipality_code = 461 AND source = 'dubu' RETURNING *`);
    try {
      expect((await scrape()).text).not.toContain('boerneblik_data_age_seconds{municipality="461",source="dubu"}');
    } finally {
      await db.pool.query(`INSERT INTO source_snapshot SELECT * FROM json_populate_record(null::source_snapshot, $1)`, [rows[0]]);
    }
  });

  it('counts the usernames locked out by wrong one-time codes until a new password, and names none', async () => {
    const secret = newTotpSecret();
    await addUser(db.pool, { username: 'maalt-admin', password: PASSWORD, role: 'admin' });
    await setUserTotp(db.pool, 'maalt-admin', secret);
    const lockouts = async () => sample((await scrape()).text, 'boerneblik_login_code_lockouts');
    expect(await lockouts()).toBe(0);
    const wrong = String((Number(hotp(secret, totpStep())) + 1) % 1_000_000).padStart(6, '0');
    const guess = (i: number) =>
      request(app.getHttpServer())
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', `198.51.100.${i}`)
        .send({ username: 'maalt-admin', password: PASSWORD, code: wrong });
    // Four wrong codes: a user who mistyped. The fifth reaches the limit.
    for (let i = 1; i <= 4; i++) await guess(i).expect(401);
    expect(await lockouts()).toBe(0);
    await guess(5).expect(401);
    const text = (await scrape()).text;
    expect(sample(text, 'boerneblik_login_code_lockouts')).toBe(1);
    expect(text).not.toContain('maalt-admin');
    // A new password (the operator's answer) clears it.
    await addUser(db.pool, { username: 'maalt-admin', password: `${PASSWORD}-ny`, role: 'admin' }, 'password-user');
    expect(await lockouts()).toBe(0);
  });

  it('answers within seconds while the import log is locked, saying what it could not read, and leaves no query behind', async () => {
    const locker = await db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE import_run IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const [a, b] = await Promise.all([scrape(), scrape()]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(sample(a.text, 'boerneblik_metrics_errors')).toBe(2);
      expect(sample(b.text, 'boerneblik_metrics_errors')).toBe(2);
      expect(a.text).not.toContain('boerneblik_data_age_seconds{');
      // The server gave up too (statement_timeout): nothing of the scrape still waits for the lock.
      let waiting = -1;
      for (let i = 0; i < 50 && waiting !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%import_run%'`,
        );
        waiting = rows[0].n;
      }
      expect(waiting).toBe(0);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(sample((await scrape()).text, 'boerneblik_metrics_errors')).toBe(0);
  });

  it('has no metrics page without METRICS_TOKEN, and refuses a weak token at start', async () => {
    const without = await startTestApi(db);
    try {
      await request(without.getHttpServer()).get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
    } finally {
      await without.close();
    }
    const jwt = randomBytes(32).toString('hex');
    const pseudonym = randomBytes(32).toString('hex');
    const env = { DATABASE_URL: db.url, JWT_SECRET: jwt, PSEUDONYM_SECRET: pseudonym };
    expect(() => configFromEnv({ ...env, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN er for kort/);
    // Never one of the API's own keys, which a scraper's configuration would then hold.
    for (const key of [jwt, pseudonym]) expect(() => configFromEnv({ ...env, METRICS_TOKEN: key })).toThrow(/METRICS_TOKEN er den samme/);
    // Empty is unset (compose passes an unset variable on as empty).
    expect(configFromEnv({ ...env, METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
  });
});
