import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOAL_LIGHTS, type GoalStatus, type KpiResponse } from '@bu/contracts';
import { importDubu, importEconomy } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

// Issue 17, all views: one goal, one light (the chief's family-care card and the committee's goal
// list show the goal's light), and amounts per child or case in whole kroner with their unit.
// dubu-chief and economy-small at D = 30-04-2024.

const SHARE = 'activity.family_care_share';
const PER_CHILD = 'cost.annualised_per_placed_child';

describe('goal lights and units in Chromium', () => {
  let env: BrowserApp;
  let goalId: number;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
  });
  afterAll(() => env?.close());

  const goalOf = async () =>
    ((await env.api<KpiResponse>('chef', '/api/v1/kpis?ids=goal.status')).kpis['goal.status'] as unknown as GoalStatus[]).find(
      (g) => g.kpi === SHARE,
    );

  it("shows the view's own target only while no goal exists", async () => {
    expect(await goalOf()).toBeUndefined();
    const page = await env.login('chef');
    const card = page.getByTestId(`figure-${SHARE}`);
    await card.locator('.big-number').waitFor();
    expect(await card.getByTestId('goal-light').count()).toBe(0);
    expect(await card.locator('.light').textContent()).toMatch(/(Mål nået|Under mål) \(65\s%\)/);
    await page.close();
  });

  it('gives the family-care share the same light in the chief and the committee view: the goal’s', async () => {
    // A goal whose tolerance makes its light differ from the view's fixed 65 % (the "Under mål" / "Tæt på").
    const api = await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${SHARE}`);
    const value = api.kpis[SHARE] as number;
    expect(typeof value).toBe('number');
    ({ id: goalId } = await env.api<{ id: number }>('admin', '/api/v1/goals', {
      method: 'POST',
      body: {
        municipality: 461,
        kpi: SHARE,
        title: 'Flere anbragte i familiepleje',
        direction: '>=',
        target: value + 0.02,
        tolerance: 0.05,
      },
    }));
    const goal = (await goalOf())!;
    expect(goal.id).toBe(goalId);
    // value is 2 points under the target, within the tolerance of 5: yellow, "Tæt på".
    expect(goal.status).toBe('yellow');
    const word = GOAL_LIGHTS[goal.status!].word;
    expect(word).toBe('Tæt på');

    const chief = await env.login('chef');
    const card = chief.getByTestId(`figure-${SHARE}`);
    await card.getByTestId('goal-light').waitFor();
    expect(await card.getByTestId('goal-light').textContent()).toBe(`! ${word}`);
    expect(await card.getByText('Under mål').count()).toBe(0);
    // Few placed children: the share says its n, the goal's two counts.
    const basis = goal.basis!.value as { numerator: number; denominator: number };
    expect(basis.denominator).toBeLessThan(20);
    expect(await card.getByTestId('share-n').textContent()).toBe(` (${basis.numerator} af ${basis.denominator})`);
    expect(await seriousA11yViolations(chief)).toEqual([]);
    await chief.screenshot({ path: join(OUT, 'chef-goal-light-1366.png'), fullPage: true });
    await chief.close();

    // The committee view's goal list, as the chief reads it: the same word.
    const view = await env.login('chef');
    await view.goto(`${env.base}/#/udvalg`);
    const row = view.getByTestId(`goal-${goalId}`);
    await row.waitFor();
    expect(await row.locator('.light').textContent()).toBe(`! ${word}`);
    await view.close();

    // The committee itself: this fixture's few placed children are a small cell, so the goal's value
    // and light are withheld ("<5", no light) in its goal list, as the API sends them.
    const committee = await env.login('udvalg');
    const withheld = committee.getByTestId(`goal-${goalId}`);
    await withheld.waitFor();
    const forCommittee = (
      (await env.api<KpiResponse>('udvalg', '/api/v1/kpis?ids=goal.status')).kpis['goal.status'] as unknown as GoalStatus[]
    )[0];
    expect(forCommittee.status).toBeNull();
    expect(await withheld.locator('.light').count()).toBe(0);
    await committee.close();
  });

  it('shows kroner per placed child as whole kroner with kr., as the API computes them', async () => {
    const api = await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${PER_CHILD}`);
    const kr = api.kpis[PER_CHILD] as number;
    expect(typeof kr).toBe('number');
    const page = await env.login('chef', { viewport: { width: 1024, height: 768 } });
    const big = page.getByTestId(`figure-${PER_CHILD}`).locator('.big-number');
    await big.waitFor();
    const whole = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 0 }).format(Math.round(kr));
    expect(await big.textContent()).toBe(`${whole} kr.`);
    expect(await big.textContent()).not.toMatch(/,\d/);
    // The committee's budget table says its unit on screen.
    await page.goto(`${env.base}/#/udvalg`);
    expect(await page.getByTestId('budget-unit').textContent()).toBe('Beløb i 1.000 kr.');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await page.close();
  });
});
