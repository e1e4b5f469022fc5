import { readFileSync } from 'fs';
import { join } from 'path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatShare } from '@bu/contracts';
import { importDubu } from '@bu/etl';
import { nameIn } from '@bu/domain';
import { DEMO_EXAMPLE, seedDemoReviews } from '../../scripts/lib/demo-reviews';
import { BrowserApp, OUT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The case review view (#/sagsgennemgang) in Chromium on test/fixtures/dubu-deadlines at
// D = 30-04-2024 (the fixture of the API's review tests): a team leader of Team Nord draws a round,
// reviews a case (a formal item corrected with a note, the professional items answered, status
// færdig) and sees the result; the committee sees only the aggregates and the action areas.
const D = '2024-04-30';

interface Round {
  id: number;
  found: number;
  requested: number;
  notice: string | null;
  cases: {
    case: string;
    status: string;
    forklaede: string | null;
    items: { id: string; answer: string | null; source: string; dataAnswer: string | null; note: string | null }[];
  }[];
}

describe('the case review view in Chromium', () => {
  let env: BrowserApp;
  let roundId: number;
  let reviewed: string;

  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D }),
      'Team Nord',
    );
  });
  afterAll(async () => {
    await env?.close();
  });

  it('lets a team leader draw a round, refusing a seed that is no whole number in Danish, and shows what it found', async () => {
    const page = await env.login('teamleder');
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Sagsgennemgang' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sagsgennemgang' }).waitFor();
    await page.getByText('Der er endnu ingen gennemgange.').waitFor();
    const form = page.getByTestId('new-round');
    // One checklist so far: the product's own, named beside the form.
    const [checklist] = await env.api<{ version: number; title: string }[]>('teamleder', '/api/v1/reviews/checklists?municipality=461');
    expect(await form.getByTestId('checklist-version').textContent()).toBe(`Tjekliste: ${checklist.title} (version ${checklist.version})`);
    await form.getByLabel('Titel', { exact: true }).fill('Ledelsestilsyn 2. kvartal');
    await form.getByLabel('Formål').fill('Halvårligt tilsyn med Team Nords sager');
    await form.getByLabel('Dato for gennemgangen (tom: de nyeste data)').fill('30.04.2024');
    await form.getByLabel('Sager pr. rådgiver').fill('2');
    await form.getByLabel(/^Seed/).fill('4,5');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('seed skal være et heltal mellem 0 og 2147483647');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await form.getByLabel(/^Seed/).fill('42');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    const made = page.getByTestId('round-made');
    await made.waitFor();
    const rounds = await env.api<{ id: number; title: string }[]>('teamleder', '/api/v1/reviews?municipality=461');
    expect(rounds).toHaveLength(1);
    roundId = rounds[0].id;
    const round = await env.api<Round>('teamleder', `/api/v1/reviews/${roundId}`);
    expect(round.found).toBeGreaterThan(0);
    expect(await made.textContent()).toContain(`er oprettet med ${round.found} sager`);
    // AA and BB of Team Nord: 2 each asked for, BB has one open case: the API's notice is shown.
    expect(round.found).toBeLessThan(round.requested);
    expect(await page.getByTestId('round-notice').textContent()).toBe(round.notice);
    // The list shows the round and its progress without a reload of the page.
    await page.getByTestId(`round-${roundId}`).waitFor();
    expect(await page.getByTestId(`round-${roundId}`).getByTestId('progress').textContent()).toBe(`0 af ${round.found} færdige`);
    await page.screenshot({ path: join(OUT, 'sagsgennemgang-teamleder-1366.png'), fullPage: true });
    await page.close();
  });

  it('reviews a case beside its facts: a correction needs a note, CPR numbers are refused beside the field, status færdig', async () => {
    const round = await env.api<Round>('teamleder', `/api/v1/reviews/${roundId}`);
    reviewed = round.cases[0].case;
    const formal = round.cases[0].items.find((i) => i.id === 'formal.investigation_4m')!;
    const corrected = formal.dataAnswer === 'ja' ? 'nej' : 'ja';

    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang/${roundId}`);
    await page.getByRole('heading', { level: 1, name: 'Ledelsestilsyn 2. kvartal' }).waitFor();
    const rows = page.getByTestId('round-cases-table').locator('tbody tr');
    expect(await rows.count()).toBe(round.found);
    expect(await page.getByTestId(`case-${reviewed}`).locator('td').last().textContent()).toBe('Ikke startet');
    await page.getByRole('link', { name: `Sag ${reviewed}` }).click();
    await page.getByRole('heading', { level: 1, name: `Sag ${reviewed}` }).waitFor();

    // The facts beside the checklist, dates as dd.mm.åååå.
    const facts = page.getByTestId('case-facts');
    expect(await facts.getByRole('heading', { level: 2 }).textContent()).toBe('Sagens data pr. 30.04.2024');
    expect(await facts.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    const sheet = page.getByTestId('case-review');
    const item = sheet.getByTestId('item-formal.investigation_4m');
    const names: Record<string, string> = { ja: 'Ja', nej: 'Nej', ikke_relevant: 'Ikke relevant' };
    expect(await item.getByTestId('data-answer').textContent()).toBe(formal.dataAnswer ? names[formal.dataAnswer] : 'Ikke beregnet');
    await item.getByLabel('Ret med note').check();
    await item.getByLabel('Rettet svar').selectOption(corrected);
    await sheet.getByRole('button', { name: 'Gem gennemgang' }).click();
    // The API's refusal, beside the item it is about.
    await item.getByRole('alert').waitFor();
    expect(await item.getByRole('alert').textContent()).toBe(
      'En rettelse af det formelle punkt formal.investigation_4m skal have en note, der siger hvorfor',
    );
    await item.getByLabel('Note til rettelsen').fill('Undersøgelsen blev afsluttet i tide; datoen i fagsystemet er tastet forkert.');

    const scale = ['pro.target_group', 'pro.child_view', 'pro.network', 'pro.analysis', 'pro.documentation', 'pro.fit'];
    const given = ['Ja', 'Delvist', 'Nej', 'Ja', 'Ikke relevant', 'Ja'];
    for (const [i, id] of scale.entries()) await sheet.getByTestId(`item-${id}`).getByLabel(given[i], { exact: true }).check();
    await sheet.getByTestId('item-pro.network').getByLabel('Note').fill('Netværket er ikke afdækket; ingen netværkskort.');
    await sheet.getByLabel('Resumé af sagsforløbet').fill('Barnet blev set 010203-1234 ved mødet.');
    await sheet.getByLabel('Læringsspørgsmål').fill('Hvordan bruger vi netværket tidligere?');
    await sheet.getByLabel('Status').selectOption('faerdig');
    await sheet.getByRole('button', { name: 'Gem gennemgang' }).click();
    const summaryError = sheet.locator('#error-summary');
    await summaryError.waitFor();
    expect(await summaryError.textContent()).toBe(
      'Resuméet ser ud til at indeholde et CPR-nummer. Skriv aldrig CPR-numre i en sagsgennemgang; sagsnummeret er nok.',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Nothing was stored.
    expect((await env.api<Round>('teamleder', `/api/v1/reviews/${roundId}`)).cases[0].status).toBe('ikke_startet');

    await sheet.getByLabel('Resumé af sagsforløbet').fill('Forløbet er fulgt tæt, men netværket er ikke inddraget.');
    await sheet.getByRole('button', { name: 'Gem gennemgang' }).click();
    await sheet.getByRole('status').filter({ hasText: 'Gennemgangen af sagen er gemt.' }).waitFor();
    expect(await item.getByText('Rettet af gennemgangen').count()).toBe(1);
    await page.screenshot({ path: join(OUT, 'sagsgennemgang-sag-1366.png'), fullPage: true });

    const after = (await env.api<Round>('teamleder', `/api/v1/reviews/${roundId}`)).cases.find((c) => c.case === reviewed)!;
    expect(after.status).toBe('faerdig');
    expect(after.items.find((i) => i.id === 'formal.investigation_4m')).toMatchObject({
      answer: corrected,
      source: 'reviewer',
      dataAnswer: formal.dataAnswer,
      note: 'Undersøgelsen blev afsluttet i tide; datoen i fagsystemet er tastet forkert.',
    });
    expect(Object.fromEntries(after.items.filter((i) => i.id.startsWith('pro.')).map((i) => [i.id, i.answer]))).toEqual({
      'pro.target_group': 'ja',
      'pro.child_view': 'delvist',
      'pro.network': 'nej',
      'pro.analysis': 'ja',
      'pro.documentation': 'ikke_relevant',
      'pro.fit': 'ja',
    });
    expect(after.items.find((i) => i.id === 'pro.network')!.note).toBe('Netværket er ikke afdækket; ingen netværkskort.');
    await page.close();
  });

  it('holds a dialogue meeting and an action area with its KPI trend, and shows the results as the API gives them', async () => {
    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang/${roundId}`);
    const meetings = page.getByTestId('meetings');
    await meetings.getByText('Der er endnu ingen dialogmøder.').waitFor();
    await meetings.getByLabel('Dato').fill('15.05.2024');
    await meetings.getByLabel('Deltagere (roller, adskilt med komma)').fill('Rådgivere, Teamleder');
    await meetings.getByLabel(`Sag ${reviewed}`).check();
    await meetings.getByLabel('Referat').fill('Drøftet: netværket inddrages for sent.');
    await meetings.getByRole('button', { name: 'Gem dialogmøde' }).click();
    await meetings.getByRole('heading', { name: 'Møde 15.05.2024' }).waitFor();
    expect(await meetings.textContent()).toContain('Rådgivere, Teamleder');

    const actions = page.getByTestId('action-areas');
    const form = actions.getByTestId('action-form');
    await form.getByRole('button', { name: 'Opret indsatsområde' }).click();
    expect(await actions.getByRole('alert').textContent()).toBe('Indsatsområdet skal have en titel');
    await form.getByLabel('Titel', { exact: true }).fill('Samtale med barnet før afgørelse');
    await form.getByLabel('Hvorfor', { exact: true }).fill('Børnesamtalen mangler i flere sager.');
    await form.getByLabel('Ejer (en rolle eller et team)').fill('Team Nord');
    await form.getByLabel('Frist', { exact: true }).fill('31.12.2024');
    await form.getByLabel('Nøgletal, hvis effekt følges').selectOption('deadline.child_conversation');
    await form.getByLabel('Børnesamtale før hver afgørelse').check();
    await form.getByRole('button', { name: 'Opret indsatsområde' }).click();
    await actions.getByRole('heading', { name: 'Samtale med barnet før afgørelse' }).waitFor();
    await actions.getByTestId('action-trend').waitFor();
    const areas = await env.api<{ id: number; round: number; kpi: string; items: string[] }[]>(
      'teamleder',
      '/api/v1/reviews/actions?municipality=461',
    );
    expect(areas).toMatchObject([{ round: roundId, kpi: 'deadline.child_conversation', items: ['formal.child_conversation'] }]);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Results over time on the list page: the same figures as the API's answer, by team, never by caseworker rank.
    await page.getByRole('link', { name: '← Alle gennemgange' }).click();
    const results = page.getByTestId('review-results');
    await results.getByTestId('reviewed-cases').waitFor();
    const api = await env.api<{ reviewedCases: number; items: { id: string; judged: number; notMet: number; share: number | null }[] }>(
      'teamleder',
      '/api/v1/reviews/results?municipality=461',
    );
    expect(api.reviewedCases).toBe(1);
    expect(await results.getByTestId('reviewed-cases').textContent()).toContain(': 1');
    const network = api.items.find((i) => i.id === 'pro.network')!;
    expect(network).toMatchObject({ judged: 1, notMet: 1, share: 1 });
    expect(await results.getByTestId('result-pro.network').locator('td').allTextContents()).toEqual(['1', '1', formatShare(1)]);
    expect(await results.getByTestId('review-by-team').textContent()).toContain('Team Nord');
    // One caseworker's results at a time, chosen by id: no table of caseworkers side by side.
    const byCaseworker = await env.api<{ byCaseworker: Record<string, { id: string; share: number | null }[]> }>(
      'teamleder',
      '/api/v1/reviews/results?municipality=461',
    );
    const [worker] = Object.keys(byCaseworker.byCaseworker);
    expect(await results.getByTestId('review-by-caseworker').count()).toBe(0);
    await results.getByLabel(/^Resultater for én rådgiver/).selectOption(worker);
    const mine = results.getByTestId('review-by-caseworker');
    await mine.waitFor();
    expect(await mine.locator('thead th').allTextContents()).toEqual(['Punkt', worker]);
    expect(
      await mine
        .getByRole('row', { name: /Familiens netværk er afdækket og inddraget/ })
        .locator('td')
        .textContent(),
    ).toBe(formatShare(byCaseworker.byCaseworker[worker].find((i) => i.id === 'pro.network')!.share!));
    expect(await results.getByTestId('top-deficiencies').textContent()).toContain('Familiens netværk er afdækket og inddraget: 1 sag');
    expect(await page.getByTestId(`round-${roundId}`).getByTestId('progress').textContent()).toMatch(/^1 af \d+ færdige$/);
    // Excel like the other views.
    await page.close();
    const dl = await env.login('teamleder', { downloads: true });
    await dl.goto(`${env.base}/#/sagsgennemgang`);
    const [download] = await Promise.all([
      dl.waitForEvent('download'),
      dl.getByTestId('review-results').getByRole('button', { name: 'Hent som Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^sagsgennemgang-461-\d{4}-\d{2}-\d{2}-2024-04-30\.xlsx$/);
    // What the tables show: the item's Danish title with its counts as numeric cells.
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    expect(sheet).toMatch(
      /<t xml:space="preserve">Familiens netværk er afdækket og inddraget<\/t><\/is><\/c><c r="B\d+"><v>1<\/v><\/c><c r="C\d+"><v>1<\/v><\/c><c r="D\d+"><v>1<\/v>/,
    );
    expect(sheet).toContain('Gennemgåede sager');
    await dl.close();
  });

  it('shows the committee only the aggregated results and the action areas, and passes axe', async () => {
    const page = await env.login('udvalg');
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Sagsgennemgang' }).click();
    const view = page.getByTestId('review-committee');
    await view.getByTestId('reviewed-cases').waitFor();
    // One reviewed case: suppressed, as every committee figure under 5.
    expect(await view.getByTestId('reviewed-cases').textContent()).toContain(': <5');
    expect(await view.getByTestId('review-by-team').count()).toBe(0);
    expect(await view.getByTestId('caseworker-results').count()).toBe(0);
    expect(await view.getByTestId('review-rounds').count()).toBe(0);
    expect(await view.getByTestId('new-round').count()).toBe(0);
    expect(await view.getByTestId('action-form').count()).toBe(0);
    await view.getByRole('heading', { name: 'Samtale med barnet før afgørelse' }).waitFor();
    expect(await view.textContent()).not.toContain(reviewed);
    // The action area's KPI is not one the committee may read: no trend and no error about it.
    await page.waitForLoadState('networkidle');
    expect(await view.textContent()).not.toContain('Din rolle kan ikke se');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'sagsgennemgang-udvalg-1366.png'), fullPage: true });
    // A round's address shows the committee the same aggregates, never the round.
    await page.goto(`${env.base}/#/sagsgennemgang/${roundId}`);
    await page.reload();
    await page.getByTestId('review-committee').waitFor();
    expect(await page.getByTestId('round-cases-table').count()).toBe(0);
    await page.close();
  });

  it('fits a 1024×768 tablet without horizontal scrolling and passes axe there, on the list and on a case', async () => {
    const page = await env.login('teamleder', { viewport: { width: 1024, height: 768 } });
    await page.goto(`${env.base}/#/sagsgennemgang`);
    await page.getByTestId('review-results').getByTestId('reviewed-cases').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${env.base}/#/sagsgennemgang/${roundId}/${reviewed}`);
    await page.getByTestId('case-facts').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'sagsgennemgang-sag-1024.png'), fullPage: true });
    // A broken link (a cut escape, a path step) shows the round, not a blank page.
    for (const part of ['%E0%A4%A', '..']) {
      await page.goto(`${env.base}/#/sagsgennemgang/${roundId}/${part}`);
      await page.getByTestId('round-cases-table').waitFor();
      expect(await page.getByTestId('case-facts').count()).toBe(0);
    }
    await page.close();
  });

  it('lets the team leader delete a round made by mistake', async () => {
    const made = await env.api<{ id: number }>('teamleder', '/api/v1/reviews', {
      method: 'POST',
      body: { title: 'Forkert udtræk', asOf: D, sampling: { kind: 'chosen', cases: [{ case: 'C6' }] } },
    });
    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang`);
    await page.getByTestId(`round-${made.id}`).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Slet gennemgangen Forkert udtræk' }).click();
    await page.getByRole('status').filter({ hasText: 'Gennemgangen "Forkert udtræk" er slettet.' }).waitFor();
    // The list is read again: the round leaves it.
    await page.getByTestId(`round-${made.id}`).waitFor({ state: 'detached' });
    expect(await page.getByTestId(`round-${roundId}`).count()).toBe(1);
    const left = await env.api<{ id: number }[]>('teamleder', '/api/v1/reviews?municipality=461');
    expect(left.map((r) => r.id)).toEqual([roundId]);
    await page.close();
  });

  it("draws chosen cases with a forklæde, refusing a CPR number, another team's case and a case drawn twice", async () => {
    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang`);
    const form = page.getByTestId('new-round');
    await form.waitFor();
    await form.getByLabel('Titel', { exact: true }).fill('Læring: børnesamtaler');
    await form.getByLabel('Udvalgte sager med forklæde').check();
    await form.getByLabel('Sagsnummer 1').fill('C2');
    await form.getByLabel('Forklæde for sag 1 (hvorfor denne sag, hvad skal der ses på)').fill('Barnet (010203-1234) blev ikke hørt.');
    await form.getByRole('button', { name: 'Tilføj en sag' }).click();
    await form.getByLabel('Sagsnummer 2').fill('C2');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    const alert = page.getByTestId('new-round').locator('xpath=..').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'Forklædet ser ud til at indeholde et CPR-nummer. Skriv aldrig CPR-numre i en sagsgennemgang; sagsnummeret er nok.',
    );
    await form.getByLabel('Forklæde for sag 1 (hvorfor denne sag, hvad skal der ses på)').fill('Barnet blev ikke hørt før afgørelsen.');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    await alert.filter({ hasText: 'En sag er valgt to gange' }).waitFor();
    await form.getByLabel('Sagsnummer 2').fill('C7');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    // C7 is Team Syd's: the API's Danish 404, and nothing is drawn.
    await alert.filter({ hasText: 'C7' }).waitFor();
    const before = await env.api<unknown[]>('teamleder', '/api/v1/reviews?municipality=461');
    expect(before.length).toBe(1);
    await form.getByLabel('Sagsnummer 2').fill('');
    await form.getByRole('button', { name: 'Opret gennemgang' }).click();
    await page.getByTestId('round-made').waitFor();
    const rounds = await env.api<{ id: number; title: string }[]>('teamleder', '/api/v1/reviews?municipality=461');
    const made = rounds.find((r) => r.title === 'Læring: børnesamtaler')!;
    const round = await env.api<Round>('teamleder', `/api/v1/reviews/${made.id}`);
    // Chosen by hand: drawn although reviewed in the last 12 months.
    expect(round.cases.map((c) => [c.case, c.forklaede])).toEqual([['C2', 'Barnet blev ikke hørt før afgørelsen.']]);
    expect(await page.getByTestId(`round-${made.id}`).textContent()).toContain('Udvalgte sager');
    await page.close();
  });

  it('offers no case review to the administrator', async () => {
    const page = await env.login('admin');
    await page.getByRole('navigation', { name: 'Visninger' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sagsgennemgang' }).count()).toBe(0);
    await page.goto(`${env.base}/#/sagsgennemgang`);
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByRole('heading', { level: 1, name: 'Sagsgennemgang' }).count()).toBe(0);
    await page.close();
  });
});

// The demo's case reviews (scripts/lib/demo-reviews.ts) on the same fixture, as a new chief sees
// them; a team leader of Team Nord is refused another team's case; the print stylesheet.
describe("the demo's case reviews in Chromium", () => {
  let env: BrowserApp;

  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
      await seedDemoReviews(db.pool, 461, D);
    }, 'Team Nord');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('shows the chief the finished ledelsestilsyn and the learning review in progress with its forklæde', async () => {
    const rounds = await env.api<{ id: number; title: string; cases: number; done: number }[]>('chef', '/api/v1/reviews?municipality=461');
    const tilsyn = rounds.find((r) => r.title === 'Ledelsestilsyn 2024')!;
    const learning = rounds.find((r) => r.title.startsWith('Sagsgennemgang:'))!;
    const page = await env.login('chef');
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Sagsgennemgang' }).click();
    await page.getByTestId(`round-${tilsyn.id}`).waitFor();
    expect(await page.getByTestId(`round-${tilsyn.id}`).getByTestId('progress').textContent()).toBe(
      `${tilsyn.done} af ${tilsyn.cases} færdige`,
    );
    expect(tilsyn.done).toBe(tilsyn.cases);
    expect(await page.getByTestId(`round-${learning.id}`).getByTestId('progress').textContent()).toBe(
      `${learning.done} af ${learning.cases} færdige`,
    );
    // Results by team for the chief: both teams of the finished round.
    const byTeam = page.getByTestId('review-by-team');
    await byTeam.waitFor();
    expect(await byTeam.textContent()).toContain('Team Nord');
    expect(await byTeam.textContent()).toContain('Team Syd');
    // The demo's child-perspective example for the committee: one the name screen lets through.
    expect(nameIn(`${DEMO_EXAMPLE.title} ${DEMO_EXAMPLE.text}`)).toBeNull();
    await page.getByTestId('review-examples').getByRole('heading', { name: DEMO_EXAMPLE.title }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // An action area's status is changed in place.
    const areas = page.getByTestId('action-areas');
    await areas.getByLabel('Status for Netværkskort i alle nye sager').selectOption('i_gang');
    await areas.getByRole('status').filter({ hasText: 'Status for "Netværkskort i alle nye sager" er gemt.' }).waitFor();
    const saved = await env.api<{ title: string; status: string }[]>('chef', '/api/v1/reviews/actions?municipality=461');
    expect(saved.find((a) => a.title === 'Netværkskort i alle nye sager')!.status).toBe('i_gang');

    // The print stylesheet leaves the forms and the filters out, the results in.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('new-round').isVisible()).toBe(false);
    expect(await page.getByTestId('review-items').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Hent som Excel' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: `Ret eksemplet ${DEMO_EXAMPLE.title}` }).isVisible()).toBe(false);
    expect(await page.getByText(DEMO_EXAMPLE.text).isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    const round = await env.api<{ cases: { case: string; forklaede: string | null }[] }>('chef', `/api/v1/reviews/${learning.id}`);
    await page.getByRole('link', { name: learning.title }).click();
    await page.getByRole('heading', { level: 1, name: learning.title }).waitFor();
    expect(await page.getByText('Udvalgte sager').count()).toBe(1);
    // The demo's dialogue meeting and action areas of the round.
    await page
      .getByTestId('meetings')
      .getByRole('heading', { level: 3, name: /^Møde / })
      .first()
      .waitFor();
    const first = round.cases[0];
    await page.getByRole('link', { name: `Sag ${first.case}`, exact: true }).click();
    const forklaede = page.getByLabel('Forklæde (hvorfor denne sag, hvad skal der ses på)');
    await forklaede.waitFor();
    expect(await forklaede.inputValue()).toBe(first.forklaede);
    // A placement's measure beside it, its codes in Danish.
    expect(await page.getByTestId('facts-measures').textContent()).toContain('Anbringelse');
    expect(await page.getByTestId('facts-measures').textContent()).not.toContain('placement');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'sagsgennemgang-demo-chef-1366.png'), fullPage: true });
    await page.close();
  });

  it("refuses a team leader another team's case with the API's Danish message", async () => {
    const rounds = await env.api<{ id: number; title: string }[]>('chef', '/api/v1/reviews?municipality=461');
    const tilsyn = rounds.find((r) => r.title === 'Ledelsestilsyn 2024')!;
    const all = await env.api<{ cases: { case: string; team: string }[] }>('chef', `/api/v1/reviews/${tilsyn.id}`);
    const other = all.cases.find((c) => c.team === 'Team Syd')!;
    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang/${tilsyn.id}`);
    await page.getByTestId('round-cases-table').waitFor();
    // Only the own team's cases are listed.
    expect(await page.getByTestId('round-cases-table').textContent()).not.toContain('Team Syd');
    await page.goto(`${env.base}/#/sagsgennemgang/${tilsyn.id}/${other.case}`);
    await page.reload();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    // The API's message, which does not repeat the case number from the address (it may be anything typed there).
    expect(await alert.textContent()).toContain(`Sagen findes ikke i gennemgang ${tilsyn.id}`);
    expect(await page.getByTestId('case-facts').count()).toBe(0);
    expect(await page.getByTestId('case-review').count()).toBe(0);
    await page.close();
  });
});
