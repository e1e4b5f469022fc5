import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

// The administration's comments on budget lines and goals, written in the committee view.
// dubu-chief and economy-small at D = 30-04-2024: the comments belong to the period 2024.
describe('comments on budget lines and goals in Chromium', () => {
  let env: BrowserApp;
  let goalId: number;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
    ({ id: goalId } = await env.api<{ id: number }>('admin', '/api/v1/goals', {
      method: 'POST',
      body: {
        municipality: 461,
        kpi: 'activity.family_care_share',
        title: 'Flere anbragte i familiepleje',
        direction: '>=',
        target: 0.65,
        tolerance: 0.05,
      },
    }));
  });
  afterAll(() => env?.close());

  it('lets the chief write and change a comment on a budget line and a goal; it is saved and shown after a reload', async () => {
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/udvalg`);
    const budget = page.getByTestId('budget-5.28.20');
    await budget.waitFor();

    await budget.getByRole('button', { name: /^Skriv kommentar til 5\.28\.20/ }).click();
    const text = budget.getByLabel(/^Kommentar til 5\.28\.20/);
    // The form takes the focus, so a keyboard user types straight away.
    expect(await text.evaluate((el) => el === document.activeElement)).toBe(true);
    await text.fill('Færre nye anbringelser end budgetteret i første kvartal.');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await budget.getByRole('button', { name: 'Gem' }).click();
    await budget.getByTestId('comment').waitFor();

    const goal = page.getByTestId(`goal-${goalId}`);
    await goal.getByRole('button', { name: 'Skriv kommentar til målet Flere anbragte i familiepleje' }).click();
    await goal.getByLabel('Kommentar til målet Flere anbragte i familiepleje').fill('Rekruttering af plejefamilier er i gang.');
    await goal.getByRole('button', { name: 'Gem' }).click();
    await goal.getByTestId('comment').waitFor();

    await page.reload();
    await budget.getByTestId('comment').waitFor();
    expect(await budget.getByTestId('comment').textContent()).toBe('Færre nye anbringelser end budgetteret i første kvartal.');
    expect(await goal.getByTestId('comment').textContent()).toBe('Rekruttering af plejefamilier er i gang.');

    // Changing it replaces the text (one comment per line and period).
    await budget.getByRole('button', { name: /^Ret kommentar til 5\.28\.20/ }).click();
    await budget.getByLabel(/^Kommentar til 5\.28\.20/).fill('Forventet mindreforbrug på 3,1 mio. kr.');
    await budget.getByRole('button', { name: 'Gem' }).click();
    await budget.getByTestId('comment').getByText('Forventet mindreforbrug').waitFor();
    await page.screenshot({ path: join(OUT, 'udvalg-comments-1366.png'), fullPage: true });

    const stored = await env.api<{ subjectType: string; subjectKey: string; period: string; text: string; author: string }[]>(
      'chef',
      '/api/v1/comments?municipality=461&period=2024',
    );
    // The committee reads the same comments, not who wrote them.
    const read = await env.api<{ text: string; author: string | null }[]>('udvalg', '/api/v1/comments?municipality=461&period=2024');
    expect(read.map(({ text, author }) => ({ text, author }))).toEqual(stored.map(({ text }) => ({ text, author: null })));
    expect(stored.map(({ subjectType, subjectKey, period, text, author }) => ({ subjectType, subjectKey, period, text, author }))).toEqual([
      { subjectType: 'budget', subjectKey: '5.28.20', period: '2024', text: 'Forventet mindreforbrug på 3,1 mio. kr.', author: 'chef' },
      { subjectType: 'goal', subjectKey: String(goalId), period: '2024', text: 'Rekruttering af plejefamilier er i gang.', author: 'chef' },
    ]);
    await page.close();
  });

  it('shows the committee the comments with no way to edit them', async () => {
    const page = await env.login('udvalg');
    const budget = page.getByTestId('budget-5.28.20');
    await budget.getByTestId('comment').waitFor();
    expect(await budget.getByTestId('comment').textContent()).toBe('Forventet mindreforbrug på 3,1 mio. kr.');
    expect(await page.getByTestId(`goal-${goalId}`).getByTestId('comment').textContent()).toBe('Rekruttering af plejefamilier er i gang.');
    expect(await page.getByRole('button', { name: /kommentar/i }).count()).toBe(0);
    expect(await page.locator('textarea').count()).toBe(0);
    await page.close();
  });

  it('lets the chief delete a comment; the committee may not', async () => {
    const query = `/api/v1/comments?municipality=461&subjectType=goal&subjectKey=${goalId}&period=2024`;
    await expect(env.api('udvalg', query, { method: 'DELETE' })).rejects.toThrow(/: 403 /);
    await expect(env.api('teamleder', query, { method: 'DELETE' })).rejects.toThrow(/: 403 /);

    const page = await env.login('chef');
    await page.goto(`${env.base}/#/udvalg`);
    const goal = page.getByTestId(`goal-${goalId}`);
    await goal.getByTestId('comment').waitFor();
    await goal.getByRole('button', { name: 'Ret kommentar til målet Flere anbragte i familiepleje' }).click();
    await goal.getByRole('button', { name: 'Slet kommentar' }).click();
    await goal.getByRole('button', { name: 'Skriv kommentar til målet Flere anbragte i familiepleje' }).waitFor();
    expect(await goal.getByRole('status').textContent()).toBe('Slettet.');
    await page.reload();
    await page.getByTestId('budget-5.28.20').getByTestId('comment').waitFor();
    expect(await goal.getByTestId('comment').count()).toBe(0);
    const stored = await env.api<{ subjectType: string; subjectKey: string }[]>('udvalg', '/api/v1/comments?municipality=461&period=2024');
    expect(stored.map((c) => `${c.subjectType} ${c.subjectKey}`)).toEqual(['budget 5.28.20']);
    await expect(env.api('chef', query, { method: 'DELETE' })).rejects.toThrow(/: 404 /);
    await page.close();
  });

  it('fits 1024×768 without horizontal scrolling, with a comment form open', async () => {
    const page = await env.login('chef', { viewport: { width: 1024, height: 768 } });
    await page.goto(`${env.base}/#/udvalg`);
    const budget = page.getByTestId('budget-5.28.21');
    await budget.getByRole('button', { name: /^Skriv kommentar til 5\.28\.21/ }).click();
    await budget.locator('textarea').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.close();
  });
});
