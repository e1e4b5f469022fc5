import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserApp, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { freePort } from '../support/pg-cluster';
import { ATTR, TestSamlIdp } from '../support/saml-idp';

// Issue 15, point 2, in Chromium: the login page's SAML button goes to the identity provider made
// in the test, whose page posts the signed response back to Børneblik's ACS (HTTP-POST binding);
// the user lands in the dashboard with the role of the mapped group. Without a mapped group the
// Danish page says whom to ask, and no session is made.
const SP_ENTITY_ID = 'https://boerneblik.test/saml';

describe('dashboard in Chromium: SAML 2.0 login through the login button', () => {
  let env: BrowserApp;
  let idp: TestSamlIdp;

  beforeAll(async () => {
    idp = await new TestSamlIdp('http://idp.test/adfs/services/trust', SP_ENTITY_ID).start();
    // The ACS address is configured, never taken from the request: the port is chosen first.
    const port = await freePort();
    env = await startBrowserApp(
      (db) =>
        db.pool.query(
          `INSERT INTO sso_group_mapping (municipality_code, group_id, role, teams) VALUES (461, 'BU-Ledere-Syd', 'teamleder', '{Team Syd}')`,
        ),
      'Team Syd',
      {
        config: {
          saml: {
            entryPoint: idp.entryPoint,
            idpCerts: [idp.keyPair.cert],
            idpIssuer: idp.entityId,
            entityId: SP_ENTITY_ID,
            acsUrl: `http://127.0.0.1:${port}/api/v1/auth/saml/acs`,
            attributes: { ...ATTR },
            label: 'Log ind med Silkeborg Kommunes AD FS',
          },
        },
        port,
      },
    );
  });
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  it('logs in through the button: the user lands with the mapped role and team', async () => {
    idp.user = { nameId: 'S-1-5-21-karin', username: 'karin@silkeborg.dk', email: 'karin@silkeborg.dk', groups: ['BU-Ledere-Syd'] };
    const page = await env.browser.newPage({ locale: 'da-DK', viewport: { width: 1366, height: 768 } });
    try {
      await page.goto(env.base);
      await page.getByRole('link', { name: 'Log ind med Silkeborg Kommunes AD FS' }).click();
      await page.getByTestId('current-user').waitFor();
      expect(await page.getByTestId('current-user').textContent()).toContain('karin@silkeborg.dk');
      expect(page.url()).not.toContain('ticket');
      expect(idp.requests).toHaveLength(1);
      // The session the page holds is the mapped one.
      const token = await page.evaluate(() => sessionStorage.getItem('boerneblik.token'));
      const me = await fetch(`${env.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json());
      expect(me).toMatchObject({ username: 'karin@silkeborg.dk', role: 'teamleder', teams: ['Team Syd'] });
    } finally {
      await page.close();
    }
  });

  it('a user without a mapped group sees the Danish page saying whom to ask, with a way back', async () => {
    idp.user = { nameId: 'S-1-5-21-ole', username: 'ole@silkeborg.dk', groups: ['Alle medarbejdere'] };
    const page = await env.browser.newPage({ locale: 'da-DK', viewport: { width: 1366, height: 768 } });
    try {
      await page.goto(env.base);
      await page.getByRole('link', { name: 'Log ind med Silkeborg Kommunes AD FS' }).click();
      await page.getByRole('heading', { name: 'Du har ikke adgang til Børneblik endnu' }).waitFor();
      expect(await page.textContent('body')).toContain('Bed din kommunes Børneblik-administrator om adgang');
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await page.evaluate(() => sessionStorage.getItem('boerneblik.token'))).toBeNull();
      await page.getByRole('link', { name: 'Til log ind-siden' }).click();
      await page.getByLabel('Brugernavn').waitFor();
      const { rows } = await env.db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE username = 'ole@silkeborg.dk'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await page.close();
    }
  });
});
