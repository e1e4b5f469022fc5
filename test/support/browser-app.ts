import type { INestApplication } from '@nestjs/common';
import { mkdirSync, readFileSync } from 'fs';
import { resolve } from 'path';
import type { Browser, Page } from 'playwright-core';
import type { AppConfig } from '@bu/config';
import { PASSWORD, seedUsers, startTestApi } from './api';
import { launchBrowser } from './browser';
import { ensureWebBuilt } from '../../scripts/lib/build-web';
import { createTestDatabase, TestDatabase } from './database';

export const ROOT = resolve(__dirname, '../..');
export const OUT = resolve(ROOT, 'test-results');

export interface BrowserApp {
  db: TestDatabase;
  /** The API itself, for what a test sets up inside it (e.g. a sign-on provider's button). */
  app: INestApplication;
  base: string;
  browser: Browser;
  /** A new page logged in as the user (password of the seeded test users), on the landing view. */
  login(username: string, options?: { viewport?: { width: number; height: number }; downloads?: boolean; locale?: string }): Promise<Page>;
  /** The API's JSON answer as the user (GET unless told), to compare what the page shows with. */
  api<T = unknown>(username: string, path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

/**
 * The built dashboard served by the API on a fresh database with the given data, and Chromium.
 * Options: more configuration (e.g. single sign-on), and a port known beforehand (a provider's redirect URL).
 */
export async function startBrowserApp(
  load: (db: TestDatabase) => Promise<unknown>,
  team: string,
  options: { config?: Partial<AppConfig>; port?: number } = {},
): Promise<BrowserApp> {
  const webDist = await ensureWebBuilt(ROOT);
  const db = await createTestDatabase();
  await load(db);
  await seedUsers(db, 461, team);
  const app: INestApplication = await startTestApi(db, { ...options.config, webDist });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const base = await app.getUrl();
  const browser = await launchBrowser();
  mkdirSync(OUT, { recursive: true });
  const tokens: Record<string, string> = {};
  return {
    db,
    app,
    base,
    browser,
    async login(username, options = {}) {
      const page = await browser.newPage({
        viewport: options.viewport ?? { width: 1366, height: 768 },
        locale: options.locale ?? 'da-DK',
        acceptDownloads: options.downloads ?? false,
      });
      await page.goto(base);
      await page.getByLabel('Brugernavn').fill(username);
      await page.getByLabel('Adgangskode').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log ind' }).click();
      await page.getByTestId('current-user').waitFor();
      return page;
    },
    async api(username, path, init = {}) {
      tokens[username] ??= await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      }).then(async (r) => ((await r.json()) as { token: string }).token);
      const res = await fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: { Authorization: `Bearer ${tokens[username]}`, 'Content-Type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} as ${username}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? (undefined as never) : res.json();
    },
    async close() {
      await browser.close();
      await app.close();
      await db.drop();
    },
  };
}

/** axe-core in the page: the serious and critical WCAG violations (id and how many elements). */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; nodes: number }[]> {
  // Evaluated, not added as an inline <script>: the dashboard's Content-Security-Policy blocks those.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
    ).axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}
