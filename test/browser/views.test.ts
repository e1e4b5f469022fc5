import { strFromU8, unzipSync, zipSync } from 'fflate';
import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '@bu/dashboards';
import { importDubu, importEconomy, importStatistics, startEtlWorker } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { hotp, newTotpSecret, totpStep } from '../../apps/api/src/auth/totp';
import { addUser, setUserTotp } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';
import { TEST_SECRET } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

describe('dashboard in Chromium: the team leader sees caseload per caseworker', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D }),
      'Team Syd',
    );
  });
  afterAll(() => env?.close());
  const loginAs = (username: string, viewport?: { width: number; height: number }) => env.login(username, { viewport });

  it('shows the bar chart with the numbers the API gives, and the table behind it', async () => {
    const page = await loginAs('teamleder');
    const figure = page.getByTestId('figure-caseload.open_cases');
    await figure.waitFor();
    // The heading names the team shown: the leader's own (GET /me).
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Teamleder: Team Syd');
    expect(await page.getByTestId('as-of').textContent()).toContain('29.02.2024');
    // The chart: one bar label per caseworker of the team, by name.
    const chart = figure.locator('.chart[role=img]');
    expect(await chart.getAttribute('aria-label')).toBe('Sager pr. rådgiver: Eva Friis 4, Ida Jensen 0');
    // Drawn once ECharts has loaded (a chunk of its own, ADR 0080).
    await figure.locator('svg path').first().waitFor({ state: 'attached' });
    await page.screenshot({ path: join(OUT, 'teamleder-1366.png'), fullPage: true });

    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    const ef = figure.getByTestId('row-EF');
    expect(await ef.locator('th').textContent()).toBe('Eva Friis');
    expect(await ef.locator('td').getAttribute('data-value')).toBe('4');
    expect(await figure.getByTestId('row-IJ').locator('td').getAttribute('data-value')).toBe('0');
    // Team scope: Team Nord's caseworkers are not shown to Team Syd's leader.
    expect(await figure.getByTestId('row-AB').count()).toBe(0);
    await page.close();
  });

  it("colours each caseworker's bar by the norm light of the API's ratio and draws the 1,0 and 1,15 lines", async () => {
    const page = await loginAs('teamleder');
    const figure = page.getByTestId('figure-caseload.vs_norm');
    await figure.waitFor();
    const api = await env.api<{ kpis: Record<string, Record<string, number>> }>(
      'teamleder',
      `/api/v1/kpis?ids=caseload.vs_norm&asOf=${DUBU_SMALL_D}`,
    );
    const ratios = api.kpis['caseload.vs_norm'];
    expect(Object.keys(ratios).sort()).toEqual(['EF', 'IJ']);
    const word = (r: number) => (r <= 1 ? 'grøn' : r <= 1.15 ? 'gul' : 'rød');
    const colour = (r: number) => (r <= 1 ? '#1f5f99' : r <= 1.15 ? '#d69e00' : '#b42318');
    const label = (await figure.locator('.chart[role=img]').getAttribute('aria-label'))!;
    for (const [key, name] of [
      ['EF', 'Eva Friis'],
      ['IJ', 'Ida Jensen'],
    ]) {
      expect(label).toContain(`${name} ${ratios[key].toLocaleString('da-DK', { maximumFractionDigits: 1 })} (${word(ratios[key])})`);
      await figure
        .locator(`svg path[fill="${colour(ratios[key])}"]`)
        .first()
        .waitFor({ state: 'attached' });
    }
    // The two reference lines, labelled.
    const svgText = await figure.locator('svg').textContent();
    expect(svgText).toContain('Norm');
    expect(svgText).toContain('1,15');
    await page.close();
  });

  it('draws a bar yellow above the norm up to 1,15 and red above, as the API computes with a lower norm', async () => {
    const { municipality } = await env.api<{ municipality: number }>('teamleder', `/api/v1/kpis?ids=caseload.vs_norm&asOf=${DUBU_SMALL_D}`);
    // Eva Friis has 4 open cases: norm 3,5 → 1,14 (yellow); norm 3 → 1,33 (red). Ida Jensen 0 stays green.
    const expectLight = async (norm: number, colour: string, word: string) => {
      await env.api('admin', '/api/v1/settings/caseload.norms', {
        method: 'PUT',
        body: { municipality, value: { Udsatte: norm, Handicap: norm } },
      });
      const api = await env.api<{ kpis: Record<string, Record<string, number>> }>(
        'teamleder',
        `/api/v1/kpis?ids=caseload.vs_norm&asOf=${DUBU_SMALL_D}`,
      );
      expect(api.kpis['caseload.vs_norm'].EF).toBeCloseTo(4 / norm, 6);
      const page = await loginAs('teamleder');
      const figure = page.getByTestId('figure-caseload.vs_norm');
      await figure.waitFor();
      const label = await figure.locator('.chart[role=img]').getAttribute('aria-label');
      expect(label).toContain(`Eva Friis ${(4 / norm).toLocaleString('da-DK', { maximumFractionDigits: 1 })} (${word})`);
      expect(label).toContain('Ida Jensen 0 (grøn)');
      await figure.locator(`svg path[fill="${colour}"]`).first().waitFor({ state: 'attached' });
      await page.close();
    };
    try {
      await expectLight(3.5, '#d69e00', 'gul');
      await expectLight(3, '#b42318', 'rød');
    } finally {
      await env.api('admin', '/api/v1/settings/caseload.norms', {
        method: 'PUT',
        body: { municipality, value: { Udsatte: 40, Handicap: 55 } },
      });
    }
  });

  it("colours the bars and draws the lines by the municipality's own light limits, not the defaults", async () => {
    const { municipality } = await env.api<{ municipality: number }>('teamleder', `/api/v1/kpis?ids=caseload.vs_norm&asOf=${DUBU_SMALL_D}`);
    // Eva Friis: 4 open cases at the default norm 40 → 0,1. Ida Jensen 0. With the municipality's
    // light green ≤ 0,05, yellow ≤ 0,2 Eva is yellow (the default 1,0/1,15 would make her green);
    // with yellow ≤ 0,08 she is red. Ida stays green.
    const expectLight = async (light: { green: number; yellow: number }, colour: string, word: string, lines: string[]) => {
      await env.api('admin', '/api/v1/settings/caseload.light', { method: 'PUT', body: { municipality, value: light } });
      const page = await loginAs('teamleder');
      const figure = page.getByTestId('figure-caseload.vs_norm');
      await figure.waitFor();
      const label = await figure.locator('.chart[role=img]').getAttribute('aria-label');
      expect(label).toContain(`Eva Friis 0,1 (${word})`);
      expect(label).toContain('Ida Jensen 0 (grøn)');
      await figure.locator(`svg path[fill="${colour}"]`).first().waitFor({ state: 'attached' });
      const svgText = await figure.locator('svg').textContent();
      for (const line of lines) expect(svgText).toContain(line);
      await page.close();
    };
    try {
      await expectLight({ green: 0.05, yellow: 0.2 }, '#d69e00', 'gul', ['Norm', '0,05', '0,2']);
      await expectLight({ green: 0.05, yellow: 0.08 }, '#b42318', 'rød', ['Norm', '0,05', '0,08']);
    } finally {
      await env.api('admin', `/api/v1/settings/caseload.light?municipality=${municipality}`, { method: 'DELETE' });
    }
  });

  it("names the rejected rows' rules by their Danish titles, and each count opens the rows behind it", async () => {
    const page = await loginAs('chef');
    await page.goto(`${env.base}/#/datakvalitet`);
    const figure = page.getByTestId('figure-dq.rejected_rows');
    await figure.locator('table').first().waitFor();
    const text = (await figure.locator('table').first().textContent())!;
    // DUBU_SMALL: R003 (sager.csv line 15), R005 (line 14), R011 (sagsansvar.csv line 17), by title only.
    for (const title of ['Dato før 1970', 'Slutdato før startdato', 'Henviser til en ukendt sag']) expect(text).toContain(title);
    expect(text).not.toMatch(/R0\d\d/);
    const open = figure.getByRole('button', { name: 'Afviste rækker: 1' });
    expect(await open.count()).toBe(3);
    await open.nth(2).click();
    expect(await open.nth(2).getAttribute('aria-expanded')).toBe('true');
    const rows = figure.locator('tr.opened-rows');
    expect(await rows.count()).toBe(1);
    expect(await rows.locator('tbody td').allTextContents()).toEqual(['17', 'S99', 'Sagsnummer S99 findes ikke i sager.csv.']);
    await open.nth(2).click();
    expect(await rows.count()).toBe(0);
    await page.close();
  });

  it("gives the team leader the rejected rows' counts but not the rows, which carry no team", async () => {
    const page = await loginAs('teamleder');
    await page.goto(`${env.base}/#/datakvalitet`);
    const figure = page.getByTestId('figure-dq.rejected_rows');
    await figure.locator('table').first().waitFor();
    expect(await figure.locator('table').first().textContent()).toContain('Henviser til en ukendt sag');
    expect(await figure.getByRole('button', { name: 'Afviste rækker: 1' }).count()).toBe(0);
    expect(await figure.textContent()).not.toContain('S99');
    await page.close();
  });

  it('names "alle teams" in the heading for the chief, who sees every team', async () => {
    const page = await loginAs('chef');
    await page.goto(`${env.base}/#/teamleder`);
    await page.getByTestId('figure-caseload.open_cases').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Teamleder: alle teams');
    await page.close();
  });

  it("takes the period from the filter: the figures are the API's for that period", async () => {
    const page = await loginAs('teamleder');
    const figure = page.getByTestId('figure-deadline.notification_24h');
    await figure.waitFor();
    // The card shows what the API gives for the period: a share, or "ingen sager" for null.
    const shows = async (from: string | null) => {
      const api = await env.api<{ kpis: Record<string, number | null> }>(
        'teamleder',
        `/api/v1/kpis?ids=deadline.notification_24h&asOf=${DUBU_SMALL_D}${from ? `&from=${from}` : ''}`,
      );
      const value = api.kpis['deadline.notification_24h'];
      await (
        value === null
          ? figure.locator('.big-number', { hasText: 'ingen sager i perioden' })
          : figure.locator(`.big-number[data-value="${String(value)}"]`)
      ).waitFor();
    };
    await page.getByLabel('Periode fra').fill('01.02.2024');
    await page.getByTestId('as-of').filter({ hasText: 'periode 01.02.2024–29.02.2024' }).waitFor();
    await shows('2024-02-01');
    // Cleared: back to the default period from 1 January of D's year.
    await page.getByLabel('Periode fra').fill('');
    await page.getByTestId('as-of').filter({ hasText: 'periode 01.01.2024–29.02.2024' }).waitFor();
    await shows(null);
    await page.close();
  });

  it('fits a 1024×768 tablet without horizontal scrolling', async () => {
    const page = await loginAs('teamleder', { width: 1024, height: 768 });
    await page.getByTestId('figure-caseload.open_cases').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(OUT, 'teamleder-1024.png'), fullPage: true });
    await page.close();
  });

  it('does not offer the team leader view to the committee', async () => {
    const page = await loginAs('udvalg');
    const nav = page.getByRole('navigation', { name: 'Visninger' });
    // Its view, its report archive (test/browser/reports.test.ts) and the case reviews' aggregates (case-review.test.ts).
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Udvalg', 'Rapporter', 'Sagsgennemgang']);
    await page.goto(`${env.base}/#/teamleder`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Udvalg');
    expect(await page.getByTestId('figure-caseload.open_cases').count()).toBe(0);
    await page.close();
  });

  it('tells a wrong password in Danish', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.base);
    await page.getByLabel('Brugernavn').fill('chef');
    await page.getByLabel('Adgangskode').fill('forkert');
    await page.getByRole('button', { name: 'Log ind' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Forkert brugernavn eller adgangskode');
    await page.close();
  });

  it('asks a user with a second factor for the one-time code after the password, in Danish (ADR 0116)', async () => {
    const secret = newTotpSecret();
    await addUser(env.db.pool, { username: 'to-faktor', password: PASSWORD, role: 'chef', municipality: 461 });
    await setUserTotp(env.db.pool, 'to-faktor', secret);
    const page = await env.browser.newPage();
    await page.goto(env.base);
    await page.getByLabel('Brugernavn').fill('to-faktor');
    await page.getByLabel('Adgangskode').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    const codeField = page.getByLabel('Engangskode fra din godkendelses-app');
    await codeField.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('code');
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const wrong = String((Number(hotp(secret, totpStep())) + 500_000) % 1_000_000).padStart(6, '0');
    await codeField.fill(wrong);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Forkert engangskode, eller koden er brugt. Vent på den næste kode i appen, og prøv igen.',
    );
    await codeField.fill(hotp(secret, totpStep()));
    await page.getByRole('button', { name: 'Log ind' }).click();
    expect(await page.getByTestId('current-user').textContent()).toContain('to-faktor');
    await page.close();
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    const page = await loginAs('teamleder');
    await page.getByTestId('figure-caseload.open_cases').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('the team leader work lists in Chromium', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    }, 'Team Syd');
  });
  afterAll(() => env?.close());

  it('shows the overdue follow-ups of the own team with names, Danish dates and days overdue, as the API computes them', async () => {
    const page = await env.login('teamleder');
    const followups = page.getByTestId('figure-deadline.followup_overdue');
    await followups.waitFor();
    expect(await followups.getByTestId('count').textContent()).toBe(' 2');
    // Today's work first: C7 (151 days over) in the list; C9 (395 days, more than a year) apart, with the way to correct it.
    const lists = followups.locator('table.work-list');
    expect(await lists.count()).toBe(2);
    expect(await lists.nth(0).getByTestId('list-row-C7').count()).toBe(1);
    expect(await lists.nth(0).getByTestId('list-row-C9').count()).toBe(0);
    const old = followups.getByTestId('old-registrations');
    expect(await old.getByRole('heading', { level: 3 }).textContent()).toBe('Gamle registreringer — ret i fagsystemet (1)');
    expect(await old.getByRole('link', { name: 'datakvalitet' }).getAttribute('href')).toBe('#/datakvalitet');
    const first = old.getByTestId('list-row-C9');
    expect(await first.locator('td').allTextContents()).toEqual(['Døgninstitution', 'C9', 'Cita Clausen', '01.04.2023', '395']);
    expect(await followups.getByTestId('list-row-C7').locator('td').nth(4).getAttribute('data-value')).toBe('151');
    // A share with its light in words: Team Syd has no notifications in the period → no figure, not 0 %.
    expect(await page.getByTestId('figure-deadline.notification_24h').locator('.big-number').textContent()).toContain('–');
    expect(await page.getByTestId('figure-caseload.unassigned').getByText('Ingen på listen.').count()).toBe(1);
    // Soon due (libs/kpi/src/deadline/measures.spec.ts): Y5's next visit is due on D itself, 0 days left; nothing else of Team Syd's.
    const visitsSoon = page.getByTestId('figure-deadline.supervision_due_soon');
    expect(await visitsSoon.getByTestId('count').textContent()).toBe(' 1');
    expect(await visitsSoon.getByTestId('list-row-C7').locator('td').allTextContents()).toEqual([
      'Opholdssted',
      'C7',
      'Cita Clausen',
      '30.04.2024',
      '0',
    ]);
    expect(await visitsSoon.getByRole('columnheader').allTextContents()).toEqual([
      'Anbringelse',
      'Sag',
      'Rådgiver',
      'Frist',
      'Dage til frist',
    ]);
    expect(await page.getByTestId('figure-deadline.followup_due_soon').getByTestId('count').textContent()).toBe(' 0');
    await page.screenshot({ path: join(OUT, 'teamleder-worklists-1366.png'), fullPage: true });
    await page.close();
  });
});

describe('the committee view in Chromium', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-02-29' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
      await importStatistics(db.pool, join(ROOT, 'test/fixtures/statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
  });
  afterAll(() => env?.close());

  it('compares placed children per 1,000 with other municipalities from the published statistics only', async () => {
    const PLACED = 'benchmark.activity.placed_children_per_1000';
    const api = await env.api<{
      kpis: Record<string, { own: number; median: number; rank: number; count: number; year: number; ownLive: number | null }>;
    }>('udvalg', `/api/v1/kpis?ids=${PLACED}`);
    const b = api.kpis[PLACED];
    // statistics-benchmark, 2023 (Odense's latest year with the figure): Odense 400, Aarhus 480,
    // Aalborg 520 placed children and young people over 50,000 / 80,000 / 52,000 0-22-year-olds →
    // 8, 6, 10 per 1,000: median 8, Odense 2nd of 3. The live rate from the own case data is not sent to the committee.
    expect([b.own, b.year, b.median, b.rank, b.count, b.ownLive]).toEqual([8, 2023, 8, 2, 3, null]);
    const page = await env.login('udvalg');
    const figure = page.getByTestId(`figure-${PLACED}`);
    await figure.waitFor();
    expect(await figure.getByTestId('benchmark-facts').textContent()).toBe('8 (2023) · median 8 · nr. 2 af 3, hvor 1 er flest anbragte');
    expect(await figure.getByRole('heading').textContent()).toBe('Anbragte børn pr. 1.000 børn — alle kommuner');
    // A short comparison: with all municipalities, no groups to choose, make or change.
    expect(await page.getByTestId('comparison-groups').count()).toBe(0);
    await page.close();
  });

  it('shows budget lights in words and symbols, "<5" for small cells, and passes axe', async () => {
    const page = await env.login('udvalg');
    const budget = page.getByTestId('budget-5.28.20');
    await budget.waitFor();
    // 5.28.20 at D = 29-02-2024: B 62,500,000 and linear forecast 59,400,003 (libs/kpi/src/budget/budget.spec.ts) → in 1.000 kr.
    // 9,900,000.50 kr. → 9.900; the deviation share −4.96 % → "-5 %" (Intl puts a no-break space before %).
    // Last year's accounts first: 5.28.20 has none in 2023 → "–"; spent through February, the heading's month.
    expect(await budget.locator('td').allTextContents()).toEqual([
      '–',
      '62.500',
      '9.900',
      '59.400',
      '-3.100 (-5\u00a0%)',
      '✓ Inden for budget',
    ]);
    // The light in the colour its word names: green text on a green ground.
    expect(await budget.locator('.light').evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])).toEqual([
      'rgb(20, 83, 45)',
      'rgb(220, 252, 231)',
    ]);
    // 2024 at D: notifications N1, N2, N8 (received by 29-02) = 3 → "<5".
    const notifications = page.getByTestId('year-row-notifications');
    expect(await notifications.locator('td').allTextContents()).toEqual(['0', '0', '<5', '<5']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'udvalg-1366.png'), fullPage: true });
    await page.close();
  });

  it("sums the budget lines in a total row, names the spend's month in words and shows last year's accounts", async () => {
    const api = await env.api<{ kpis: Record<string, Record<string, Record<string, number | null>>> }>(
      'udvalg',
      '/api/v1/kpis?ids=budget.function&asOf=2024-02-29',
    );
    const lines = Object.values(api.kpis['budget.function']);
    const total = (key: string) => lines.reduce((sum, l) => sum + (l[key] ?? 0), 0);
    // budget.spec.ts: B 62,500,000 (5.28.20) + 40,000,000 (5.28.21); S 9,900,000.50 + 3,000,000; last
    // year 900,000 (5.57.72, December 2023 only); F 59,400,003 + 36,000,000 (5.28.21 through January).
    expect([total('budget'), total('spent'), total('lastYear'), total('forecast')]).toEqual([
      102_500_000, 12_900_000.5, 900_000, 95_400_003,
    ]);
    const page = await env.login('udvalg');
    const row = page.getByTestId('budget-total');
    await row.waitFor();
    expect(await row.locator('th').textContent()).toBe('I alt');
    // Deviation and share from the sums: 95,400,003 − 102,500,000 = −7,099,997 → −7.100; −6.93 % → "-6,9 %".
    expect(await row.locator('td').allTextContents()).toEqual(['900', '102.500', '12.900', '95.400', '-7.100 (-6,9\u00a0%)', '']);
    expect(await page.getByTestId('budget-spent-heading').textContent()).toBe('Forbrug t.o.m. februar');
    expect(await page.getByTestId('budget-last-year-heading').textContent()).toBe('Regnskab 2023');
    // A line whose spend runs to another month says which, in words.
    expect(await page.getByTestId('budget-5.28.21').locator('td').nth(2).textContent()).toBe('3.000 (t.o.m. januar)');
    expect(await page.getByTestId('budget-5.57.72').locator('td').first().textContent()).toBe('900');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('draws spend to date this year against last year, the budget and the forecast, as a table and in Excel too', async () => {
    const page = await env.login('udvalg', { downloads: true });
    const figure = page.getByTestId('figure-budget.spend_curve');
    await figure.waitFor();
    const api = await env.api<{
      kpis: Record<string, Record<string, (number | null)[]>>;
    }>('udvalg', '/api/v1/kpis?ids=budget.spend_curve&asOf=2024-02-29');
    const curve = api.kpis['budget.spend_curve'];
    // libs/kpi/src/budget/spend-curve.spec.ts works these out: 2024 to February 12,900,000.50 kr.; 2023
    // only December 900,000; the budget 102,500,000; the linear forecast from February's spend to
    // December's 95,400,003.
    expect(curve['2024'].slice(0, 2)).toEqual([7_800_000.5, 12_900_000.5]);
    expect(curve.budget[0]).toBe(102_500_000);
    expect([curve.forecast[1], curve.forecast[11]]).toEqual([12_900_000.5, 95_400_003]);
    expect(await figure.locator('.chart[role=img]').getAttribute('aria-label')).toBe(
      'Forbrug år til dato mod budget: 2023: 0,9 mio. kr. til og med dec; 2024: 12,9 mio. kr. til og med feb; ' +
        'korrigeret budget 102,5 mio. kr.; forventet forbrug 95,4 mio. kr. i december',
    );
    // Four lines: the two years, the forecast (dotted) and the budget (near black), each in the legend.
    await figure.locator('svg path').first().waitFor({ state: 'attached' });
    const svgText = await figure.locator('svg').textContent();
    for (const name of ['2023', '2024', 'Forventet forbrug', 'Korrigeret budget']) expect(svgText).toContain(name);
    expect(await figure.locator('svg path[stroke="#1f2933"]').count()).toBeGreaterThan(0);
    expect(await figure.locator('svg path[stroke-dasharray]').count()).toBeGreaterThan(1);
    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await figure.locator('thead th').allTextContents()).toEqual(['Måned', '2023', '2024', 'Korrigeret budget', 'Forventet forbrug']);
    expect(
      await figure
        .getByTestId('month-2')
        .locator('td')
        .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value'))),
    ).toEqual([curve['2023'][1], curve['2024'][1], curve.budget[1], curve.forecast[1]].map(String));
    expect(await figure.getByTestId('month-3').locator('td').nth(1).textContent()).toBe('–');
    expect(await figure.getByTestId('month-12').locator('td').nth(3).textContent()).toBe('95.400.003');
    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // February's row: 0 for 2023, 12,900,000.5 for 2024, the budget and the forecast, as numbers.
    expect(sheet).toContain(
      '<c r="B3"><v>0</v></c><c r="C3"><v>12900000.5</v></c><c r="D3"><v>102500000</v></c><c r="E3"><v>12900000.5</v></c>',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('Excel download and the committee print layout', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
  });
  afterAll(() => env?.close());

  async function login(user: string): Promise<Page> {
    const page = await env.login(user, { downloads: true });
    await page.getByTestId('as-of').waitFor();
    return page;
  }

  it('downloads a chart as .xlsx with the numbers the API gives, as numeric cells', async () => {
    const page = await login('teamleder');
    const figure = page.getByTestId('figure-caseload.open_cases');
    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    expect(download.suggestedFilename()).toBe('caseload.open_cases-2024-04-30.xlsx');
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Team Nord at D: AA 4 children, BB 1 (libs/kpi/src/caseload/open-cases.spec.ts).
    expect(sheet).toMatch(
      /<c r="A2" t="inlineStr"><is><t xml:space="preserve">Alma Andersen<\/t><\/is><\/c><c r="B2" t="inlineStr"><is><t xml:space="preserve">AA<\/t><\/is><\/c><c r="C2"><v>4<\/v><\/c>/,
    );
    expect(sheet).toContain('<c r="C3"><v>1</v></c>');
    await page.close();
  });

  it("shows the second edition's supervision and continuity figures on the team leader view, continuity as one bar in three parts", async () => {
    const page = await login('teamleder');
    for (const kpi of ['supervision.two_visits_share', 'supervision.talked_alone_share', 'continuity.caseworker_changes'])
      await page.getByTestId(`figure-${kpi}`).waitFor();
    const api = await env.api<{ kpis: Record<string, Record<string, number>> }>(
      'teamleder',
      '/api/v1/kpis?ids=continuity.caseworker_changes',
    );
    // Team Nord at D = 30-04-2024 (libs/kpi/src/continuity/caseworker-changes.spec.ts): C3 (AA) and C7 (BB),
    // no change in the export → 2 children, mean 0, no change 2 / 2.
    expect(api.kpis['continuity.caseworker_changes']).toEqual({
      children: 2,
      mean: 0,
      noChangeShare: 1,
      oneChangeShare: 0,
      twoOrMoreShare: 0,
    });
    const figure = page.getByTestId('figure-continuity.caseworker_changes');
    expect(await figure.getByTestId('changes-facts').textContent()).toBe('2 børn · gennemsnitligt 0 skift pr. barn');
    // Danish number formatting puts a no-break space before %.
    const label = (await figure.locator('.chart[role=img]').getAttribute('aria-label'))!.replace(/\u00a0/g, ' ');
    expect(label).toBe(
      'Skift af rådgiver det seneste år: ingen skift 100 % (2 af 2), 1 skift 0 % (0 af 2), 2 eller flere skift 0 % (0 af 2)',
    );
    await figure.locator('svg path[fill="#1f5f99"]').first().waitFor({ state: 'attached' });
    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    const cells = async (row: string) =>
      (await figure.getByTestId(row).locator('td').allTextContents()).map((t) => t.replace(/\u00a0/g, ' '));
    expect(await cells('changes-row-noChangeShare')).toEqual(['2', '100 %']);
    expect(await cells('changes-row-twoOrMoreShare')).toEqual(['0', '0 %']);
    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Row 2: Ingen skift, 2 children, share 1.
    expect(sheet).toContain('<c r="B2"><v>2</v></c><c r="C2"><v>1</v></c>');
    await page.close();
  });

  it('says the n of each small share on the team leader view ("3 af 4"), from the counts the API sends', async () => {
    const page = await login('teamleder');
    const shares = DASHBOARDS.find((d) => d.id === 'teamleder')!.figures.filter((f) => f.chart === 'share');
    const api = await env.api<{ basis?: Record<string, { numerator: number; denominator: number }> }>(
      'teamleder',
      `/api/v1/kpis?ids=${shares.map((f) => f.kpi).join(',')}`,
    );
    let small = 0;
    for (const f of shares) {
      const figure = page.getByTestId(`figure-${f.kpi}`);
      await figure.waitFor();
      const b = api.basis?.[f.kpi];
      if (b && b.denominator < 20) {
        small++;
        expect(await figure.getByTestId('share-n').textContent(), f.kpi).toBe(` (${b.numerator} af ${b.denominator})`);
      } else expect(await figure.getByTestId('share-n').count(), f.kpi).toBe(0);
    }
    // Team Nord in dubu-chief is small: most shares rest on fewer than 20.
    expect(small).toBeGreaterThan(0);
    await page.close();
  });

  it('prints the committee view to a clean A4 PDF with date and period', async () => {
    const page = await login('udvalg');
    await page.getByTestId('budget-5.28.20').waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Hent som Excel' }).first().isVisible()).toBe(false);
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    writeFileSync(join(OUT, 'udvalg-print.pdf'), pdf);
    // The committee's figures are as of a month end, and the view says so.
    expect(await page.getByTestId('as-of').textContent()).toContain('Tal pr. 30.04.2024 (hele måneder) · periode 01.01.2024–30.04.2024');
    expect(await page.getByTestId('as-of').textContent()).toContain('data fra udtræk 30.04.2024');
    // The fixture's export is from 2024: the view warns that the data is old.
    expect(await page.getByTestId('stale-data').textContent()).toMatch(/Data er \d+ dage gamle/);
    await page.close();
  });

  it("warns about old data only past the municipality's setting data.max_age_days", async () => {
    // 30-04-2024 is far more than 7 days (the default) ago; the administrator allows 100,000 days.
    await env.api('admin', '/api/v1/settings/data.max_age_days', { method: 'PUT', body: { municipality: 461, value: 100_000 } });
    const [odense] = await env.api<{ code: number; maxDataAgeDays: number }[]>('chef', '/api/v1/municipalities');
    expect(odense).toMatchObject({ code: 461, maxDataAgeDays: 100_000 });
    const page = await login('chef');
    await page.getByTestId('as-of').waitFor();
    expect(await page.getByTestId('stale-data').count()).toBe(0);
    await page.close();
    await env.api('admin', '/api/v1/settings/data.max_age_days?municipality=461', { method: 'DELETE' });
  });

  it('has no serious or critical accessibility violations in the chief and data-quality views', async () => {
    const page = await login('chef');
    for (const view of ['chef', 'datakvalitet']) {
      await page.goto(`${env.base}/#/${view}`);
      await page.getByRole('heading', { level: 1, name: view === 'chef' ? 'Chef' : 'Datakvalitet' }).waitFor();
      await page.getByTestId('as-of').waitFor();
      expect(await seriousA11yViolations(page), view).toEqual([]);
    }
    await page.close();
  });
});

describe('admin uploads an export and watches the job', () => {
  let env: BrowserApp;
  let worker: ReturnType<typeof startEtlWorker>;
  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D }),
      'Team Syd',
    );
    worker = startEtlWorker({ databaseUrl: env.db.url }, env.db.pool, TEST_SECRET);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('uploads a zip, shows progress and the result, and the import log lists it', async () => {
    const dir = join(ROOT, 'test/fixtures/dubu-deadlines');
    const zip = Buffer.from(zipSync(Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]))));
    const page = await env.login('admin');
    await page.getByRole('heading', { name: 'Indlæs et nyt udtræk' }).waitFor();
    await page.getByLabel('Udtræk (zip)').setInputFiles({ name: 'udtraek.zip', mimeType: 'application/zip', buffer: zip });
    await page.getByLabel('Udtræksdato (valgfri)').fill('30.04.2024');
    await page.getByRole('button', { name: 'Indlæs' }).click();
    const status = page.getByTestId('upload-status');
    // Another municipality's worth of cases in place of the earlier snapshot: every open case would
    // go, which the shrink guard refuses unless the administrator allows it.
    await status.getByText(/Importen fejlede: .*ville fjerne for meget: kommune 461: 9 af 9 åbne sager/).waitFor({ timeout: 30_000 });
    await page.getByLabel('Tillad at data fjernes').check();
    await page.getByRole('button', { name: 'Indlæs' }).click();
    await status.getByText(/Indlæst/).waitFor({ timeout: 30_000 });
    // dubu-deadlines, all new against the earlier snapshot: caseworkers 4, cases 9, assignments 8,
    // notifications 7, investigations 7, measures 8, plans 3, follow-ups 5, visits 3, conversations 2 = 56.
    expect(await status.textContent()).toBe('✓ Indlæst: 56 rækker nye eller ændrede, 0 afvist.');
    await page.getByTestId('import-log').getByText('admin').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The same export dated a month earlier is older than the one now loaded: refused with both
    // dates, loaded once the administrator allows an older export.
    await page.getByLabel('Udtræksdato (valgfri)').fill('31.03.2024');
    await page.getByRole('button', { name: 'Indlæs' }).click();
    await status.getByText(/Importen fejlede: Udtrækket er fra 31\.03\.2024.*nyere udtræk.*\(30\.04\.2024\)/).waitFor({ timeout: 30_000 });
    await page.getByLabel('Tillad et ældre udtræk').check();
    await page.getByRole('button', { name: 'Indlæs' }).click();
    await status.getByText(/Indlæst/).waitFor({ timeout: 30_000 });
    await page.close();
  });
});
