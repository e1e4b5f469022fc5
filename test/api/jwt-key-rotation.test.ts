import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '@bu/config';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';

// Rotating the JWT key with a grace period (docs/SECURITY.md): the new key in JWT_SECRET, the old
// one in JWT_SECRET_PREVIOUS. Tokens of the old key still work and come back renewed under the
// new one; once JWT_SECRET_PREVIOUS is removed, a token of the old key is refused.
describe('JWT key rotation', () => {
  const NEW_KEY = randomBytes(32).toString('hex');
  let db: TestDatabase;
  const apps: INestApplication[] = [];
  const start = async (overrides: { jwtSecret: string; jwtPreviousSecret?: string }) => {
    const app = await startTestApi(db, overrides);
    apps.push(app);
    return app;
  };
  const me = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('accepts a token of the previous key during the grace period and renews it under the new key', async () => {
    const before = await start({ jwtSecret: TEST_JWT_SECRET });
    const oldToken = await tokenFor(before, 'chef');

    const during = await start({ jwtSecret: NEW_KEY, jwtPreviousSecret: TEST_JWT_SECRET });
    const res = await me(during, oldToken).expect(200);
    expect(res.body.username).toBe('chef');
    const renewed = res.headers['x-renewed-token'];
    expect(renewed).toBeTruthy();
    expect(renewed).not.toBe(oldToken);

    const after = await start({ jwtSecret: NEW_KEY });
    // The renewed token is the new key's; the old one is not, once the previous key is gone.
    expect((await me(after, renewed).expect(200)).body.username).toBe('chef');
    expect((await me(after, oldToken).expect(401)).body.message).toBe('Din session er udløbet. Log ind igen.');
    // A token of neither key is refused during the grace period too.
    const stranger = await start({ jwtSecret: randomBytes(32).toString('hex') });
    await me(during, await tokenFor(stranger, 'chef')).expect(401);
  });

  it('refuses a weak previous key, and one equal to the current key', () => {
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1/x', PSEUDONYM_SECRET: TEST_SECRET, JWT_SECRET: NEW_KEY };
    expect(() => configFromEnv({ ...env, JWT_SECRET_PREVIOUS: 'kort' })).toThrow(ConfigError);
    expect(() => configFromEnv({ ...env, JWT_SECRET_PREVIOUS: 'kort' })).toThrow('JWT_SECRET_PREVIOUS er for kort');
    expect(() => configFromEnv({ ...env, JWT_SECRET_PREVIOUS: NEW_KEY })).toThrow('JWT_SECRET_PREVIOUS er den samme som JWT_SECRET');
    expect(configFromEnv({ ...env, JWT_SECRET_PREVIOUS: TEST_JWT_SECRET }).jwtPreviousSecret).toBe(TEST_JWT_SECRET);
  });
});
