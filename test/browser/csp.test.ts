import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy, importStatistics } from '@bu/etl';
import { BrowserApp, ROOT, startBrowserApp } from '../support/browser-app';
import { PASSWORD } from '../support/api';
import { TEST_SECRET } from '../support/database';

// The dashboard under the API's strict Content-Security-Policy (no inline script, no <style>
// element; style attributes only): the charts still draw, and Chromium reports no violation.
// Without style-src-attr 'unsafe-inline' ECharts' drawing is reported as violations here.
describe('the dashboard under the Content-Security-Policy in Chromium', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
      await importStatistics(db.pool, join(ROOT, 'test/fixtures/statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
  });
  afterAll(() => env?.close());

  /** A page that records every CSP violation (the DOM event and Chromium's console report) from its first byte. */
  async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'da-DK' });
    const violations: string[] = [];
    await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __cspViolation(v: string): void }).__cspViolation(
          `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
        ),
      );
    });
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(`console: ${m.text()}`));
    return { page, violations };
  }

  async function login(page: Page, username: string): Promise<void> {
    const response = await page.goto(env.base);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self';");
    expect(response!.headers()['content-security-policy']).toContain("style-src 'self';");
    await page.getByLabel('Brugernavn').fill(username);
    await page.getByLabel('Adgangskode').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByTestId('current-user').waitFor();
  }

  /** Waits for the figure's chart and returns the drawn area and how many shapes it has. */
  async function drawn(page: Page, kpi: string): Promise<{ width: number; height: number; shapes: number }> {
    const figure = page.getByTestId(`figure-${kpi}`);
    await figure.locator('.chart svg path').first().waitFor({ state: 'attached' });
    const box = (await figure.locator('.chart svg').first().boundingBox())!;
    return { width: box.width, height: box.height, shapes: await figure.locator('.chart svg path').count() };
  }

  it('the chief and the team leader views draw their charts (tooltips included) with no violation', async () => {
    const { page, violations } = await watchedPage();
    await login(page, 'chef');
    for (const kpi of ['effect.change']) {
      const chart = await drawn(page, kpi);
      expect(chart.width, kpi).toBeGreaterThan(100);
      expect(chart.height, kpi).toBeGreaterThan(50);
      expect(chart.shapes, kpi).toBeGreaterThan(2);
      // A tooltip is HTML that ECharts writes with styles.
      await page.getByTestId(`figure-${kpi}`).locator('.chart svg path').nth(1).hover({ force: true });
    }
    // Every chart the chief's view has drawn by now.
    await expect.poll(() => page.locator('.chart svg path').count()).toBeGreaterThan(5);
    await page.waitForTimeout(500);
    expect(violations).toEqual([]);

    const second = await watchedPage();
    await login(second.page, 'teamleder');
    const bars = await drawn(second.page, 'caseload.open_cases');
    expect(bars.shapes).toBeGreaterThan(1);
    await second.page.getByTestId('figure-caseload.open_cases').locator('.chart svg path').last().hover({ force: true });
    await second.page.waitForTimeout(500);
    expect(second.violations).toEqual([]);
    await page.close();
    await second.page.close();
  });

  it('an inline script is refused and reported (the check above can see a violation)', async () => {
    const { page, violations } = await watchedPage();
    await login(page, 'chef');
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.appendChild(script);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan ?? false;
    });
    expect(ran).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toContain('script-src');
    await page.close();
  });
});
