import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';
import { BrowserApp, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { FIXTURES, dubuAs } from '../support/fixtures';

// Issue 17's leftover: a user who sees several municipalities chooses one in the filter bar (it lives
// in the address, ADR 66), and every link inside the app keeps it. The same export as Odense (461)
// and as København (101); by name København comes first, so the user picks the second, Odense.
// A national chief (a shared service's: no municipality of its own) reaches every link tested: the
// navigation, the case review's rounds, cases and back links, the administration's sections and the
// team leader's work list's link to data quality.
const D = '2024-04-30';
const ODENSE = '461';

describe('the chosen municipality in every link, in Chromium', () => {
  let env: BrowserApp;
  let roundId: number;

  beforeAll(async () => {
    const copenhagen = dubuAs(join(FIXTURES, 'dubu-deadlines'), 101);
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
      await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
      // The user store makes only an administrator national: the chief is one by the database.
      await addUser(db.pool, { username: 'chef-landet', password: PASSWORD, role: 'admin' });
      await db.pool.query(`UPDATE app_user SET role = 'chef' WHERE username = 'chef-landet'`);
    }, 'Team Syd');
    // A round in Odense only: København's list of rounds is empty.
    ({ id: roundId } = await env.api<{ id: number }>('chef', '/api/v1/reviews', {
      method: 'POST',
      body: { title: 'Tilsyn i Odense', asOf: D, sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } },
    }));
  });
  afterAll(() => env?.close());

  const municipalitySelect = (page: Page) => page.getByRole('group', { name: 'Filtre' }).getByLabel('Kommune');
  /** Follows a link, waits for the page its address names, and checks the municipality is still Odense. */
  const follow = async (page: Page, link: ReturnType<Page['getByRole']>, path: string) => {
    await link.click();
    await page.waitForURL((url) => url.hash.split('?')[0] === `#/${path}`);
    expect(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('municipality'), path).toBe(ODENSE);
    expect(await municipalitySelect(page).inputValue(), path).toBe(ODENSE);
  };

  it('keeps the second municipality through the navigation, the case review and the work lists', async () => {
    const page = await env.login('chef-landet');
    const select = municipalitySelect(page);
    await select.locator('option').nth(1).waitFor({ state: 'attached' });
    expect(await select.locator('option').allTextContents()).toEqual(['København', 'Odense']);
    expect(await select.inputValue()).toBe('101');
    await select.selectOption(ODENSE);
    await page.waitForURL((url) => url.hash.includes(`municipality=${ODENSE}`));
    const nav = page.getByRole('navigation', { name: 'Visninger' });

    // The case review: its rounds (Odense's round is listed), a round, a case, and back again.
    await follow(page, nav.getByRole('link', { name: 'Sagsgennemgang' }), 'sagsgennemgang');
    const round = page.getByTestId(`round-${roundId}`);
    await follow(page, round.getByRole('link', { name: 'Tilsyn i Odense' }), `sagsgennemgang/${roundId}`);
    await follow(page, page.getByTestId('case-C1').getByRole('link', { name: 'Sag C1' }), `sagsgennemgang/${roundId}/C1`);
    await page.getByTestId('case-review').waitFor();
    await follow(page, page.getByRole('link', { name: '← Tilbage til gennemgangen' }), `sagsgennemgang/${roundId}`);
    await follow(page, page.getByRole('link', { name: '← Alle gennemgange' }), 'sagsgennemgang');
    await round.waitFor();

    // The administration and one of its sections; the report archive.
    await follow(page, nav.getByRole('link', { name: 'Administration' }), 'admin');
    await follow(
      page,
      page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Indstillinger' }),
      'admin/indstillinger',
    );
    await follow(page, nav.getByRole('link', { name: 'Rapporter' }), 'rapporter');

    // The team leader's work list: an item more than a year overdue links to data quality.
    await follow(page, nav.getByRole('link', { name: 'Teamleder' }), 'teamleder');
    const old = page.getByTestId('figure-deadline.followup_overdue').getByTestId('old-registrations');
    await follow(page, old.getByRole('link', { name: 'datakvalitet' }), 'datakvalitet');
    await page.close();
  });
});
