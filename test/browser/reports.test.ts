import { readFileSync } from 'fs';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy, importStatistics } from '@bu/etl';
import { makeCommitteeReport } from '../../apps/worker/src/reports/report-jobs';
import { reportDeps, startReportWorker, type RunningReportWorker } from '../../apps/worker/src/reports/worker';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';

// The "Rapporter" view and "Mine indstillinger" in Chromium: the committee opens its monthly
// report from the archive, the administrator sets the schedule and recipients (Danish refusals)
// and makes one now, a team leader is not offered the archive and turns the weekly e-mail off.

describe('the reports view and my settings in Chromium', () => {
  let env: BrowserApp;
  let worker: RunningReportWorker;
  let first: { id: string };

  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-02-29' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
      await importStatistics(db.pool, join(ROOT, 'test/fixtures/statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
    await env.db.pool.query(`UPDATE app_user SET email = 'teamleder@odense.test' WHERE username = 'teamleder'`);
    first = await makeCommitteeReport(reportDeps(env.db.pool, { mail: null, publicUrl: null }), {
      municipality: 461,
      requestedBy: 'planlagt',
      send: false,
    });
    // "Lav rapport nu" is run by a reports worker, as beside a real API (no SMTP: archived only).
    worker = startReportWorker(
      { databaseUrl: env.db.url, dbConnectTimeoutMs: 5000, shutdownGraceMs: 10_000 } as Parameters<typeof startReportWorker>[0],
      {
        mail: null,
        publicUrl: null,
      },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('lets the committee open its report from the archive, and passes axe', async () => {
    const page = await env.login('udvalg', { downloads: true });
    await page.getByRole('link', { name: 'Rapporter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rapporter' }).waitFor();
    const row = page.getByTestId(`report-${first.id}`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('29.02.2024');
    expect(cells[2]).toBe('Planlagt');
    expect(cells[3]).toBe('ikke sendt: kun arkiveret');
    // The schedule is the administrator's.
    expect(await page.getByTestId('report-schedule').count()).toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: /^Hent PDF af rapporten pr\. 29\.02\.2024/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('udvalgsrapport-461-2024-02-29.pdf');
    const pdf = readFileSync(await download.path());
    const stored = (await env.db.pool.query(`SELECT pdf FROM report_archive WHERE id = $1`, [first.id])).rows[0].pdf as Buffer;
    expect(Buffer.compare(pdf, stored)).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'rapporter-udvalg-1366.png'), fullPage: true });
    await page.close();
  });

  it('lets the administrator set the schedule and recipients, refused in Danish, and make a report now', async () => {
    const page = await env.login('admin');
    await page.getByRole('link', { name: 'Rapporter' }).click();
    const form = page.getByTestId('report-schedule');
    await form.waitFor();
    await form.getByLabel('Send rapporten automatisk hver måned').check();
    await form.getByLabel('Dag i måneden').fill('3');
    await form.getByLabel('Klokken').selectOption('7');
    await form.getByLabel('Modtagere (én e-mailadresse pr. linje)').fill('formand@odense.test\nikke-en-adresse');
    await form.getByRole('button', { name: 'Gem udsendelse' }).click();
    expect(await form.getByRole('alert').textContent()).toBe('Ugyldig e-mailadresse: ikke-en-adresse');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await form.getByLabel('Modtagere (én e-mailadresse pr. linje)').fill('formand@odense.test\nchef@odense.test');
    await form.getByRole('button', { name: 'Gem udsendelse' }).click();
    await form.getByRole('status').filter({ hasText: 'Gemt.' }).waitFor();
    expect(await env.api('admin', '/api/v1/reports/schedule?municipality=461')).toMatchObject({
      enabled: true,
      dayOfMonth: 3,
      hour: 7,
      recipients: ['formand@odense.test', 'chef@odense.test'],
    });
    await form.getByRole('button', { name: 'Lav rapport nu' }).click();
    await form.getByRole('status').filter({ hasText: 'Rapporten laves nu' }).waitFor();
    // The worker makes it (SMTP is not set up here) and the archive shows it without a reload.
    await page.getByTestId('report-archive').locator('tbody tr').nth(1).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('report-archive').locator('tbody tr').first().locator('td').nth(3).textContent()).toBe(
      'ikke sendt: SMTP er ikke sat op',
    );
    await page.screenshot({ path: join(OUT, 'rapporter-admin-1366.png'), fullPage: true });
    await page.close();
  });

  it('fits a 1024×768 tablet without horizontal scrolling', async () => {
    const page = await env.login('admin', { viewport: { width: 1024, height: 768 } });
    await page.getByRole('link', { name: 'Rapporter' }).click();
    await page.getByTestId('report-schedule').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.close();
  });

  it('does not offer the archive to a team leader, who turns the weekly e-mail off in my settings', async () => {
    const page = await env.login('teamleder');
    await page.getByRole('heading', { level: 1, name: 'Teamleder' }).waitFor();
    expect(await page.getByRole('link', { name: 'Rapporter' }).count()).toBe(0);
    await page.getByTestId('current-user').click();
    const dialog = page.getByRole('dialog', { name: 'Mine indstillinger' });
    const box = dialog.getByLabel('Send mig ugens e-mail om arbejdslister (mandag morgen)');
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    expect(await dialog.textContent()).toContain('Sendes til teamleder@odense.test. Kun antal, aldrig sagsnumre eller navne.');
    await box.uncheck();
    await dialog.getByRole('status').filter({ hasText: 'Du får ikke længere ugens e-mail.' }).waitFor();
    expect((await env.db.pool.query(`SELECT weekly_mail FROM app_user WHERE username = 'teamleder'`)).rows[0].weekly_mail).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    // The address bar cannot open it either: the team leader stays on their own view.
    await page.evaluate(() => (window.location.hash = '#/rapporter'));
    await page.getByRole('heading', { level: 1, name: 'Teamleder' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Rapporter' }).count()).toBe(0);
    await page.close();
  });

  it('lets a password user change their own password in my settings, which ends their other sessions', async () => {
    await addUser(env.db.pool, { username: 'chef-skifter', password: PASSWORD, role: 'chef', municipality: 461 });
    const other = await env.login('chef-skifter');
    const page = await env.login('chef-skifter');
    await page.getByTestId('current-user').click();
    const dialog = page.getByRole('dialog', { name: 'Mine indstillinger' });
    await dialog.getByText('Skift adgangskode', { exact: true }).click();
    const change = async (current: string) => {
      await dialog.getByLabel('Nuværende adgangskode').fill(current);
      await dialog.getByLabel('Ny adgangskode (mindst 10 tegn)').fill('chefens-nye-kode');
      await dialog.getByLabel('Gentag den nye adgangskode').fill('chefens-nye-kode');
      await dialog.getByRole('button', { name: 'Skift adgangskoden' }).click();
    };
    await change('forkert-kodeord');
    await dialog.getByRole('alert').getByText('Den nuværende adgangskode er forkert.').waitFor();
    await change(PASSWORD);
    await dialog.getByRole('status').filter({ hasText: 'Din adgangskode er skiftet. Dine logins andre steder er afsluttet.' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // This browser goes on with its new session; the other is sent to the login page.
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    await other.reload();
    await other.getByRole('button', { name: 'Log ind' }).waitFor();
    await Promise.all([page.close(), other.close()]);
  });
});
