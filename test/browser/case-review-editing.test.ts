import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { BrowserApp, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Changing what a case review holds, in Chromium (issue 16; ADR 62, 63), on
// test/fixtures/dubu-deadlines at D = 30-04-2024: a dialogue meeting and an action area edited in
// place, a new checklist version written by the chief (earlier rounds keep theirs), a round drawn
// by legal paragraph, and the chief's child-perspective example for the committee, refused when it
// holds a name and then read by the committee.
const D = '2024-04-30';

interface Meeting {
  id: number;
  date: string;
  participants: string[];
  cases: string[];
  notes: string | null;
}
interface Area {
  id: number;
  title: string;
  why: string | null;
  owner: string;
  due: string | null;
  status: string;
  items: string[];
  kpi: string | null;
}

describe('editing a case review in Chromium', () => {
  let env: BrowserApp;
  let roundId: number;

  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D }),
      'Team Nord',
    );
    const round = await env.api<{ id: number }>('teamleder', '/api/v1/reviews', {
      method: 'POST',
      body: { title: 'Læring: børnesamtaler', asOf: D, sampling: { kind: 'chosen', cases: [{ case: 'C1' }, { case: 'C2' }] } },
    });
    roundId = round.id;
    await env.api('teamleder', `/api/v1/reviews/${roundId}/meetings`, {
      method: 'POST',
      body: { date: '2024-05-15', participants: ['Rådgivere'], cases: ['C1'], notes: 'Første udkast.' },
    });
    await env.api('teamleder', '/api/v1/reviews/actions', {
      method: 'POST',
      body: { municipality: 461, round: roundId, title: 'Netværket', owner: 'Team Nord', items: ['pro.network'] },
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('changes a dialogue meeting and an action area in place, every field, and passes axe', async () => {
    const page = await env.login('teamleder');
    await page.goto(`${env.base}/#/sagsgennemgang/${roundId}`);
    const meetings = page.getByTestId('meetings');
    await meetings.getByRole('heading', { name: 'Møde 15.05.2024' }).waitFor();
    await meetings.getByRole('button', { name: 'Ret mødet 15.05.2024' }).click();
    const form = meetings.getByTestId('meeting-form');
    await form.getByRole('heading', { name: 'Ret dialogmødet' }).waitFor();
    expect(await form.getByLabel('Referat').inputValue()).toBe('Første udkast.');
    await form.getByLabel('Dato').fill('16.05.2024');
    await form.getByLabel('Deltagere (roller, adskilt med komma)').fill('Rådgivere, Teamleder, Faglig koordinator');
    await form.getByLabel('Sag C1').uncheck();
    await form.getByLabel('Sag C2').check();
    await form.getByLabel('Referat').fill('Drøftet: barnets perspektiv i C2.');
    await form.getByRole('button', { name: 'Gem ændringen' }).click();
    await meetings.getByRole('heading', { name: 'Møde 16.05.2024' }).waitFor();
    const [meeting] = await env.api<Meeting[]>('teamleder', `/api/v1/reviews/${roundId}/meetings`);
    expect(meeting).toMatchObject({
      date: '2024-05-16',
      participants: ['Rådgivere', 'Teamleder', 'Faglig koordinator'],
      cases: ['C2'],
      notes: 'Drøftet: barnets perspektiv i C2.',
    });
    expect(await meetings.getByRole('heading', { name: 'Nyt dialogmøde' }).count()).toBe(1);

    const actions = page.getByTestId('action-areas');
    await actions.getByRole('button', { name: 'Ret indsatsområdet Netværket' }).click();
    const areaForm = actions.getByTestId('action-form');
    expect(await areaForm.getByLabel('Ejer (en rolle eller et team)').inputValue()).toBe('Team Nord');
    await areaForm.getByLabel('Titel', { exact: true }).fill('Netværket inddrages tidligt');
    await areaForm.getByLabel(/^Hvorfor/).fill('Netværket afdækkes sent i flere sager.');
    await areaForm.getByLabel('Ejer (en rolle eller et team)').fill('Faglig koordinator');
    await areaForm.getByLabel('Frist', { exact: true }).fill('30.06.2025');
    await areaForm.getByLabel(/^Status/).selectOption('i_gang');
    await areaForm.getByLabel('Nøgletal, hvis effekt følges').selectOption('deadline.child_conversation');
    await areaForm.getByLabel('Børnesamtale før hver afgørelse').check();
    // A CPR number is refused in Danish, and nothing is changed.
    await areaForm.getByLabel(/^Hvorfor/).fill('Se 010203-1234');
    await areaForm.getByRole('button', { name: 'Gem ændringen' }).click();
    await actions
      .getByRole('alert')
      .filter({ hasText: /^Begrundelsen ser ud til at indeholde et CPR-nummer/ })
      .waitFor();
    expect((await env.api<Area[]>('teamleder', '/api/v1/reviews/actions?municipality=461'))[0].title).toBe('Netværket');
    await areaForm.getByLabel(/^Hvorfor/).fill('Netværket afdækkes sent i flere sager.');
    await areaForm.getByRole('button', { name: 'Gem ændringen' }).click();
    await actions.getByRole('heading', { name: 'Netværket inddrages tidligt' }).waitFor();
    const [area] = await env.api<Area[]>('teamleder', '/api/v1/reviews/actions?municipality=461');
    expect(area).toMatchObject({
      title: 'Netværket inddrages tidligt',
      why: 'Netværket afdækkes sent i flere sager.',
      owner: 'Faglig koordinator',
      due: '2025-06-30',
      status: 'i_gang',
      items: ['pro.network', 'formal.child_conversation'],
      kpi: 'deadline.child_conversation',
    });
    expect(await actions.textContent()).toContain('30.06.2025');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('lets the chief write a new checklist version; new rounds use it, the earlier round keeps its own', async () => {
    const before = await env.api<{ version: number; items: { id: string }[] }[]>('chef', '/api/v1/reviews/checklists?municipality=461');
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/sagsgennemgang`);
    const editor = page.getByTestId('checklist-editor');
    await editor.getByRole('button', { name: 'Skriv en ny version' }).click();
    const form = editor.getByTestId('checklist-form');
    await form.getByLabel('Tjeklistens titel').fill('Odenses tjekliste 2025');
    await form.getByRole('button', { name: /^Fjern punktet Barnet er i målgruppen/ }).click();
    await form.getByLabel(/^Fagligt punkt \d+ \(pro\.fit\)/).fill('Indsatsen passer til behovet');
    await form.getByLabel('Nyt fagligt punkt').fill('Skolen er inddraget');
    await form.getByRole('button', { name: 'Tilføj punktet' }).click();
    await form.getByTestId('checklist-row-pro.skolen_er_inddraget').waitFor();
    await form.getByRole('button', { name: 'Gem som ny version' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: /er gemt som version \d+/ })
      .waitFor();
    const after = await env.api<{ version: number; title: string; items: { id: string; kind: string; title: string }[] }[]>(
      'chef',
      '/api/v1/reviews/checklists?municipality=461',
    );
    expect(after).toHaveLength(before.length + 1);
    const ids = after[0].items.map((i) => i.id);
    expect(after[0].title).toBe('Odenses tjekliste 2025');
    expect(ids).toEqual([...before[0].items.map((i) => i.id).filter((id) => id !== 'pro.target_group'), 'pro.skolen_er_inddraget']);
    expect(after[0].items.find((i) => i.id === 'pro.fit')).toMatchObject({ kind: 'professional', title: 'Indsatsen passer til behovet' });
    await editor
      .getByTestId('checklist-newest')
      .filter({ hasText: `Odenses tjekliste 2025 (version ${after[0].version}` })
      .waitFor();

    // The form for a new round now offers both versions, the newest by default; a round drawn by
    // legal paragraph gets the new one and names its paragraph in the list.
    const newRound = page.getByTestId('new-round');
    await newRound.getByLabel('Tjekliste').waitFor();
    await newRound.getByLabel('Titel', { exact: true }).fill('Tilsyn efter BL § 32');
    await newRound.getByLabel('Tilfældigt efter lovparagraf').check();
    await newRound.getByLabel('Lovparagraf (fx BL § 46 eller SEL § 52, stk. 3)').fill('§ 32');
    await newRound.getByLabel('Antal sager').fill('1');
    await newRound.getByRole('button', { name: 'Opret gennemgang' }).click();
    const alert = newRound.locator('xpath=..').getByRole('alert');
    expect(await alert.textContent()).toBe('paragraph skal være en lovparagraf med lov, fx "BL § 46" eller "SEL § 52, stk. 3"');
    await newRound.getByLabel('Lovparagraf (fx BL § 46 eller SEL § 52, stk. 3)').fill('bl 32');
    await newRound.getByRole('button', { name: 'Opret gennemgang' }).click();
    await page.getByTestId('round-made').waitFor();
    const rounds = await env.api<{ id: number; title: string; checklistVersion: number }[]>('chef', '/api/v1/reviews?municipality=461');
    const made = rounds.find((r) => r.title === 'Tilsyn efter BL § 32')!;
    expect(made.checklistVersion).toBe(after[0].version);
    expect(rounds.find((r) => r.id === roundId)!.checklistVersion).toBe(before[0].version);
    expect(await page.getByTestId(`round-${made.id}`).textContent()).toContain('Tilfældigt, 1 efter BL § 32');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('lets the chief write a child-perspective example for the committee, refusing a name, and shows it to the committee at 1024', async () => {
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/sagsgennemgang`);
    const examples = page.getByTestId('review-examples');
    await examples.getByText('Der er endnu ingen eksempler.').waitFor();
    const form = examples.getByTestId('example-form');
    await form.getByLabel('Titel', { exact: true }).fill('Pigen på 12 år om tilsynsbesøget');
    await form.getByLabel(/^Eksempel/).fill('Emma fortalte, at hun for første gang talte alene med rådgiveren.');
    await form.getByRole('button', { name: 'Gem eksempel' }).click();
    expect(await examples.getByRole('alert').textContent()).toBe(
      'Eksemplet ser ud til at indeholde et navn (Emma). Skriv uden navne, fx "pigen på 12 år" eller "rådgiveren"; udvalget må ikke kunne genkende barnet.',
    );
    expect(await env.api<unknown[]>('chef', '/api/v1/reviews/examples?municipality=461')).toEqual([]);
    await form.getByLabel(/^Eksempel/).fill('Hun fortalte, at hun for første gang talte alene med rådgiveren.');
    await form.getByRole('button', { name: 'Gem eksempel' }).click();
    await examples.getByRole('heading', { name: 'Pigen på 12 år om tilsynsbesøget' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();

    const committee = await env.login('udvalg', { viewport: { width: 1024, height: 768 } });
    await committee.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Sagsgennemgang' }).click();
    const shown = committee.getByTestId('review-committee').getByTestId('review-examples');
    await shown.getByRole('heading', { name: 'Pigen på 12 år om tilsynsbesøget' }).waitFor();
    expect(await shown.textContent()).toContain('Hun fortalte, at hun for første gang talte alene med rådgiveren.');
    expect(await shown.getByTestId('example-form').count()).toBe(0);
    expect(await shown.getByRole('button').count()).toBe(0);
    expect(await committee.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await seriousA11yViolations(committee)).toEqual([]);
    await committee.close();

    // The team leader reads it, but writes none.
    const leader = await env.login('teamleder');
    await leader.goto(`${env.base}/#/sagsgennemgang`);
    await leader.getByTestId('review-examples').getByRole('heading', { name: 'Pigen på 12 år om tilsynsbesøget' }).waitFor();
    expect(await leader.getByTestId('example-form').count()).toBe(0);
    expect(await leader.getByTestId('checklist-editor').count()).toBe(0);
    await leader.close();
  });

  it('reads the checklists once, and keeps a half-typed new round when the chief saves a checklist version', async () => {
    const page = await env.login('chef');
    let reads = 0;
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/reviews/checklists') reads++;
    });
    await page.goto(`${env.base}/#/sagsgennemgang`);
    const editor = page.getByTestId('checklist-editor');
    await editor.getByRole('button', { name: 'Skriv en ny version' }).waitFor();
    const newRound = page.getByTestId('new-round');
    await page.waitForLoadState('networkidle');
    // One read for the item titles, the new-round form and the editor together.
    expect(reads).toBe(1);

    await newRound.getByLabel('Titel', { exact: true }).fill('Halvt skrevet tilsyn');
    await newRound.getByLabel('Formål').fill('Skal blive stående');
    await newRound.getByLabel('Tilfældigt efter foranstaltningstype').check();
    await editor.getByRole('button', { name: 'Skriv en ny version' }).click();
    await editor.getByTestId('checklist-form').getByLabel('Tjeklistens titel').fill('Tjekliste til efteråret');
    await editor.getByRole('button', { name: 'Gem som ny version' }).click();
    await editor.getByTestId('checklist-newest').filter({ hasText: 'Tjekliste til efteråret' }).waitFor();
    await page.waitForLoadState('networkidle');
    // Read again once, for the new version; the form offers it and keeps what was typed.
    expect(reads).toBe(2);
    await newRound.getByRole('option', { name: 'Nyeste: Tjekliste til efteråret' }).waitFor({ state: 'attached' });
    expect(await newRound.getByLabel('Titel', { exact: true }).inputValue()).toBe('Halvt skrevet tilsyn');
    expect(await newRound.getByLabel('Formål').inputValue()).toBe('Skal blive stående');
    expect(await newRound.getByLabel('Tilfældigt efter foranstaltningstype').isChecked()).toBe(true);
    await page.close();
  });
});
