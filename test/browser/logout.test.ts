import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserApp, startBrowserApp } from '../support/browser-app';

// Issue 12, item 2: "Log ud" in the dashboard's header ends the session on the server (the token
// the page held gets 401 afterwards) and forgets the token in the browser.
describe('dashboard in Chromium: Log ud', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async () => undefined, 'Team Syd');
  });
  afterAll(() => env?.close());

  it('ends the session: back to the login form, no token stored, and the old token refused by the API', async () => {
    const page = await env.login('chef');
    const token = await page.evaluate(() => sessionStorage.getItem('boerneblik.token'));
    expect(token).toBeTruthy();
    const meWith = (t: string) => fetch(`${env.base}/api/v1/me`, { headers: { Authorization: `Bearer ${t}` } }).then((r) => r.status);
    expect(await meWith(token!)).toBe(200);

    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByLabel('Brugernavn').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
    expect(await meWith(token!)).toBe(401);
    // A reload does not bring the session back.
    await page.reload();
    await page.getByLabel('Brugernavn').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    await page.close();
  });
});
