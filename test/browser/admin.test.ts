import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KPI_CATALOGUE } from '@bu/contracts';
import { importDubu } from '@bu/etl';
import { addUser, setUserTotp } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';
import { BrowserApp, OUT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// The administration area (issue 15, point 3) as a municipality's administrator uses it: users,
// goals, settings, imports with their rejected rows, drop folders and the audit log, each checked
// against the API's answer; the chief's read-only part; axe on every section, laptop and tablet.
describe('administration in Chromium', () => {
  let env: BrowserApp;
  const SECTIONS = ['brugere', 'log-ind', 'maal', 'indstillinger', 'afleveringsmapper', 'indlaesninger', 'revisionslog'];

  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
      await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
      await addUser(db.pool, { username: 'to-faktor', password: PASSWORD, role: 'chef', municipality: 461 });
      await setUserTotp(db.pool, 'to-faktor', Buffer.alloc(20, 7));
      await db.pool.query(
        `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, auth_source, external_id, email, grant_ended_at)
         VALUES ('sso.anna', NULL, 'chef', 461, '{}', 'oidc', 'https://idp|anna', 'anna@kommune.dk', now())`,
      );
      await db.pool.query(
        `INSERT INTO drop_folder (municipality_code, source, path, checked_at) VALUES (461, 'dubu', '/srv/drop/461', now())`,
      );
      await db.pool.query(
        `INSERT INTO audit_log (username, role, action, municipality_code, case_ids, detail, at) VALUES
           ('chef', 'chef', 'kpi:deadline.followup_overdue', 461, '{S1,S2}', '{}', '2024-03-01 10:00+01'),
           ('teamleder', 'teamleder', 'kpi:caseload.unassigned', 461, '{S2}', '{}', '2024-03-02 09:00+01')`,
      );
    }, 'Team Syd');
  }, 240_000);
  afterAll(() => env?.close());

  const open = async (page: Page, section: string) => {
    await page.goto(`${env.base}/#/admin/${section}`);
    await page.getByRole('navigation', { name: 'Administration' }).locator(`a[aria-current="page"][href="#/admin/${section}"]`).waitFor();
  };
  const acceptDialogs = (page: Page) => page.on('dialog', (d) => void d.accept());

  it('creates a user, changes its teams, disables it, and shows a single sign-on user as such', async () => {
    const page = await env.login('admin-461');
    acceptDialogs(page);
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Administration' }).click();
    await page.getByTestId('admin-users').waitFor();
    // By keyboard: the new form takes the focus, and its first field is one Tab away.
    await page.getByRole('button', { name: 'Ny bruger' }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByTestId('new-user');
    await form.getByRole('heading', { name: 'Ny bruger' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Ny bruger');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ny.leder');
    expect(await form.getByLabel('Brugernavn').inputValue()).toBe('ny.leder');
    await form.getByLabel('Rolle').selectOption({ label: 'Teamleder' });
    await form.getByLabel('Teams (adskilt med komma)').fill('Team Syd');
    await form.getByLabel('E-mail (valgfri)').fill('ny.leder@kommune.dk');
    // A team leader without teams is refused with the API's Danish message.
    await form.getByLabel('Teams (adskilt med komma)').fill('');
    await form.getByLabel('Første adgangskode (mindst 10 tegn)').fill('en-lang-adgangskode');
    await form.getByRole('button', { name: 'Opret brugeren' }).click();
    expect(await form.getByRole('alert').textContent()).toBe('En teamleder skal have mindst ét team (--team).');
    await form.getByLabel('Teams (adskilt med komma)').fill('Team Syd');
    await form.getByRole('button', { name: 'Opret brugeren' }).click();
    await page.getByText('Brugeren ny.leder er oprettet.').waitFor();
    const row = page.getByTestId('user-ny.leder');
    expect(await row.locator('td').allTextContents()).toEqual([
      'Teamleder',
      '461',
      'Team Syd',
      'ny.leder@kommune.dk',
      'Adgangskode',
      '–',
      'Aktiv',
      'Ret',
    ]);
    // A user with a one-time code set up by the operator (ADR 0116) says so.
    expect(await page.getByTestId('user-to-faktor').locator('td').nth(4).textContent()).toBe('Adgangskode og engangskode');

    const editor = page.getByTestId('edit-user');
    await editor.getByLabel('Teams (adskilt med komma)').fill('Team Syd, Team Nord');
    await editor.getByRole('button', { name: 'Gem ændringer' }).click();
    await page.getByText('Ændringerne af ny.leder er gemt. Brugeren skal logge ind igen.').waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('Team Syd, Team Nord');
    await editor.getByRole('button', { name: 'Spær brugeren' }).click();
    await page.getByText('ny.leder er spærret og logget ud.').waitFor();
    expect(await row.locator('td').nth(6).textContent()).toBe('Spærret');
    const listed = (await env.api<{ username: string; teams: string[]; disabled: boolean }[]>('admin-461', '/api/v1/users')).find(
      (u) => u.username === 'ny.leder',
    );
    expect(listed).toMatchObject({ teams: ['Team Syd', 'Team Nord'], disabled: true });

    // A password reset: generated, shown once; the user logs in with it (after being enabled again).
    await editor.getByRole('button', { name: 'Genåbn brugeren' }).click();
    await page.getByText('ny.leder kan logge ind igen.').waitFor();
    await editor.getByRole('button', { name: 'Nulstil adgangskoden' }).click();
    const password = (await page.getByTestId('new-password').locator('code').textContent())!;
    expect(password).toMatch(/^[a-zA-Z2-9]{16}$/);
    // The user logs in with it and must choose their own before anything else (ADR 0117).
    const user = await env.browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'da-DK' });
    await user.goto(env.base);
    await user.getByLabel('Brugernavn').fill('ny.leder');
    await user.getByLabel('Adgangskode').fill(password);
    await user.getByRole('button', { name: 'Log ind' }).click();
    await user.getByRole('heading', { name: 'Vælg din egen adgangskode' }).waitFor();
    expect(await user.getByTestId('current-user').count()).toBe(0);
    expect(await seriousA11yViolations(user)).toEqual([]);
    await user.screenshot({ path: join(OUT, 'choose-password-1024.png') });
    const choose = async (current: string, next: string, again = next) => {
      await user.getByLabel('Nuværende adgangskode (den du fik)').fill(current);
      await user.getByLabel('Ny adgangskode (mindst 10 tegn)').fill(next);
      await user.getByLabel('Gentag den nye adgangskode').fill(again);
      await user.getByRole('button', { name: 'Gem og fortsæt' }).click();
    };
    await choose(password, 'lederens-egen-kode', 'lederens-egen-kod');
    expect(await user.getByRole('alert').textContent()).toBe('De to nye adgangskoder er ikke ens.');
    await choose('forkert-kodeord', 'lederens-egen-kode');
    await user.getByRole('alert').getByText('Den nuværende adgangskode er forkert.').waitFor();
    await choose(password, 'lederens-egen-kode');
    await user.getByTestId('current-user').waitFor();
    await user.close();

    // The single sign-on user: its source, and no role, teams or password to change here.
    await page.getByRole('button', { name: 'Ret sso.anna' }).click();
    expect(await page.getByTestId('sso-note').textContent()).toContain('gruppetilknytningen');
    expect(await editor.getByLabel('Rolle').isDisabled()).toBe(true);
    expect(await editor.getByRole('button', { name: 'Nulstil adgangskoden' }).count()).toBe(0);
    expect(await page.getByTestId('user-sso.anna').locator('td').nth(4).textContent()).toBe('Single sign-on (OpenID Connect)');
    // Its grant was withdrawn (grant_ended_at) and it has not logged in since: the role is not current.
    expect(await page.getByTestId('user-sso.anna').locator('td').nth(0).textContent()).toBe(
      'Chef Adgangen er trukket tilbage – rollen gælder først igen efter næste login',
    );
    expect(await page.getByTestId('user-to-faktor').getByTestId('grant-ended').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'admin-users-editing-1366.png'), fullPage: true });
    await page.close();
  });

  it('maps a group of the organisation to a role and teams, and keeps password login on while no provider is set up', async () => {
    const page = await env.login('admin-461');
    acceptDialogs(page);
    await open(page, 'log-ind');
    const section = page.getByTestId('admin-login');
    await section.getByText('Log ind med organisationens konto er ikke sat op', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Ny gruppe' }).click();
    const form = page.getByTestId('mapping-form');
    await form.getByLabel('Gruppe (navn eller id, som identitetsudbyderen sender den)').fill('BU-Teamledere');
    await form.getByLabel('Rolle').selectOption({ label: 'Teamleder' });
    await form.getByRole('button', { name: 'Gem gruppen' }).click();
    expect(await form.getByRole('alert').textContent()).toBe('En gruppe med rollen teamleder skal give mindst ét team');
    await form.getByLabel('Teams (adskilt med komma)').fill('Team Syd, Team Nord');
    await form.getByRole('button', { name: 'Gem gruppen' }).click();
    await page.getByText('Gruppen BU-Teamledere er gemt. Den gælder fra brugernes næste login.').waitFor();
    expect(await section.getByTestId('mapping-BU-Teamledere').locator('td').allTextContents()).toEqual([
      'Teamleder',
      'Team Syd, Team Nord',
      'RetSlet',
    ]);
    expect(await env.api('admin-461', '/api/v1/sso/group-mappings')).toEqual([
      expect.objectContaining({ municipality: 461, group: 'BU-Teamledere', role: 'teamleder', teams: ['Team Syd', 'Team Nord'] }),
    ]);
    // Without an organisation login, turning passwords off would lock everyone out: refused in Danish.
    await section.getByRole('button', { name: 'Slå log ind med adgangskode fra' }).click();
    expect(await section.getByRole('alert').textContent()).toBe(
      'Log ind med adgangskode kan ikke slås fra, før log ind med organisationens konto er sat op',
    );
    expect(await section.getByTestId('password-login').textContent()).toContain('slået til');
    await section.getByRole('button', { name: 'Slet gruppen BU-Teamledere' }).click();
    await page.getByText('Gruppen BU-Teamledere er slettet.').waitFor();
    expect(await env.api('admin-461', '/api/v1/sso/group-mappings')).toEqual([]);
    await page.close();
  });

  it('creates, edits and deletes a goal, choosing the KPI from the list, with the API message beside the field', async () => {
    const page = await env.login('admin-461');
    acceptDialogs(page);
    await open(page, 'maal');
    await page.getByRole('button', { name: 'Nyt mål' }).click();
    const form = page.getByTestId('goal-form');
    await form.getByLabel('Titel').fill('Flere børn i familiepleje');
    const kpi = KPI_CATALOGUE['activity.family_care_share'];
    await form.getByLabel('Nøgletal').selectOption({ label: `${kpi.title} (procent)` });
    await form.getByLabel('Retning').selectOption({ label: 'Mindst (højere er bedre)' });
    await form.getByLabel('Målværdi (%)').fill('ti');
    await form.getByLabel('Tolerance (%)').fill('5');
    await form.getByRole('button', { name: 'Gem målet' }).click();
    // The API's Danish message, beside the field and tied to it.
    const target = form.getByLabel('Målværdi (%)');
    await form.locator('#goal-target-error').waitFor();
    expect(await form.locator('#goal-target-error').textContent()).toBe('target skal være et tal i nøgletallets enhed');
    expect(await target.getAttribute('aria-describedby')).toBe('goal-target-error');
    await target.fill('60');
    await form.getByRole('button', { name: 'Gem målet' }).click();
    await page.getByText('Målet Flere børn i familiepleje er gemt.').waitFor();
    let goals = await env.api<{ id: number; kpi: string; target: number; tolerance: number; direction: string }[]>(
      'admin-461',
      '/api/v1/goals',
    );
    expect(goals).toEqual([expect.objectContaining({ kpi: 'activity.family_care_share', target: 0.6, tolerance: 0.05, direction: '>=' })]);
    const row = page.getByTestId(`admin-goal-${goals[0].id}`);
    expect(await row.locator('td').allTextContents()).toEqual([kpi.title, 'mindst 60 %', '5 %', 'Altid', 'RetSlet']);

    await row.getByRole('button', { name: 'Ret målet Flere børn i familiepleje' }).click();
    await form.getByLabel('Målværdi (%)').fill('65,5');
    await form.getByRole('button', { name: 'Gem målet' }).click();
    await page.getByText('Målet Flere børn i familiepleje er gemt.').waitFor();
    await row.getByText('mindst 65,5 %').waitFor();
    goals = await env.api('admin-461', '/api/v1/goals');
    expect(goals[0].target).toBeCloseTo(0.655, 10);

    await row.getByRole('button', { name: 'Slet målet Flere børn i familiepleje' }).click();
    await page.getByText('Målet Flere børn i familiepleje er slettet.').waitFor();
    expect(await env.api('admin-461', '/api/v1/goals')).toEqual([]);
    await page.close();
  });

  it('ties a server message about "Gælder fra" to that date field', async () => {
    const page = await env.login('admin-461');
    // The form sends only whole dates, so the API's refusal of one is played here, in its own words.
    const message = 'validFrom skal være en dato (ÅÅÅÅ-MM-DD)';
    await page.route('**/api/v1/goals', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ statusCode: 400, message }) })
        : route.continue(),
    );
    await open(page, 'maal');
    await page.getByRole('button', { name: 'Nyt mål' }).click();
    const form = page.getByTestId('goal-form');
    await form.getByLabel('Titel').fill('Færre nye sager');
    await form.getByLabel('Nøgletal').selectOption({ index: 1 });
    await form.getByLabel(/^Målværdi/).fill('10');
    const from = form.getByLabel('Gælder fra (valgfri)');
    await from.fill('01.01.2024');
    await form.getByRole('button', { name: 'Gem målet' }).click();
    const error = form.locator('#goal-validFrom-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(message);
    expect((await from.getAttribute('aria-describedby'))!.split(' ')).toContain('goal-validFrom-error');
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('changes a setting and shows the Danish message for a bad value', async () => {
    const page = await env.login('admin-461');
    await open(page, 'indstillinger');
    const row = page.getByTestId('setting-import.max_shrink_share');
    await row.getByRole('button', { name: 'Ret import.max_shrink_share' }).click();
    const input = row.getByLabel('Ny værdi af import.max_shrink_share');
    await input.fill('1,5');
    await row.getByRole('button', { name: 'Gem værdien' }).click();
    const message = row.getByRole('alert');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/andel fra 0 til 1/);
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('0.3');
    await row.getByRole('button', { name: 'Gem værdien' }).click();
    await page.getByText('Kommunens værdi af import.max_shrink_share er gemt.').waitFor();
    expect(await row.getByTestId('in-force').textContent()).toBe('0.3');
    const api = (await env.api<{ key: string; municipality: unknown; value: unknown }[]>('admin-461', '/api/v1/settings')).find(
      (s) => s.key === 'import.max_shrink_share',
    );
    expect(api).toMatchObject({ municipality: 0.3, value: 0.3 });
    await row.getByRole('button', { name: 'Fjern kommunens værdi af import.max_shrink_share' }).click();
    await page.getByText('Kommunens egen værdi af import.max_shrink_share er fjernet.').waitFor();
    await page.close();
  });

  it("filters the imports and opens one import's rejected rows, as the API gives them; lists the drop folders", async () => {
    const page = await env.login('admin-461');
    await open(page, 'indlaesninger');
    const [run] = await env.api<{ id: string; rejectedCount: number }[]>('admin-461', '/api/v1/imports?status=succeeded');
    const list = page.getByTestId('admin-imports');
    await list.getByLabel('Status').selectOption({ label: 'Fejlet' });
    await list.getByRole('button', { name: 'Vis', exact: true }).click();
    await list.getByText('Ingen indlæsninger passer på filtrene.').waitFor();
    await list.getByLabel('Status').selectOption({ label: 'Indlæst' });
    await list.getByRole('button', { name: 'Vis', exact: true }).click();
    await list.getByRole('button', { name: `Vis afviste rækker i import ${run.id}` }).click();
    const panel = page.getByTestId('import-issues');
    await panel.locator('tbody tr').first().waitFor();
    const issues = await env.api<{
      count: number;
      rows: { file: string; line: number | null; rule: string; title: string; severity: string; value: string | null; message: string }[];
    }>('admin-461', `/api/v1/imports/${run.id}/issues?offset=0&limit=200`);
    expect(await panel.locator('tbody tr').count()).toBe(issues.rows.length);
    // Every row as the API gives it: file, line, the rule by its Danish title, kind, value and the Danish message.
    const shown = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(shown).toEqual(
      issues.rows.map((r) => [
        r.file,
        r.line === null ? '–' : String(r.line),
        r.title,
        r.severity === 'error' ? 'Afvist' : 'Advarsel',
        r.value ?? '–',
        r.message,
      ]),
    );
    expect(shown.filter((r) => r[3] === 'Afvist').length).toBe(run.rejectedCount);
    expect(shown.some((r) => /^[RW]\d{3}$/.test(r[2] ?? ''))).toBe(false);
    expect(await page.getByTestId('admin-jobs').getByText('Ingen fejlede jobs.').count()).toBe(1);

    await open(page, 'afleveringsmapper');
    const folder = page.getByTestId('admin-drop-folders');
    await folder.locator('tbody tr').first().waitFor();
    expect(await folder.locator('tbody th').allTextContents()).toEqual(['/srv/drop/461']);
    expect(await folder.getByText('Mapperne tjekkes hvert 15. minut.', { exact: false }).count()).toBe(1);
    expect(await folder.getByRole('button').count()).toBe(0);
    await page.close();
  });

  it('searches the audit log by case and date and exports it to Excel', async () => {
    const page = await env.login('admin-461', { downloads: true });
    await open(page, 'revisionslog');
    const audit = page.getByTestId('admin-audit');
    await audit.getByLabel('Sag').fill('S2');
    await audit.getByLabel('Fra').fill('01.03.2024');
    await audit.getByLabel('Til').fill('02.03.2024');
    await audit.getByRole('button', { name: 'Søg' }).click();
    await audit.getByTestId('audit-total').filter({ hasText: '2 rækker' }).waitFor();
    const rows = audit.locator('tbody tr');
    expect(await rows.locator('td').nth(0).textContent()).toBe('teamleder');
    expect(await rows.nth(1).locator('th').textContent()).toBe('01.03.2024 10.00');
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toBe('S1, S2');
    const [download] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain('Tidspunkt');
    expect(sheet).toContain('S1, S2');
    expect(sheet).toContain('Så sager (caseload.unassigned)');
    // The searches themselves are in the log.
    const logged = await env.api<{ total: number }>('admin-461', '/api/v1/audit?user=admin-461');
    expect(logged.total).toBeGreaterThanOrEqual(2);
    await page.close();
  });

  it('gives the chief the goals, settings and imports to read, and nothing to change', async () => {
    const page = await env.login('chef');
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Administration' }).click();
    const nav = page.getByRole('navigation', { name: 'Administration' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Politiske mål', 'Indstillinger', 'Indlæsninger']);
    await page.getByTestId('admin-goals').waitFor();
    expect(await page.getByRole('button', { name: 'Nyt mål' }).count()).toBe(0);
    await open(page, 'indstillinger');
    await page.getByTestId('setting-caseload.norms').waitFor();
    expect(await page.getByTestId('admin-settings').getByRole('button').count()).toBe(0);
    // A section the chief may not use shows the chief's first one instead.
    await page.goto(`${env.base}/#/admin/brugere`);
    await page.getByTestId('admin-goals').waitFor();
    expect(await page.getByTestId('admin-users').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('lets a product administrator set a product-wide value and create a user in a municipality', async () => {
    const page = await env.login('admin');
    await open(page, 'indstillinger');
    const row = page.getByTestId('setting-intake_team');
    await row.getByRole('button', { name: 'Ret intake_team' }).click();
    await row.getByLabel('Gælder for').selectOption({ label: 'Hele produktet' });
    await row.getByLabel('Ny værdi af intake_team').fill('Modtagelsen Nord');
    await row.getByRole('button', { name: 'Gem værdien' }).click();
    await page.getByText('Den fælles værdi af intake_team er gemt.').waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('Modtagelsen Nord');
    const setting = (await env.api<{ key: string; product: unknown }[]>('admin', '/api/v1/settings?municipality=461')).find(
      (x) => x.key === 'intake_team',
    );
    expect(setting?.product).toBe('Modtagelsen Nord');
    await row.getByRole('button', { name: 'Fjern den fælles værdi af intake_team' }).click();
    await page.getByText('Den fælles værdi af intake_team er fjernet.').waitFor();

    await open(page, 'brugere');
    await page.getByRole('button', { name: 'Ny bruger' }).click();
    const form = page.getByTestId('new-user');
    await form.getByLabel('Brugernavn').fill('kbh.chef');
    await form.getByLabel('Kommune (kode)').fill('101');
    await form.getByRole('button', { name: 'Foreslå en adgangskode' }).click();
    expect(await form.getByLabel('Første adgangskode (mindst 10 tegn)').inputValue()).toMatch(/^[a-zA-Z2-9]{16}$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Opret brugeren' }).click();
    await page.getByText('Brugeren kbh.chef er oprettet.').waitFor();
    expect(await page.getByTestId('user-kbh.chef').locator('td').nth(1).textContent()).toBe('101');
    await page.close();
  });

  it('has no serious or critical accessibility violations in any section, and fits a 1024×768 tablet', async () => {
    for (const viewport of [
      { width: 1366, height: 768 },
      { width: 1024, height: 768 },
    ]) {
      const page = await env.login('admin-461', { viewport });
      for (const section of SECTIONS) {
        await open(page, section);
        await page.locator('.admin-card').first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(await seriousA11yViolations(page), `${section} ${viewport.width}`).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${section} ${viewport.width}`).toBe(0);
        await page.screenshot({ path: join(OUT, `admin-${section}-${viewport.width}.png`), fullPage: true });
      }
      await page.close();
    }
  });
});
