import type { INestApplication } from '@nestjs/common';
import { tableFromIPC } from 'apache-arrow';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { KPIS } from '@bu/kpi';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// Issue 13, item 3: a list asked without `limit` comes cut at one page (1000 rows), `count` still
// the whole list's and `truncated: true` (Arrow: the X-Rows-Truncated header); the pages asked
// with offset/limit (as the dashboard does, apps/web/src/api.ts) together give the whole list.
describe('the row cap of a list asked without limit', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let dir = '';
  let auth: Record<string, string> = {};
  let big = '';
  const asOf = '2024-12-31';

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'bu-listcap-'));
    await generateLargeDubu(dir, 20_000);
    await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: asOf });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    auth = { Authorization: `Bearer ${await tokenFor(app, 'chef')}` };
    // A list of this municipality longer than a page, asked whole (a page) and with limit=1000 (whole before).
    for (const kpi of KPIS.filter((k) => k.unit === 'list' && k.roles.includes('chef'))) {
      const res = await request(app.getHttpServer()).get(`/api/v1/kpis?ids=${kpi.id}&asOf=${asOf}&offset=0&limit=1000`).set(auth);
      if (res.status === 200 && res.body.kpis[kpi.id].rows.length === 1000) {
        big = kpi.id;
        break;
      }
    }
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a long list at 1000 rows, says so, keeps the full count; the pages give the whole list', async () => {
    expect(big, 'a list longer than 1000 rows in the generated export').not.toBe('');
    const res = await request(app.getHttpServer()).get(`/api/v1/kpis?ids=${big}&asOf=${asOf}`).set(auth).expect(200);
    const list = res.body.kpis[big];
    expect(list.truncated).toBe(true);
    expect(list.rows).toHaveLength(1000);
    expect(list.count).toBeGreaterThan(0);

    // Page by page, as the dashboard asks: every row once, and the count the same.
    const rows: unknown[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = (
        await request(app.getHttpServer()).get(`/api/v1/kpis?ids=${big}&asOf=${asOf}&offset=${offset}&limit=1000`).set(auth).expect(200)
      ).body.kpis[big];
      expect(page.truncated).toBeUndefined();
      expect(page.count).toBe(list.count);
      rows.push(...page.rows);
      if (page.rows.length < 1000) break;
    }
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.slice(0, 1000)).toEqual(list.rows);
    expect(new Set(rows.map((r) => JSON.stringify(r))).size).toBe(rows.length);

    // Arrow: the same first page, and the header that says it was cut.
    const arrow = await request(app.getHttpServer())
      .get(`/api/v1/kpis?ids=${big}&asOf=${asOf}`)
      .set(auth)
      .set('Accept', 'application/vnd.apache.arrow.stream')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(arrow.headers['x-rows-truncated']).toBe('1000');
    expect(tableFromIPC(arrow.body as Buffer).numRows).toBe(1000);
  }, 120_000);

  /**
   * Runs `use` with the dashboard's client (apps/web/src/api.ts) signed in as the chief, against this
   * API: the browser's parts the client uses stood in for (its token store, and fetch on the page's
   * origin), each request going through `via`, which sends it (`send`) and sees its answer.
   */
  async function asTheDashboard(
    via: (url: URL, send: () => Promise<Response>) => Promise<Response>,
    use: (web: typeof import('../../apps/web/src/api')) => Promise<void>,
  ): Promise<void> {
    await app.listen(0, '127.0.0.1').catch(() => undefined); // listening already after an earlier test
    const address = app.getHttpServer().address() as { port: number };
    const store = new Map<string, string>([['boerneblik.token', auth.Authorization.slice('Bearer '.length)]]);
    const g = globalThis as unknown as { sessionStorage?: unknown; fetch: typeof fetch };
    const saved = { sessionStorage: g.sessionStorage, fetch: g.fetch };
    g.sessionStorage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    g.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input), `http://127.0.0.1:${address.port}`);
      return via(url, () => saved.fetch(url, init));
    };
    try {
      await use(await import('../../apps/web/src/api'));
    } finally {
      g.sessionStorage = saved.sessionStorage;
      g.fetch = saved.fetch;
    }
  }

  it("the dashboard's client (apps/web/src/api.ts) asks page by page and shows the whole list, JSON and Arrow", async () => {
    const asked: string[] = [];
    const send = (url: URL, send: () => Promise<Response>) => {
      asked.push(url.toString());
      return send();
    };
    await asTheDashboard(send, async (web) => {
      const whole = (await request(app.getHttpServer()).get(`/api/v1/kpis?ids=${big}&asOf=${asOf}&offset=0&limit=1000`).set(auth)).body
        .kpis[big].count;
      const answer = await web.kpis({ municipality: 461, asOf, ids: [big] });
      const list = answer.kpis[big] as { rows: unknown[]; count: number; truncated?: boolean };
      expect(list.truncated).toBeUndefined();
      expect(list.count).toBe(whole);
      expect(list.rows.length).toBeGreaterThan(1000);
      expect(asked.filter((u) => u.includes('offset=1000&limit=1000'))).toHaveLength(1);
      const arrow = await web.kpiListArrow({ municipality: 461, asOf, id: big });
      expect(arrow.rows.length).toBe(list.rows.length);
    });
  }, 120_000);

  it('names the data version of every page; the client asks again, whole, when an import commits between pages', async () => {
    const asked: { offset: string | null; version: string | null }[] = [];
    const send = async (url: URL, send: () => Promise<Response>) => {
      const res = await send();
      asked.push({ offset: url.searchParams.get('offset'), version: res.headers.get('x-data-version') });
      // The municipality's data changes after the list's first page was answered (as an import's commit does).
      if (asked.length === 1) {
        await db.pool.query(`UPDATE import_run SET finished_at = finished_at WHERE municipality_code = 461`);
        await new Promise((r) => setTimeout(r, 300));
      }
      return res;
    };
    await asTheDashboard(send, async (web) => {
      const list = (await web.kpis({ municipality: 461, asOf, ids: [big] })).kpis[big] as { rows: unknown[]; count: number };
      // The first attempt stops at the page of other data; the second asks the whole list again.
      const pages = Math.floor(list.count / 1000) + 1; // the client stops at the first page short of 1000 rows
      expect(asked.map((a) => a.offset)).toEqual([
        null,
        '1000',
        null,
        ...Array.from({ length: pages - 1 }, (_, i) => String((i + 1) * 1000)),
      ]);
      const [first, second, ...again] = asked.map((a) => a.version);
      expect(first).toMatch(/^\d+(\.\d+)*$/);
      expect(second).not.toBe(first);
      expect(again).toEqual(again.map(() => second));
      expect(list.rows.length).toBe(list.count);
    });
  }, 120_000);

  it('names the same data version for a page asked alone and for the answer it belongs to, national KPIs beside', async () => {
    const version = async (query: string) =>
      (await request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set(auth).expect(200)).headers['x-data-version'];
    const first = await version(`ids=${big},goal.status,activity.children_with_open_case_per_1000&asOf=${asOf}`);
    expect(first).toBeDefined();
    expect(await version(`ids=${big}&asOf=${asOf}&offset=1000&limit=1000`)).toBe(first);
  });

  it('sends a short list whole, unmarked', async () => {
    const res = await request(app.getHttpServer()).get(`/api/v1/kpis?ids=caseload.unassigned&asOf=2019-01-31`).set(auth).expect(200);
    const list = res.body.kpis['caseload.unassigned'];
    expect(list.rows.length).toBeLessThan(1000);
    expect(list).not.toHaveProperty('truncated');
    expect(res.headers['x-rows-truncated']).toBeUndefined();
  });
});
