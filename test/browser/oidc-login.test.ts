import { generateKeyPairSync } from 'crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserApp, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { freePort } from '../support/pg-cluster';

// Issue 15, point 1: OpenID Connect login in Chromium against a real OpenID Provider (oidc-provider)
// started here. The municipality's administrator has mapped the provider's groups: bb-chef to the
// chief of 461, bb-syd and bb-nord to team leaders of Team Syd and Team Nord. Every refusal ends on
// a Danish page and gives no session.
const LABEL = 'Log ind med Testkommunes konto';
const CALLBACK = '/api/v1/auth/oidc/callback';

describe('OpenID Connect login in Chromium', () => {
  let env: BrowserApp;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      redirectUri: `${base}${CALLBACK}`,
      postLogoutRedirectUri: `${base}/`,
      accounts: {
        'anna.chef': { groups: ['bb-chef', 'Alle ansatte'], email: 'anna.chef@testkommune.dk' },
        'tom.leder': { groups: ['bb-syd'] },
        'ib.ingen': { groups: ['Alle ansatte'] },
        'eva.udloeb': { groups: ['bb-chef'] },
        'frede.falsk': { groups: ['bb-chef'] },
      },
    });
    env = await startBrowserApp(
      (db) =>
        db.pool.query(
          `INSERT INTO sso_group_mapping (municipality_code, group_id, role, teams) VALUES
             (461, 'bb-chef', 'chef', '{}'), (461, 'bb-syd', 'teamleder', '{Team Syd}'), (461, 'bb-nord', 'teamleder', '{Team Nord}')`,
        ),
      'Team Syd',
      {
        port,
        config: {
          oidc: {
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            label: LABEL,
            groupsClaim: 'groups',
            usernameClaim: 'preferred_username',
            scope: 'openid profile email',
          },
        },
      },
    );
  });
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  const newContext = () => env.browser.newContext({ locale: 'da-DK', viewport: { width: 1366, height: 768 } });
  const userRow = async (username: string) =>
    (
      await env.db.pool.query(
        `SELECT role, municipality_code AS municipality, teams, auth_source AS "authSource", external_id AS "externalId", email
         FROM app_user WHERE username = $1`,
        [username],
      )
    ).rows[0];
  /** The audit log's login rows of the callback for the name (polled: rows are written after the answer). */
  const auditedLogins = async (username: string, action: 'login' | 'login.failed', count = 1) => {
    const rows = async () =>
      (
        await env.db.pool.query(
          `SELECT role, municipality_code AS municipality, status FROM audit_log
           WHERE action = $2 AND username = $1 AND detail->>'path' = '/api/v1/auth/oidc/callback' ORDER BY id`,
          [username, action],
        )
      ).rows;
    await expect.poll(async () => (await rows()).length).toBeGreaterThanOrEqual(count);
    return rows();
  };
  const meWith = (token: string) => fetch(`${env.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });

  /** From Børneblik's login page through the organisation's button to the provider's login form. */
  async function toProvider(page: Page): Promise<void> {
    await page.goto(env.base);
    await page.getByRole('link', { name: LABEL }).click();
    await page.locator('input[name=login]').waitFor();
    expect(new URL(page.url()).origin).toBe(idp.issuer);
  }

  /** The provider's login form, filled in (the development form takes any password). */
  async function signInAtProvider(page: Page, login: string): Promise<void> {
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('hemmeligt-kodeord');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }

  /**
   * Logs in through the provider, noting what a replay needs: the callback's address (code and
   * state), the state cookie and the login in flight as Børneblik kept it before the callback.
   */
  async function loginNoting(context: BrowserContext, login: string) {
    const page = await context.newPage();
    let url = '';
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === CALLBACK) url = r.url();
    });
    await toProvider(page);
    const cookie = (await context.cookies()).find((c) => c.name === 'bu_oidc_state')!;
    const [pending] = (await env.db.pool.query(`SELECT * FROM sso_request WHERE id = $1`, [cookie.value])).rows;
    await signInAtProvider(page, login);
    await page.getByTestId('current-user').waitFor();
    return { page, url, cookie, pending };
  }

  async function refusal(page: Page): Promise<string> {
    await page.getByRole('heading', { level: 1 }).waitFor();
    return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  }

  it('logs in through the provider: the mapped role, municipality and teams, a user made from the token', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(env.base);
    await page.getByRole('link', { name: LABEL }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await toProvider(page);
    await signInAtProvider(page, 'anna.chef');
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').innerText()).toMatch(/anna\.chef · Chef/);
    // The ticket is gone from the address; the token is where a password login puts it.
    expect(page.url()).not.toContain('ticket');
    const token = await page.evaluate(() => sessionStorage.getItem('boerneblik.token'));
    const me = await (await meWith(token!)).json();
    expect(me).toEqual({ username: 'anna.chef', role: 'chef', municipalities: [461], teams: [] });
    expect(await userRow('anna.chef')).toEqual({
      role: 'chef',
      municipality: 461,
      teams: [],
      authSource: 'oidc',
      externalId: `${idp.issuer}|anna.chef`,
      email: 'anna.chef@testkommune.dk',
    });
    // In the audit log as a login, like a password login.
    expect(await auditedLogins('anna.chef', 'login')).toEqual([{ role: 'chef', municipality: 461, status: 302 }]);
    // The login in flight is used up and its cookie gone.
    expect((await env.db.pool.query(`SELECT count(*)::int AS n FROM sso_request WHERE provider = 'oidc'`)).rows[0].n).toBe(0);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('bu_oidc_state');
    await context.close();
  });

  it('refuses a callback whose state is not the one this browser started, or was changed', async () => {
    const a = await newContext();
    const { url, cookie } = await loginNoting(a, 'anna.chef');
    // Another browser with a's callback (a stolen or forced address): no session.
    const b = await newContext();
    const other = await b.newPage();
    await other.goto(url);
    expect(await refusal(other)).toContain('hører ikke til et log ind, der er startet i denne browser');
    expect(await other.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
    // The browser that started it, with its cookie, but the state in the answer changed.
    await a.addCookies([cookie]);
    const page = await a.newPage();
    const wrong = new URL(url);
    wrong.searchParams.set('state', 'x'.repeat(43));
    await page.goto(wrong.href);
    expect(await refusal(page)).toContain('hører ikke til et log ind, der er startet i denne browser');
    // Failed logins in the audit log, by no name (the provider's token was never read).
    expect((await auditedLogins('-', 'login.failed', 2)).map((r) => r.status)).toEqual([400, 400]);
    await page.getByRole('link', { name: 'Til log ind-siden' }).click();
    await page.getByLabel('Brugernavn').waitFor();
    await a.close();
    await b.close();
  });

  it('refuses a replayed callback: the login in flight is used once, and the provider takes a code once', async () => {
    const context = await newContext();
    const { url, cookie, pending } = await loginNoting(context, 'anna.chef');
    expect(pending).toMatchObject({ id: cookie.value, provider: 'oidc' });
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/v1/auth/oidc' });
    expect(new URL(url).searchParams.get('state')).toBe(cookie.value);

    // The same answer again, cookie and all: the login in flight is gone.
    await context.addCookies([cookie]);
    const again = await context.newPage();
    await again.goto(url);
    expect(await refusal(again)).toContain('allerede brugt eller for gammelt');
    // Even were Børneblik's row still there, the provider refuses the code a second time.
    await env.db.pool.query(`INSERT INTO sso_request (id, provider, nonce, code_verifier) VALUES ($1, 'oidc', $2, $3)`, [
      pending.id,
      pending.nonce,
      pending.code_verifier,
    ]);
    await context.addCookies([cookie]);
    await again.goto(url);
    expect(await refusal(again)).toContain('Koden fra organisationens log ind er allerede brugt eller udløbet');
    expect(await again.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
    await context.close();
  });

  it('refuses an ID token that has expired (the provider clock an hour behind)', async () => {
    const context = await newContext();
    const page = await context.newPage();
    idp.clockBehindSeconds = 3600;
    try {
      await toProvider(page);
      await signInAtProvider(page, 'eva.udloeb');
      expect(await refusal(page)).toContain('Beviset fra organisationens log ind er udløbet');
    } finally {
      idp.clockBehindSeconds = 0;
    }
    expect(await userRow('eva.udloeb')).toBeUndefined();
    await context.close();
  });

  it("refuses an ID token not signed with the provider's key (a forged token on a broken TLS path)", async () => {
    const context = await newContext();
    const page = await context.newPage();
    idp.signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    try {
      await toProvider(page);
      await signInAtProvider(page, 'frede.falsk');
      expect(await refusal(page)).toContain('Svaret fra organisationens log ind kunne ikke godkendes');
    } finally {
      idp.signingKey = null;
    }
    expect(await userRow('frede.falsk')).toBeUndefined();
    expect(await page.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
    await context.close();
  });

  it('a person without a mapped group gets the Danish page saying whom to ask, and no user is made', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await toProvider(page);
    await signInAtProvider(page, 'ib.ingen');
    const text = await refusal(page);
    expect(text).toContain('Du har ikke adgang til Børneblik endnu');
    expect(text).toContain('Børneblik-administrator');
    expect(await userRow('ib.ingen')).toBeUndefined();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await auditedLogins('ib.ingen', 'login.failed')).toEqual([{ role: '-', municipality: null, status: 403 }]);
    // Nor is the ID token kept for a logout that will never come.
    expect((await env.db.pool.query(`SELECT 1 FROM oidc_session WHERE external_id = $1`, [`${idp.issuer}|ib.ingen`])).rowCount).toBe(0);
    await context.close();
  });

  it('a group change at the provider takes effect at the next login, and ends the old tokens', async () => {
    const first = await newContext();
    const page = await first.newPage();
    await toProvider(page);
    await signInAtProvider(page, 'tom.leder');
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').innerText()).toMatch(/tom\.leder · Teamleder/);
    const before = (await page.evaluate(() => sessionStorage.getItem('boerneblik.token')))!;
    expect(await (await meWith(before)).json()).toMatchObject({ role: 'teamleder', teams: ['Team Syd'] });

    idp.accounts.set('tom.leder', { groups: ['bb-nord'] });
    // Until the next login nothing changes.
    expect((await meWith(before)).status).toBe(200);
    const second = await newContext();
    const again = await second.newPage();
    await toProvider(again);
    await signInAtProvider(again, 'tom.leder');
    await again.getByTestId('current-user').waitFor();
    const after = (await again.evaluate(() => sessionStorage.getItem('boerneblik.token')))!;
    expect(await (await meWith(after)).json()).toMatchObject({ role: 'teamleder', teams: ['Team Nord'] });
    expect(await userRow('tom.leder')).toMatchObject({ teams: ['Team Nord'] });
    // The token of the old teams no longer works.
    expect((await meWith(before)).status).toBe(401);

    idp.accounts.set('tom.leder', { groups: ['bb-chef'] });
    const third = await newContext();
    const chief = await third.newPage();
    await toProvider(chief);
    await signInAtProvider(chief, 'tom.leder');
    await chief.getByTestId('current-user').waitFor();
    expect(await chief.getByTestId('current-user').innerText()).toMatch(/tom\.leder · Chef/);
    expect((await meWith(after)).status).toBe(401);
    for (const c of [first, second, third]) await c.close();
  });

  it("logging out ends the provider's session too: the next login asks for the password again", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await toProvider(page);
    await signInAtProvider(page, 'anna.chef');
    await page.getByTestId('current-user').waitFor();
    const token = (await page.evaluate(() => sessionStorage.getItem('boerneblik.token')))!;
    // While the provider's session lasts, the organisation's button logs in without a password.
    const quiet = await context.newPage();
    await quiet.goto(env.base);
    await quiet.getByRole('link', { name: LABEL }).click();
    await quiet.getByTestId('current-user').waitFor();
    await quiet.close();

    const logouts = idp.logouts;
    await page.getByRole('button', { name: 'Log ud' }).click();
    // The provider's own logout page (RP-initiated logout with the ID token as hint), then back to the login page.
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByLabel('Brugernavn').waitFor();
    expect(new URL(page.url()).origin).toBe(env.base);
    expect(idp.logouts).toBe(logouts + 1);
    expect((await meWith(token)).status).toBe(401);
    expect(await page.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
    expect(
      (await env.db.pool.query(`SELECT count(*)::int AS n FROM oidc_session WHERE external_id = $1`, [`${idp.issuer}|anna.chef`])).rows[0]
        .n,
    ).toBe(0);

    // The provider asks for the password again.
    await page.getByRole('link', { name: LABEL }).click();
    await page.locator('input[name=password]').waitFor();
    await signInAtProvider(page, 'anna.chef');
    await page.getByTestId('current-user').waitFor();
    await context.close();
  });
});
