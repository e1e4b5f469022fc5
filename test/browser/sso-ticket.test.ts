import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { launchBrowser } from '../support/browser';
import { insertTicket } from '../support/sso';
import { PASSWORD } from '../support/api';

// Issue 15: the login page shows the organisation's button once a provider is set up, and a
// provider's callback lands the browser on #/sso?ticket=…, which the page exchanges for a session
// and removes from the address (the protocols' own browser tests run the whole flow).
describe('dashboard in Chromium: the organisation login button and the ticket handover', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async () => undefined, 'Team Syd');
    env.app
      .get(SsoService)
      .registerProvider({ id: 'oidc', label: 'Log ind med Silkeborg Kommunes konto', loginUrl: '/api/v1/auth/oidc/login' });
  });
  afterAll(() => env?.close());

  /** A ticket as a provider's callback leaves it: in the address, with its binding cookie in the browser. */
  const ticketFor = async (context: BrowserContext, username: string) => {
    const { ticket, cookie } = await insertTicket(env.db.pool, username);
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: `${env.base}/api/v1/auth/sso`, httpOnly: true, sameSite: 'Lax' }]);
    return ticket;
  };

  it('shows the button, and a ticket logs in once; the address keeps no ticket', async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ locale: 'da-DK', viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(env.base);
      const button = page.getByRole('link', { name: 'Log ind med Silkeborg Kommunes konto' });
      expect(await button.getAttribute('href')).toBe('/api/v1/auth/oidc/login');
      await page.getByLabel('Brugernavn').waitFor();

      // The provider's redirect is a new page load (a hash change alone would not be).
      const ticket = await ticketFor(context, 'chef');
      await page.goto('about:blank');
      await page.goto(`${env.base}/#/sso?ticket=${ticket}`);
      await page.getByTestId('current-user').waitFor();
      expect(await page.getByTestId('current-user').textContent()).toContain('chef');
      expect(page.url()).not.toContain('ticket');
      // The same ticket a second time: the login page, with the reason in Danish.
      await page.evaluate(() => sessionStorage.clear());
      await page.goto('about:blank');
      await page.goto(`${env.base}/#/sso?ticket=${ticket}`);
      expect(await page.getByRole('alert').textContent()).toBe('Log ind-billetten er brugt eller udløbet. Log ind igen.');
    } finally {
      await browser.close();
    }
  });
  it("gives a ticket's user their own municipalities in a tab still signed in as another (ADR 0112)", async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ locale: 'da-DK', viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(env.base);
      await page.getByLabel('Brugernavn').fill('chef');
      await page.getByLabel('Adgangskode').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log ind' }).click();
      await page.getByTestId('current-user').waitFor();
      // A ticket of chef-kbh (København) lands in the same tab, whose token is still chef's (Odense):
      // the page asks who the user is with that token before it exchanges the ticket.
      const ticket = await ticketFor(context, 'chef-kbh');
      await page.goto('about:blank');
      await page.goto(`${env.base}/#/sso?ticket=${ticket}`);
      await page.getByText('chef-kbh').first().waitFor();
      await page.waitForLoadState('networkidle');
      const named = await page.getByRole('group', { name: 'Filtre' }).locator('> span').first().textContent();
      expect(named).toBe('København Kommune');
    } finally {
      await browser.close();
    }
  });
});
