import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../apps/api/src/app';
import { configFromEnv, type AppConfig } from '@bu/config';
import { PASSWORD, seedUsers } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';

// Security headers on every answer (API, errors, the dashboard), HSTS only behind TLS, and the
// OpenAPI description as API_DOCS says.
describe('HTTP security headers and /api/docs', () => {
  let db: TestDatabase;
  let web: string;
  const apps: INestApplication[] = [];

  async function start(overrides: Partial<AppConfig> = {}): Promise<INestApplication> {
    const config = configFromEnv(
      {},
      {
        databaseUrl: db.url,
        pseudonymSecret: TEST_SECRET,
        jwtSecret: TEST_JWT_SECRET,
        runWorker: false,
        webDist: web,
        // The national admin logs in with the password alone here (as in startTestApi).
        secondFactor: 'none',
        ...overrides,
      },
    );
    const app = await createApp(config, { logger: false });
    await app.init();
    apps.push(app);
    return app;
  }

  const token = async (app: INestApplication, username: string) =>
    (await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200)).body.token as string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    web = mkdtempSync(join(tmpdir(), 'bu-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><html lang="da"><script type="module" src="/assets/app.js"></script></html>');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
    rmSync(web, { recursive: true, force: true });
  });

  it('sends a strict CSP, nosniff, frame-ancestors none and no referrer on the API, its refusals and the dashboard; no HSTS without TLS', async () => {
    const app = await start();
    for (const [path, status] of [
      ['/api/health', 200],
      ['/api/v1/kpis?ids=caseload.open_cases', 401],
      ['/', 200],
      ['/teams/syd', 200],
    ] as const) {
      const res = await request(app.getHttpServer()).get(path);
      expect(res.status, path).toBe(status);
      const csp = res.headers['content-security-policy'];
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      // No inline script, no <style> element; only style attributes (ECharts draws with them).
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("style-src-attr 'unsafe-inline';");
      expect(csp.replace("style-src-attr 'unsafe-inline'", '')).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('tells the browser to keep no API answer (work lists, the audit log), and lets it keep the dashboard', async () => {
    const app = await start();
    const chef = await token(app, 'chef');
    for (const path of ['/api/v1/kpis?municipality=461&ids=deadline.notification_overdue', '/api/v1/me', '/api/v1/nothing-here']) {
      const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${chef}`);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    expect((await request(app.getHttpServer()).get('/api/v1/me')).headers['cache-control']).toBe('no-store');
    expect((await request(app.getHttpServer()).get('/').expect(200)).headers['cache-control']).not.toContain('no-store');
  });

  it('treats /API/... as the API whatever the case (Express routes it so), with the dashboard and without', async () => {
    const paths = ['/API/v1/me', '/API/v1/kpis?municipality=461&ids=deadline.notification_overdue', '/Api/V1/nothing-here'];
    for (const app of [await start(), await start({ webDist: join(web, 'no-dashboard-here') })]) {
      const chef = await token(app, 'chef');
      for (const path of paths) {
        const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${chef}`);
        expect(res.headers['cache-control'], path).toBe('no-store');
        // The API's answer, never the dashboard's index.html.
        expect(res.headers['content-type'], path).toMatch(/^application\/json/);
      }
      expect((await request(app.getHttpServer()).get('/API/v1/me').set('Authorization', `Bearer ${chef}`).expect(200)).body.username).toBe(
        'chef',
      );
    }
  });

  it('answers an unknown path, a missing report and a missing user without the CPR number sent', async () => {
    const app = await start({ webDist: join(web, 'no-dashboard-here') });
    const server = app.getHttpServer();
    const chef = await token(app, 'chef');
    const cprDigits = /0101011234|010101.?1234|1234/;
    // Nest's own answer quoted the URL with its query string ("Cannot GET /api/v1/nothing?cpr=...").
    for (const path of ['/api/v1/nothing?cpr=0101011234', '/api/v1/0101011234', '/API/v1/nothing/010101-1234']) {
      const res = await request(server).get(path).set('Authorization', `Bearer ${chef}`).expect(404);
      expect(res.body, path).toEqual({ statusCode: 404, message: 'Adressen findes ikke', error: 'Not Found' });
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    expect((await request(server).post('/no-such-page?cpr=0101011234').expect(404)).text).not.toMatch(cprDigits);
    for (const id of ['x%20010101-1234', '0101011234', '010101-1234']) {
      const res = await request(server).get(`/api/v1/reports/${id}/pdf`).set('Authorization', `Bearer ${chef}`).expect(404);
      expect(res.body.message, id).toBe('Rapporten findes ikke');
      expect(res.text, id).not.toMatch(cprDigits);
    }
    // Any message that repeats what was sent is masked before it leaves (here a path's username).
    const admin = await token(app, 'admin');
    const user = await request(server).delete('/api/v1/users/010101-1234').set('Authorization', `Bearer ${admin}`).expect(404);
    expect(user.body.message).toBe('Brugeren ******-**** findes ikke');
  });

  it('sends HSTS when it runs behind TLS (HSTS=1)', async () => {
    const app = await start({ hsts: true });
    const res = await request(app.getHttpServer()).get('/api/health').expect(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it("sends from nginx, for the dashboard in docker, every security header helmet sends, with helmet's values", async () => {
    const app = await start({ hsts: true });
    const res = await request(app.getHttpServer()).get('/').expect(200);
    const nginx = readFileSync(join(__dirname, '../../docker/nginx.conf'), 'utf8');
    const dashboard = /location \/ \{([^}]*)\}/.exec(nginx)![1];
    const sent = Object.fromEntries([...dashboard.matchAll(/add_header (\S+) "([^"]*)" always;/g)].map((m) => [m[1].toLowerCase(), m[2]]));
    // What helmet adds to an answer, by name: everything but the content's own headers.
    const own = new Set([
      'content-type',
      'content-length',
      'etag',
      'last-modified',
      'accept-ranges',
      'cache-control',
      'date',
      'connection',
      'keep-alive',
    ]);
    const helmets = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !own.has(name) && !name.startsWith('x-request')));
    expect(Object.keys(helmets).length).toBeGreaterThan(10);
    // The same policy; helmet leaves out the space after each semicolon.
    const policy = (csp: unknown) => String(csp).split(/;\s*/);
    expect(policy(sent['content-security-policy'])).toEqual(policy(helmets['content-security-policy']));
    expect({ ...sent, 'content-security-policy': '' }).toEqual({ ...helmets, 'content-security-policy': '' });
  });

  it('API_DOCS off (the default outside the embedded default): no Swagger UI and no description', async () => {
    const app = await start();
    await request(app.getHttpServer()).get('/api/docs').expect(404);
    await request(app.getHttpServer()).get('/api/docs-json').expect(404);
    await request(app.getHttpServer()).get('/api/docs/swagger-ui-init.js').expect(404);
  });

  it('API_DOCS=admin: the description only with an admin token, no Swagger UI', async () => {
    const app = await start({ apiDocs: 'admin' });
    const server = app.getHttpServer();
    await request(server).get('/api/docs-json').expect(401);
    for (const user of ['chef', 'udvalg', 'teamleder']) {
      const res = await request(server)
        .get('/api/docs-json')
        .set('Authorization', `Bearer ${await token(app, user)}`);
      expect(res.status, user).toBe(403);
      expect(res.body.paths).toBeUndefined();
    }
    const res = await request(server)
      .get('/api/docs-json')
      .set('Authorization', `Bearer ${await token(app, 'admin')}`)
      .expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/api/v1/kpis');
    expect(Object.keys(res.body.paths)).not.toContain('/api/docs-json');
    await request(server).get('/api/docs').expect(404);
  });

  it('API_DOCS=public: Swagger UI and the description for anyone, its page allowed inline styles but no inline script', async () => {
    const app = await start({ apiDocs: 'public' });
    const page = await request(app.getHttpServer()).get('/api/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    const json = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(Object.keys(json.body.paths)).toContain('/api/v1/kpis');
    // The relaxed policy is the docs page's only.
    expect((await request(app.getHttpServer()).get('/').expect(200)).headers['content-security-policy']).toContain("style-src 'self';");
  });
});
