import { join } from 'path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { PASSWORD } from '../support/api';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { FIXTURES, dubuAs } from '../support/fixtures';
import { until } from '../support/wait';

// A user who sees several municipalities never sees the one before's figures under the next, and
// the page ends a session on its own: at the token's end, in every tab of a user who logs out, and
// without following a logout address it should not. The same export as København (101, first by
// name) and as Odense (461).
const D = '2024-04-30';
const ODENSE = '461';
const TOKEN = 'boerneblik.token';

const token = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), TOKEN);
const loginForm = (page: Page) => page.getByLabel('Brugernavn');
/** Logs in on the page at the report archive: no dashboard's figures to wait for (a faster test). */
async function signIn(page: Page, base: string, username: string): Promise<Page> {
  await page.goto(`${base}/#/rapporter`);
  await loginForm(page).fill(username);
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.getByTestId('current-user').waitFor();
  return page;
}

describe('another municipality and the session, in Chromium', () => {
  let env: BrowserApp;

  beforeAll(async () => {
    const copenhagen = dubuAs(join(FIXTURES, 'dubu-deadlines'), 101);
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
      await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
    }, 'Team Syd');
  });
  afterAll(() => env?.close());

  it("shows none of the first municipality's headline figures while the second's are on their way, or after they failed", async () => {
    // The national administrator sees both municipalities; København first.
    const page = await env.login('admin');
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Chef' }).click();
    const strip = page.getByTestId('summary-strip');
    const headlines = strip.locator('[data-testid^="headline-"]');
    await headlines.first().waitFor();

    // Odense's figures are held back, then refused.
    const held: Route[] = [];
    let fail = false;
    await page.route(
      (url) => url.pathname === '/api/v1/kpis' && url.searchParams.get('municipality') === ODENSE,
      (route) => (fail ? route.fulfill({ status: 500, json: { message: 'Serverfejl' } }) : void held.push(route)),
    );
    await page.getByRole('group', { name: 'Filtre' }).getByLabel('Kommune').selectOption(ODENSE);
    await until(() => held.length > 0, "Odense's figures asked for");
    expect(await headlines.count()).toBe(0);

    fail = true;
    await Promise.all(held.map((route) => route.fulfill({ status: 500, json: { message: 'Serverfejl' } })));
    await strip.getByRole('alert').waitFor();
    expect(await headlines.count()).toBe(0);
    expect(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('municipality')).toBe(ODENSE);
    await page.close();
  });

  it("logs the same user out in the other tabs on Log ud, and leaves another user's tab", async () => {
    // Tabs of one browser window: one context (the login helper gives each page its own).
    const context = await env.browser.newContext({ locale: 'da-DK' });
    const first = await signIn(await context.newPage(), env.base, 'chef');
    // A duplicated tab: the same token in its own sessionStorage.
    const twin = await context.newPage();
    await twin.goto(`${env.base}/#/rapporter`);
    await twin.evaluate(([key, value]) => sessionStorage.setItem(key, value), [TOKEN, (await token(first))!]);
    await twin.reload();
    await twin.getByTestId('current-user').waitFor();
    // Another user signed in in a third tab.
    const other = await signIn(await context.newPage(), env.base, 'udvalg');

    await first.getByRole('button', { name: 'Log ud' }).click();
    await loginForm(first).waitFor();
    await twin.getByText('Du er logget ud i en anden fane.').waitFor();
    expect(await token(twin)).toBeNull();
    expect(await other.getByTestId('current-user').count()).toBe(1);
    expect(await token(other)).toBeTruthy();
    await context.close();
  });

  it('follows a logout address only over https: another goes to the login form here', async () => {
    const page = await signIn(await env.browser.newPage(), env.base, 'chef');
    await page.route('**/api/v1/auth/logout', async (route) =>
      route.fulfill({ response: await route.fetch(), json: { redirect: 'http://evil.example/phish' } }),
    );
    await page.getByRole('button', { name: 'Log ud' }).click();
    await loginForm(page).waitFor();
    expect(page.url().startsWith(env.base)).toBe(true);
    expect(await token(page)).toBeNull();
    await page.close();
  });

  it('says the server cannot be reached, not the login form, when "who am I" fails at a reload; a retry resumes', async () => {
    const page = await signIn(await env.browser.newPage(), env.base, 'chef');
    await page.route('**/api/v1/me', (route) => route.fulfill({ status: 503, json: { message: 'Utilgængelig' } }));
    await page.reload();
    await page.getByText('Børneblik kan ikke hente dine oplysninger lige nu').waitFor();
    expect(await loginForm(page).count()).toBe(0);
    expect(await token(page)).toBeTruthy();

    await page.unroute('**/api/v1/me');
    await page.getByRole('button', { name: 'Prøv igen' }).click();
    await page.getByTestId('current-user').waitFor();
    await page.close();
  });
});

describe('a session that ends while the page is idle, in Chromium', () => {
  let env: BrowserApp;
  // A token lives 3 s unless renewed by use.
  beforeAll(async () => {
    env = await startBrowserApp(async () => undefined, 'Team Syd', { config: { sessionIdleSeconds: 3 } });
  });
  afterAll(() => env?.close());

  it("goes back to the login form at the token's end, with no request needed", async () => {
    const page = await env.login('chef');
    await page.getByText('Din session er udløbet. Log ind igen.').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('current-user').count()).toBe(0);
    expect(await token(page)).toBeNull();
    await page.close();
  });
});
