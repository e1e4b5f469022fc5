import type { INestApplication } from '@nestjs/common';
import { createHash } from 'crypto';
import { join } from 'path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { runInScope } from '../../apps/api/src/database/request-scope';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';

// Case review rounds over HTTP on test/fixtures/dubu-deadlines at D = 30-04-2024, the fixture the
// formal items' spec (libs/kpi/src/review/formal.spec.ts) works out by hand. Open at D: C1-C4 (AA,
// Team Nord), C5 (BB, Team Nord), C6 (nobody since 31-03; Team Nord), C7 and C9 (CC, Team Syd),
// C8 (nobody ever; Modtagelsen). Placements active at D: C1, C7, C9.
const D = '2024-04-30';

/** The documented draw: cases ordered by md5(seed || ':' || case number), ties by case number. */
const draw = (seed: number, cases: string[]) =>
  [...cases].sort((a, b) => {
    const ha = createHash('md5').update(`${seed}:${a}`).digest('hex');
    const hb = createHash('md5').update(`${seed}:${b}`).digest('hex');
    return ha < hb ? -1 : ha > hb ? 1 : a < b ? -1 : 1;
  });

describe('case review rounds over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (user: string, method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) => {
    const req = request(app.getHttpServer())[method](`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);
    return body ? req.send(body) : req;
  };
  const create = (user: string, body: object) => call(user, 'post', '/reviews', { title: 'Ledelsestilsyn 2. kvartal', ...body });
  /** Forgets every round (as the database's owner), so a draw can be repeated on the same data. */
  const forgetRounds = () => db.pool.query('DELETE FROM review_round');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    // Copenhagen (101): the same export, and a case K1 only it has.
    const copenhagen = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    editFile(copenhagen, 'sager.csv', (text) => `${text.replaceAll(';461;', ';101;').trimEnd()}\nK1;111114-4011;101;Udsatte;01-01-2023;\n`);
    await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('drawing', () => {
    it('draws n per caseworker among the cases open at D, reproducibly, and says how many it found', async () => {
      await forgetRounds();
      const res = await create('chef', { sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 42 } }).expect(201);
      // AA holds C1-C4 (2 drawn), BB only C5, CC C7 and C9; C6 and C8 have no caseworker at D.
      const expected = [...draw(42, ['C1', 'C2', 'C3', 'C4']).slice(0, 2), 'C5', ...draw(42, ['C7', 'C9']).slice(0, 2)];
      expect(res.body.cases.map((c: { case: string }) => c.case)).toEqual(expected);
      expect(res.body).toMatchObject({ asOf: D, requested: 6, found: 5, checklistVersion: 1, createdBy: 'chef' });
      expect(res.body.sampling).toEqual({ kind: 'random_per_caseworker', perCaseworker: 2, seed: 42 });
      expect(res.body.notice).toBe(
        'Der blev kun fundet 5 af 6 ønskede sager: rådgivere med færre åbne sager giver dem, de har, og sager, der er gennemgået inden for de seneste 12 måneder, springes over.',
      );
      expect(res.body.cases.find((c: { case: string }) => c.case === 'C5')).toMatchObject({
        caseworker: 'BB',
        team: 'Team Nord',
        status: 'ikke_startet',
      });
      expect(res.body.checklist).toHaveLength(14);

      // The same seed on the same data draws the same cases.
      await forgetRounds();
      const again = await create('chef', { sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 42 } }).expect(201);
      expect(again.body.cases.map((c: { case: string }) => c.case)).toEqual(expected);

      // A case drawn in the last 12 months is skipped: AA gives the other two, BB and CC have none left.
      const next = await create('chef', { sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 42 } }).expect(201);
      expect(next.body.cases.map((c: { case: string }) => c.case)).toEqual(draw(42, ['C1', 'C2', 'C3', 'C4']).slice(2));
      expect(next.body).toMatchObject({ requested: 6, found: 2 });
    });

    it('counts a round dated D − 12 months as within the last 12 months, one a day older not', async () => {
      await forgetRounds();
      await create('chef', { asOf: '2023-04-29', sampling: { kind: 'chosen', cases: [{ case: 'C7' }] } }).expect(201);
      const free = await create('chef', { sampling: { kind: 'random_by_family', family: 'placement', count: 5, seed: 7 } }).expect(201);
      expect(free.body.cases.map((c: { case: string }) => c.case).sort()).toEqual(['C1', 'C7', 'C9']);
      await forgetRounds();
      await create('chef', { asOf: '2023-04-30', sampling: { kind: 'chosen', cases: [{ case: 'C7' }] } }).expect(201);
      const skipped = await create('chef', { sampling: { kind: 'random_by_family', family: 'placement', count: 5, seed: 7 } }).expect(201);
      expect(skipped.body.cases.map((c: { case: string }) => c.case)).toEqual(draw(7, ['C1', 'C9']));
      expect(skipped.body).toMatchObject({ requested: 5, found: 2 });
      expect(skipped.body.notice).toMatch(
        /^Der blev kun fundet 2 af 5 ønskede sager: der er ikke flere åbne sager med en aktiv foranstaltning/,
      );
    });

    it('draws by measure family, and stores a seed when none is given', async () => {
      await forgetRounds();
      const res = await create('chef', { sampling: { kind: 'random_by_family', family: 'preventive', count: 1 } }).expect(201);
      // Preventive measures active at D: Y2 (C3), Y4 (C5). Y7 (C2) is "ukendt", Y6 (C6) ended.
      const seed = res.body.sampling.seed;
      expect(Number.isInteger(seed)).toBe(true);
      expect(res.body.cases.map((c: { case: string }) => c.case)).toEqual(draw(seed, ['C3', 'C5']).slice(0, 1));
      expect(res.body.notice).toBeNull();
    });

    it('draws by legal paragraph: the paragraph or a part of it, active at D, reproducibly', async () => {
      await forgetRounds();
      // Measures active at D with their normalised legal basis (ydelser.csv): Y1 C1 "BL § 46", Y2 C3
      // "BL § 32", Y3 C3 "BL § 86", Y4 C5 "SEL § 52, stk. 3, nr. 3", Y5 C7 "SEL § 52, stk. 3, nr. 7",
      // Y7 C2 "BL § 32", Y8 C9 "SEL § 58"; Y6 C6 "SEL § 52, stk. 3, nr. 6" ended 31-03-2024.
      // "sel 52" is "SEL § 52": C5 and C7 (parts of § 52), not C6 (ended).
      const sel52 = await create('chef', { sampling: { kind: 'random_by_paragraph', paragraph: 'sel 52', count: 5, seed: 11 } }).expect(
        201,
      );
      expect(sel52.body.cases.map((c: { case: string }) => c.case)).toEqual(draw(11, ['C5', 'C7']));
      expect(sel52.body.sampling).toEqual({ kind: 'random_by_paragraph', paragraph: 'SEL § 52', count: 5, seed: 11 });
      expect(sel52.body).toMatchObject({ requested: 5, found: 2 });
      expect(sel52.body.notice).toMatch(
        /^Der blev kun fundet 2 af 5 ønskede sager: der er ikke flere åbne sager med en aktiv foranstaltning efter SEL § 52/,
      );
      // A more specific paragraph takes only its own measures: stk. 3, nr. 7 is C7's placement.
      await forgetRounds();
      const nr7 = await create('chef', {
        sampling: { kind: 'random_by_paragraph', paragraph: 'SEL § 52, stk. 3, nr. 7', count: 5, seed: 11 },
      }).expect(201);
      expect(nr7.body.cases.map((c: { case: string }) => c.case)).toEqual(['C7']);
      // BL § 32: C2 and C3; one of them by the seed's order, the same again on the same data.
      await forgetRounds();
      const bl32 = await create('chef', { sampling: { kind: 'random_by_paragraph', paragraph: 'BL § 32', count: 1, seed: 5 } }).expect(201);
      expect(bl32.body.cases.map((c: { case: string }) => c.case)).toEqual(draw(5, ['C2', 'C3']).slice(0, 1));
      expect(bl32.body.notice).toBeNull();
      await forgetRounds();
      const again = await create('chef', { sampling: { kind: 'random_by_paragraph', paragraph: 'BL § 32', count: 1, seed: 5 } }).expect(
        201,
      );
      expect(again.body.cases).toEqual(bl32.body.cases);
      // A team leader draws among the own teams only: C7 is Team Syd's.
      await forgetRounds();
      const own = await create('teamleder', {
        sampling: { kind: 'random_by_paragraph', paragraph: 'SEL § 52', count: 5, seed: 11 },
      }).expect(201);
      expect(own.body.cases.map((c: { case: string }) => c.case)).toEqual(['C5']);
      // Not a legal paragraph: a Danish 400.
      for (const paragraph of ['§ 46', 'anbringelse', 12])
        expect((await create('chef', { sampling: { kind: 'random_by_paragraph', paragraph, count: 1 } }).expect(400)).body.message).toBe(
          'paragraph skal være en lovparagraf med lov, fx "BL § 46" eller "SEL § 52, stk. 3"',
        );
    });

    it('takes cases chosen by hand with their forklæde, also one reviewed in the last 12 months', async () => {
      await forgetRounds();
      await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }] } }).expect(201);
      const res = await create('chef', {
        title: 'Læringsgennemgang: anbragte børn',
        purpose: 'Samtaler med barnet ved tilsyn',
        sampling: { kind: 'chosen', cases: [{ case: 'C9', forklaede: 'Valgt fordi der kun er ét tilsynsbesøg.' }, { case: 'C8' }] },
      }).expect(201);
      expect(res.body.cases.map((c: { case: string; chosen: boolean }) => [c.case, c.chosen])).toEqual([
        ['C9', true],
        ['C8', true],
      ]);
      expect(res.body.cases[0].forklaede).toBe('Valgt fordi der kun er ét tilsynsbesøg.');
      // C8 never had a caseworker: the intake team's.
      expect(res.body.cases[1]).toMatchObject({ caseworker: null, team: 'Modtagelsen' });
    });

    it("fills the formal items from the data at the round's date", async () => {
      await forgetRounds();
      const res = await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }, { case: 'C1' }] } }).expect(201);
      const items = (c: number) => Object.fromEntries(res.body.cases[c].items.map((i: { id: string }) => [i.id, i]));
      // C9 (formal.spec.ts): one visit, not alone; Y8 follow-up overdue; decided on its start.
      expect(items(0)['formal.supervision_visits']).toEqual({
        id: 'formal.supervision_visits',
        kind: 'formal',
        answer: 'nej',
        source: 'data',
        dataAnswer: 'nej',
        note: null,
      });
      expect(items(0)['formal.talked_alone'].answer).toBe('nej');
      expect(items(0)['formal.followup_on_time'].answer).toBe('nej');
      expect(items(0)['formal.decision_before_start'].answer).toBe('ja');
      expect(items(1)['formal.plan_on_time'].answer).toBe('ja');
      expect(items(1)['formal.notification_24h'].answer).toBe('ja');
      expect(items(1)['pro.child_view']).toEqual({
        id: 'pro.child_view',
        kind: 'professional',
        answer: null,
        source: 'reviewer',
        dataAnswer: null,
        note: null,
      });
    });
  });

  describe('bad input', () => {
    const refused = async (body: object, status: number, message: string | RegExp) => {
      const res = await create('chef', body).expect(status);
      expect(res.body.message).toMatch(message);
    };

    it('refuses a seed that is not an integer, an unknown kind and a missing title in Danish', async () => {
      const msg = 'seed skal være et heltal mellem 0 og 2147483647';
      await refused({ sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 'abc' } }, 400, msg);
      await refused({ sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 1.5 } }, 400, msg);
      await refused({ sampling: { kind: 'random_by_family', family: 'placement', count: 2, seed: -1 } }, 400, msg);
      await refused(
        { sampling: { kind: 'tilfældig' } },
        400,
        'sampling.kind skal være random_per_caseworker, random_by_family, random_by_paragraph eller chosen',
      );
      await refused(
        { sampling: { kind: 'random_by_family', family: 'økonomi', count: 2 } },
        400,
        'family skal være placement eller preventive',
      );
      await refused(
        { sampling: { kind: 'random_per_caseworker', perCaseworker: 0 } },
        400,
        'perCaseworker skal være et heltal fra 1 til 50',
      );
      await refused({ title: ' ', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } }, 400, 'Gennemgangen skal have en titel');
      await refused(
        { asOf: '2024-02-30', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } },
        400,
        'asOf skal være en dato (ÅÅÅÅ-MM-DD)',
      );
      await refused(
        { asOf: '2024-05-01', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } },
        400,
        'Gennemgangens dato kan ikke ligge efter de nyeste data (30.04.2024)',
      );
      await refused(
        { checklistVersion: 99, sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } },
        400,
        'Tjekliste version 99 findes ikke',
      );
      await refused({ sampling: { kind: 'chosen', cases: [{ case: 'C1' }, { case: 'C1' }] } }, 400, 'En sag er valgt to gange');
    });

    it('answers an unknown case and another municipality’s case with 404', async () => {
      await refused({ sampling: { kind: 'chosen', cases: [{ case: 'C1' }, { case: 'X404' }] } }, 404, 'Sag X404 findes ikke');
      await refused({ sampling: { kind: 'chosen', cases: [{ case: 'K1' }] } }, 404, 'Sag K1 findes ikke');
    });

    it('refuses free text holding a CPR number before it is stored', async () => {
      const before = (await db.pool.query('SELECT count(*)::int AS n FROM review_round')).rows[0].n;
      await refused(
        { sampling: { kind: 'chosen', cases: [{ case: 'C1', forklaede: 'Barnet (010114-4001) er valgt fordi' }] } },
        400,
        'Forklædet ser ud til at indeholde et CPR-nummer. Skriv aldrig CPR-numre i en sagsgennemgang; sagsnummeret er nok.',
      );
      await refused(
        { purpose: 'Se 0101144001', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } },
        400,
        /^Formålet ser ud til at indeholde et CPR-nummer/,
      );
      expect((await db.pool.query('SELECT count(*)::int AS n FROM review_round')).rows[0].n).toBe(before);
    });
  });

  describe('reviewing a case', () => {
    let id: number;
    beforeAll(async () => {
      await forgetRounds();
      id = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }, { case: 'C1' }, { case: 'C7' }] } }).expect(201))
        .body.id;
    });
    const put = (user: string, c: string, body: object) => call(user, 'put', `/reviews/${id}/cases/${c}`, body);
    const item = (res: { body: { items: { id: string }[] } }, itemId: string) => res.body.items.find((i) => i.id === itemId);

    it('saves professional answers, texts and status', async () => {
      const res = await put('chef', 'C9', {
        status: 'i_gang',
        summary: 'Anbragt på døgninstitution siden 2023.',
        learningQuestion: 'Hvordan sikrer vi samtalen alene med barnet?',
        items: [
          { id: 'pro.child_view', answer: 'delvist', note: 'Barnets holdning fremgår kun af plejefamiliens udsagn' },
          { id: 'pro.fit', answer: 'ja' },
        ],
      }).expect(200);
      expect(res.body).toMatchObject({ case: 'C9', status: 'i_gang', summary: 'Anbragt på døgninstitution siden 2023.' });
      expect(item(res, 'pro.child_view')).toMatchObject({
        answer: 'delvist',
        source: 'reviewer',
        note: 'Barnets holdning fremgår kun af plejefamiliens udsagn',
      });
      // Unanswered again with null; fields not sent stay as they were.
      const again = await put('chef', 'C9', { items: [{ id: 'pro.fit', answer: null }] }).expect(200);
      expect(item(again, 'pro.fit')).toMatchObject({ answer: null });
      expect(again.body.learningQuestion).toBe('Hvordan sikrer vi samtalen alene med barnet?');
    });

    it('lets the reviewer correct a formal answer with a note, and go back to the data', async () => {
      const noNote = await put('chef', 'C9', { items: [{ id: 'formal.talked_alone', answer: 'ja' }] }).expect(400);
      expect(noNote.body.message).toBe('En rettelse af det formelle punkt formal.talked_alone skal have en note, der siger hvorfor');
      const partly = await put('chef', 'C9', { items: [{ id: 'formal.talked_alone', answer: 'delvist', note: 'x' }] }).expect(400);
      expect(partly.body.message).toBe('Et formelt punkt (formal.talked_alone) kan ikke besvares delvist');
      const fixed = await put('chef', 'C9', {
        items: [{ id: 'formal.talked_alone', answer: 'ja', note: 'Journalnotat 30.10.2023: talt alene; ikke registreret i fagsystemet' }],
      }).expect(200);
      expect(item(fixed, 'formal.talked_alone')).toEqual({
        id: 'formal.talked_alone',
        kind: 'formal',
        answer: 'ja',
        source: 'reviewer',
        dataAnswer: 'nej',
        note: 'Journalnotat 30.10.2023: talt alene; ikke registreret i fagsystemet',
      });
      const back = await put('chef', 'C9', { items: [{ id: 'formal.talked_alone', answer: null }] }).expect(200);
      expect(item(back, 'formal.talked_alone')).toMatchObject({ answer: 'nej', source: 'data', note: null });
    });

    it('refuses bad answers in Danish, and CPR numbers in notes', async () => {
      expect((await put('chef', 'C9', { items: [{ id: 'pro.ukendt', answer: 'ja' }] }).expect(400)).body.message).toBe(
        'Punktet pro.ukendt findes ikke i gennemgangens tjekliste',
      );
      expect((await put('chef', 'C9', { items: [{ id: 'pro.fit', answer: 'måske' }] }).expect(400)).body.message).toBe(
        'answer skal være ja, delvist, nej, ikke_relevant eller null',
      );
      expect((await put('chef', 'C9', { status: 'done' }).expect(400)).body.message).toBe(
        'status skal være ikke_startet, i_gang eller faerdig',
      );
      expect((await put('chef', 'C9', { summary: 'Mor (cpr 120385 1234) deltog' }).expect(400)).body.message).toMatch(
        /^Resuméet ser ud til at indeholde et CPR-nummer/,
      );
      expect((await put('chef', 'C9', { items: [{ id: 'pro.fit', answer: 'ja', note: '1203851234' }] }).expect(400)).body.message).toMatch(
        /^Noten ser ud til at indeholde et CPR-nummer/,
      );
      const stored = await db.pool.query(`SELECT summary FROM review_case WHERE round_id = $1 AND case_id = 'C9'`, [id]);
      expect(stored.rows[0].summary).toBe('Anbragt på døgninstitution siden 2023.');
      expect((await call('chef', 'get', '/reviews/abc').expect(400)).body.message).toBe('Gennemgangens id skal være et heltal');
      expect((await put('chef', 'C2', { status: 'i_gang' }).expect(404)).body.message).toBe(`Sagen findes ikke i gennemgang ${id}`);
      // A CPR number typed as a case number is refused, not repeated in the answer, and masked in the audit log.
      expect((await put('chef', '010114-4001', { status: 'i_gang' }).expect(404)).text).not.toMatch(/010114|4001/);
      // (The change's row is written once the response has gone.)
      let logged: string[] = [];
      for (let i = 0; i < 50 && logged.length === 0; i++) {
        const { rows } = await db.pool.query(
          `SELECT detail->>'path' AS path FROM audit_log WHERE action = 'change' AND detail->>'path' LIKE '%/cases/*%'`,
        );
        logged = rows.map((r) => r.path);
        if (logged.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(logged).toEqual([`/api/v1/reviews/${id}/cases/******-****`]);
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE detail::text LIKE '%4001%'`)).rows[0].n).toBe(0);
    });

    it("shows the case's facts at the round's date beside its review, and audits the read", async () => {
      const [{ last }] = (await db.pool.query(`SELECT coalesce(max(id), 0)::text AS last FROM audit_log`)).rows;
      const res = await call('chef', 'get', `/reviews/${id}/cases/C9`).expect(200);
      expect(res.body.review).toMatchObject({ case: 'C9', caseworker: 'CC', team: 'Team Syd', status: 'i_gang' });
      expect(res.body.facts).toMatchObject({ opened: '2023-01-01', closed: null, area: 'Udsatte' });
      // Y8: no follow-up by D, so due 01-01-2023 + 3 months.
      expect(res.body.facts.measures).toEqual([
        {
          measure: 'Y8',
          measureType: 'Døgninstitution',
          family: 'placement',
          law: 'SEL',
          paragraph: expect.any(String),
          decided: '2023-01-01',
          started: '2023-01-01',
          ended: null,
          followupDue: '2023-04-01',
        },
      ]);
      expect(res.body.facts.visits).toEqual([{ measure: 'Y8', date: '2023-10-29', talkedAlone: false }]);
      expect(res.body.facts.investigations).toEqual([]);
      const c1 = await call('chef', 'get', `/reviews/${id}/cases/C1`).expect(200);
      expect(c1.body.facts.investigations).toEqual([
        { investigation: 'I3', case: 'C1', started: '2023-10-31', completed: '2024-02-29', due: '2024-02-29' },
      ]);
      expect(c1.body.facts.plans).toEqual([{ plan: 'HP1', case: 'C1', date: '2024-03-15', type: 'Barnets plan' }]);
      expect(c1.body.facts.conversations).toEqual([{ case: 'C1', date: '2023-08-01', occasion: 'Før afgørelse' }]);
      expect(c1.body.facts.notifications).toEqual([
        { notification: 'N1', received: '2024-01-10T09:00', assessed: '2024-01-11T09:00', within24h: true },
      ]);

      await call('chef', 'get', `/reviews/${id}`).expect(200);
      const audit = await db.pool.query(
        `SELECT l.username, l.municipality_code, s.case_ids, l.detail FROM audit_log l JOIN audit_case_set s ON s.id = l.case_set_id
         WHERE l.action = 'read:review' AND l.id > $1 ORDER BY l.id`,
        [last],
      );
      expect(audit.rows).toEqual([
        { username: 'chef', municipality_code: 461, case_ids: ['C9'], detail: { review: id } },
        { username: 'chef', municipality_code: 461, case_ids: ['C1'], detail: { review: id } },
        { username: 'chef', municipality_code: 461, case_ids: ['C1', 'C7', 'C9'], detail: { review: id } },
      ]);
    });
  });

  describe('access', () => {
    let id: number;
    beforeAll(async () => {
      await forgetRounds();
      id = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C7' }, { case: 'C1' }] } }).expect(201)).body.id;
    });

    it('audits the cases a new round and a saved case show, as reads', async () => {
      const [{ last }] = (await db.pool.query(`SELECT coalesce(max(id), 0)::text AS last FROM audit_log`)).rows;
      const drawn = await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }, { case: 'C1' }] } }).expect(201);
      await call('chef', 'put', `/reviews/${drawn.body.id}/cases/C9`, { status: 'i_gang' }).expect(200);
      const audit = await db.pool.query(
        `SELECT l.action, s.case_ids, l.detail FROM audit_log l JOIN audit_case_set s ON s.id = l.case_set_id
         WHERE l.id > $1 AND l.username = 'chef' ORDER BY l.id`,
        [last],
      );
      expect(audit.rows).toEqual([
        { action: 'read:review', case_ids: ['C1', 'C9'], detail: { review: drawn.body.id } },
        { action: 'read:review', case_ids: ['C9'], detail: { review: drawn.body.id } },
      ]);
      await call('chef', 'delete', `/reviews/${drawn.body.id}`).expect(204);
    });

    it("shows a team leader another of the child's cases without its number, and audits the chief's read with it", async () => {
      // C1's child gets a second case, C1X, with a child conversation: the formal items are the
      // child's, so the facts show it; its number is the chief's to see (C1X need not be Team Nord's).
      await db.pool.query(
        `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened)
         SELECT 461, source, 'C1X', person_id, 'Udsatte', '2023-06-01' FROM child_case WHERE case_id = 'C1' AND municipality_code = 461`,
      );
      await db.pool.query(
        `INSERT INTO child_conversation (municipality_code, source, case_id, conversation_date, occasion)
         SELECT 461, source, 'C1X', '2023-09-01', 'Før afgørelse' FROM child_case WHERE case_id = 'C1' AND municipality_code = 461`,
      );
      await db.pool.query(
        `INSERT INTO investigation (municipality_code, source, investigation_id, case_id, started)
         SELECT 461, source, 'C1X-U1', 'C1X', '2023-11-01' FROM child_case WHERE case_id = 'C1' AND municipality_code = 461`,
      );
      try {
        const [{ last }] = (await db.pool.query(`SELECT coalesce(max(id), 0)::text AS last FROM audit_log`)).rows;
        const own = { case: 'C1', date: '2023-08-01', occasion: 'Før afgørelse' };
        const other = { date: '2023-09-01', occasion: 'Før afgørelse' };
        const teamleader = await call('teamleder', 'get', `/reviews/${id}/cases/C1`).expect(200);
        expect(teamleader.body.facts.conversations).toEqual([own, { case: null, ...other }]);
        // Nor the other case's record ids, which may hold its number.
        expect(teamleader.body.facts.investigations).toContainEqual(
          expect.objectContaining({ investigation: null, case: null, started: '2023-11-01' }),
        );
        const chief = await call('chef', 'get', `/reviews/${id}/cases/C1`).expect(200);
        expect(chief.body.facts.conversations).toEqual([own, { case: 'C1X', ...other }]);
        expect(chief.body.facts.investigations).toContainEqual(expect.objectContaining({ investigation: 'C1X-U1', case: 'C1X' }));
        const audit = await db.pool.query(
          `SELECT l.username, s.case_ids FROM audit_log l JOIN audit_case_set s ON s.id = l.case_set_id
           WHERE l.action = 'read:review' AND l.id > $1 ORDER BY l.id`,
          [last],
        );
        // Both reads showed C1X's record: a search of the audit log by C1X finds them.
        expect(audit.rows).toEqual([
          { username: 'teamleder', case_ids: ['C1', 'C1X'] },
          { username: 'chef', case_ids: ['C1', 'C1X'] },
        ]);
      } finally {
        await db.pool.query(`DELETE FROM child_conversation WHERE case_id = 'C1X' AND municipality_code = 461`);
        await db.pool.query(`DELETE FROM investigation WHERE case_id = 'C1X' AND municipality_code = 461`);
        await db.pool.query(`DELETE FROM child_case WHERE case_id = 'C1X' AND municipality_code = 461`);
      }
    });

    it("limits the team leader to the own teams' cases", async () => {
      const round = await call('teamleder', 'get', `/reviews/${id}`).expect(200);
      expect(round.body.cases.map((c: { case: string }) => c.case)).toEqual(['C1']);
      // Nor does the chosen list name Team Syd's C7.
      expect(round.body.sampling).toEqual({ kind: 'chosen', cases: ['C1'] });
      await call('teamleder', 'get', `/reviews/${id}/cases/C7`).expect(404);
      await call('teamleder', 'put', `/reviews/${id}/cases/C7`, { status: 'i_gang' }).expect(404);
      await call('teamleder', 'put', `/reviews/${id}/cases/C1`, { status: 'i_gang' }).expect(200);
      const list = await call('teamleder', 'get', '/reviews').expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id, cases: 1, done: 0, sampling: { kind: 'chosen' } })]);
      expect((await call('chef', 'get', '/reviews').expect(200)).body).toEqual([expect.objectContaining({ id, cases: 2 })]);
      // The team leader draws among the own teams only: AA and BB (Team Nord), not CC (Team Syd).
      const own = await create('teamleder', { sampling: { kind: 'random_per_caseworker', perCaseworker: 1, seed: 3 } }).expect(201);
      expect(own.body.requested).toBe(2);
      expect(own.body.cases.map((c: { team: string }) => c.team)).toEqual(['Team Nord', 'Team Nord']);
      expect((await create('teamleder', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }] } }).expect(404)).body.message).toBe(
        'Sag C9 findes ikke',
      );
      // Team Nord's only open placement, C1, is in a round of the last 12 months: the round finds none, and says so.
      const none = await create('teamleder', { sampling: { kind: 'random_by_family', family: 'placement', count: 1, seed: 1 } }).expect(
        201,
      );
      expect(none.body).toMatchObject({ requested: 1, found: 0, cases: [] });
      await call('teamleder', 'get', `/reviews/${none.body.id}`).expect(200);
      // A round with none of the team's cases is not the team leader's.
      const syd = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }] } }).expect(201)).body.id;
      await call('teamleder', 'get', `/reviews/${syd}`).expect(404);
      // Nor is it in the team leader's list of rounds; the own round that found nothing is.
      const listed = (await call('teamleder', 'get', '/reviews').expect(200)).body.map((r: { id: number }) => r.id);
      expect(listed).not.toContain(syd);
      expect([...listed].sort()).toEqual([id, own.body.id, none.body.id].sort());
      const chiefs = (await call('chef', 'get', '/reviews').expect(200)).body as { id: number; sampling: Record<string, unknown> }[];
      expect(chiefs.map((r) => r.id)).toContain(syd);
      // The list names no case (its reads are not audited); the round does, with an audit row.
      expect(chiefs.find((r) => r.id === syd)!.sampling).toEqual({ kind: 'chosen' });
    });

    it("keeps the API role's queries to the request's municipality (row-level security)", async () => {
      const ds = app.get(DataSource);
      const inScope = (scope: string, sql: string, params: unknown[] = []) => runInScope(scope, () => ds.query(sql, params));
      // Rounds of 461 exist (made above); Copenhagen's scope sees none of them, nor their cases or answers.
      for (const table of ['review_round', 'review_case', 'review_answer'])
        expect(await inScope('101', `SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
      expect((await inScope('461', 'SELECT count(*)::int AS n FROM review_round'))[0].n).toBeGreaterThan(0);
      await expect(
        inScope(
          '101',
          `INSERT INTO review_round (municipality_code, title, as_of, checklist_version, sampling, requested, found, created_by) VALUES (461, 'x', '2024-04-30', 1, '{}', 0, 0, 'x')`,
        ),
      ).rejects.toThrow(/row-level security/);
      // The product's checklist is read-only to the API.
      await expect(
        inScope(
          '461',
          `INSERT INTO review_checklist_item (version, item_id, kind, position, title) VALUES (1, 'pro.x', 'professional', 99, 'x')`,
        ),
      ).rejects.toThrow(/row-level security/);
      await expect(inScope('461', `INSERT INTO review_checklist (municipality_code, title) VALUES (NULL, 'x')`)).rejects.toThrow(
        /row-level security/,
      );
    });

    it('deletes a round made by mistake: the chief any, a team leader only one drawn among the own teams', async () => {
      const own = (await create('teamleder', { sampling: { kind: 'chosen', cases: [{ case: 'C2' }] } }).expect(201)).body.id;
      const chiefs = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C3' }, { case: 'C9' }] } }).expect(201)).body.id;
      const syd = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C7' }] } }).expect(201)).body.id;
      expect((await call('teamleder', 'delete', `/reviews/${chiefs}`).expect(403)).body.message).toBe(
        'En teamleder kan kun slette gennemgange, der er udtrukket blandt egne teams. Bed chefen om det.',
      );
      await call('teamleder', 'delete', `/reviews/${syd}`).expect(404);
      await call('udvalg', 'delete', `/reviews/${own}`).expect(403);
      await call('chef-kbh', 'delete', `/reviews/${own}`).expect(404);
      await call('teamleder', 'delete', `/reviews/${own}`).expect(204);
      await call('chef', 'delete', `/reviews/${chiefs}`).expect(204);
      await call('chef', 'get', `/reviews/${chiefs}`).expect(404);
      const left = await db.pool.query('SELECT count(*)::int AS n FROM review_case WHERE round_id = ANY ($1)', [[own, chiefs]]);
      expect(left.rows[0].n).toBe(0);
      await call('chef', 'delete', `/reviews/${syd}`).expect(204);
    });

    it('refuses the committee and the administrator, and hides another municipality’s rounds', async () => {
      for (const path of ['/reviews', `/reviews/${id}`, `/reviews/${id}/cases/C1`]) {
        await call('udvalg', 'get', path).expect(403);
        await call('admin', 'get', path).expect(403);
      }
      await create('udvalg', { sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } }).expect(403);
      await call('udvalg', 'put', `/reviews/${id}/cases/C1`, { status: 'faerdig' }).expect(403);
      await call('chef-kbh', 'get', `/reviews/${id}`).expect(404);
      await call('chef-kbh', 'get', `/reviews/${id}/cases/C1`).expect(404);
      await call('chef-kbh', 'put', `/reviews/${id}/cases/C1`, { status: 'faerdig' }).expect(404);
      expect((await call('chef-kbh', 'get', '/reviews').expect(200)).body).toEqual([]);
      await call('chef', 'get', '/reviews?municipality=101').expect(403);
      await create('chef', { municipality: 101, sampling: { kind: 'chosen', cases: [{ case: 'K1' }] } }).expect(403);
    });
  });

  // Last: the municipality's own checklist becomes the default for the rounds after it.
  describe('checklists', () => {
    it('lets the chief write a new version; new rounds use it, earlier rounds keep theirs', async () => {
      await forgetRounds();
      const before = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C9' }] } }).expect(201)).body;
      expect(before.checklistVersion).toBe(1);
      expect((await call('chef', 'get', '/reviews/checklists').expect(200)).body.map((c: { version: number }) => c.version)).toEqual([1]);
      const res = await call('chef', 'post', '/reviews/checklists', {
        title: 'Tjekliste 2024',
        items: [
          { id: 'formal.child_conversation', title: 'Børnesamtale før afgørelse' },
          { id: 'pro.child_view', title: 'Barnets perspektiv' },
          { id: 'pro.school', title: 'Barnets skolegang er belyst' },
        ],
      }).expect(201);
      // A number from a sequence after the product's 1 (a refused insert above may have used one).
      const version = res.body.version;
      expect(version).toBeGreaterThan(1);
      expect(res.body).toEqual({
        version,
        municipality: 461,
        title: 'Tjekliste 2024',
        items: [
          { id: 'formal.child_conversation', kind: 'formal', title: 'Børnesamtale før afgørelse' },
          { id: 'pro.child_view', kind: 'professional', title: 'Barnets perspektiv' },
          { id: 'pro.school', kind: 'professional', title: 'Barnets skolegang er belyst' },
        ],
      });
      const after = (await create('chef', { sampling: { kind: 'chosen', cases: [{ case: 'C3' }] } }).expect(201)).body;
      expect(after.checklistVersion).toBe(version);
      // C3 Y2 decided 15-01-2024, the conversation 16-01-2024 came after (formal.spec.ts) → nej.
      expect(after.cases[0].items.map((i: { id: string; answer: string | null }) => [i.id, i.answer])).toEqual([
        ['formal.child_conversation', 'nej'],
        ['pro.child_view', null],
        ['pro.school', null],
      ]);
      expect((await call('chef', 'get', `/reviews/${before.id}`).expect(200)).body.checklist).toHaveLength(14);
      const listed = (await call('chef', 'get', '/reviews/checklists').expect(200)).body;
      expect(listed.map((c: { version: number; municipality: number | null }) => [c.version, c.municipality])).toEqual([
        [version, 461],
        [1, null],
      ]);
      // Another municipality neither sees nor uses it.
      expect((await call('chef-kbh', 'get', '/reviews/checklists').expect(200)).body.map((c: { version: number }) => c.version)).toEqual([
        1,
      ]);
      const kbh = await call('chef-kbh', 'post', '/reviews', {
        title: 'x',
        checklistVersion: version,
        sampling: { kind: 'chosen', cases: [{ case: 'K1' }] },
      });
      expect(kbh.status).toBe(400);
      expect(kbh.body.message).toBe(`Tjekliste version ${version} findes ikke`);
    });

    it('refuses a formal item the product cannot answer, bad ids and CPR numbers, and the team leader', async () => {
      const post = (body: object) => call('chef', 'post', '/reviews/checklists', { title: 'T', ...body });
      expect((await post({ items: [{ id: 'formal.budget', title: 'Konto' }] }).expect(400)).body.message).toMatch(
        /^Det formelle punkt formal.budget kan produktet ikke udfylde fra data\. Formelle punkter: formal.investigation_4m, /,
      );
      expect((await post({ items: [{ id: 'Pro.X', title: 'x' }] }).expect(400)).body.message).toBe(
        'Tjeklisten skal have 1-50 punkter, hvert med et id (formal.… eller pro.…, små bogstaver, tal og _) og en titel',
      );
      expect((await post({ items: [] }).expect(400)).body.message).toMatch(/^Tjeklisten skal have 1-50 punkter/);
      expect(
        (
          await post({
            items: [
              { id: 'pro.a', title: 'x' },
              { id: 'pro.a', title: 'y' },
            ],
          }).expect(400)
        ).body.message,
      ).toBe('Et punkt står to gange i tjeklisten');
      expect((await post({ items: [{ id: 'pro.a', title: 'Som i sag 0101144001' }] }).expect(400)).body.message).toMatch(
        /^Punktets titel ser ud til at indeholde et CPR-nummer/,
      );
      // The committee's results name the items by their titles: no names, common or the municipality's caseworkers'.
      expect((await post({ items: [{ id: 'pro.a', title: 'Som hos familien Jensen' }] }).expect(400)).body.message).toMatch(
        /^Punktets titel ser ud til at indeholde et navn \(Jensen\)/,
      );
      expect((await post({ items: [{ id: 'pro.a', title: 'Drøftet med Cita' }] }).expect(400)).body.message).toMatch(
        /^Punktets titel \(pro\.a\) ser ud til at indeholde et navn \(Cita\)/,
      );
      await call('teamleder', 'post', '/reviews/checklists', { title: 'T', items: [{ id: 'pro.a', title: 'x' }] }).expect(403);
      await call('udvalg', 'get', '/reviews/checklists').expect(403);
    });
  });

  describe('two case systems side by side', () => {
    // The municipality runs CSC beside DUBU while it moves: case number C1 is in both, as two cases
    // (another child in CSC, opened 01-04-2024), each with a placement active at D.
    beforeAll(async () => {
      await forgetRounds();
      await db.pool.query(
        `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'csc', 'C1', 'p-csc-1', 'Udsatte', '2024-04-01')`,
      );
      await db.pool.query(
        `INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started)
         VALUES (461, 'csc', 'M1', 'C1', 'Plejefamilie', 'placement', '2024-04-01')`,
      );
    });
    afterAll(async () => {
      await forgetRounds();
      await db.pool.query(`DELETE FROM measure WHERE municipality_code = 461 AND source = 'csc'`);
      await db.pool.query(`DELETE FROM child_case WHERE municipality_code = 461 AND source = 'csc'`);
    });

    it('draws a case number once, as the newer case, and answers its formal items from that case alone', async () => {
      const sourceOfC1 = async (round: number) =>
        (await db.pool.query(`SELECT source FROM review_case WHERE round_id = $1 AND case_id = 'C1'`, [round])).rows.map((r) => r.source);
      const placements = { sampling: { kind: 'random_by_family', family: 'placement', count: 20, seed: 1 } };
      // Without CSC's placement the newer C1 is no candidate: DUBU's C1, with its placement, is drawn.
      await db.pool.query(`UPDATE measure SET family = 'preventive' WHERE municipality_code = 461 AND source = 'csc'`);
      const older = await create('chef', placements).expect(201);
      expect(await sourceOfC1(older.body.id)).toEqual(['dubu']);
      await forgetRounds();
      await db.pool.query(`UPDATE measure SET family = 'placement' WHERE municipality_code = 461 AND source = 'csc'`);
      const drawn = await create('chef', placements).expect(201);
      expect(await sourceOfC1(drawn.body.id)).toEqual(['csc']);
      const numbers = drawn.body.cases.map((c: { case: string }) => c.case);
      expect(numbers.filter((c: string) => c === 'C1')).toEqual(['C1']);
      expect(new Set(numbers).size).toBe(numbers.length);
      await forgetRounds();
      // (The product's checklist, with the formal items: the tests above made the municipality one of its own.)
      const chosen = await create('chef', { checklistVersion: 1, sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } }).expect(201);
      const c1 = await call('chef', 'get', `/reviews/${chosen.body.id}/cases/C1`).expect(200);
      // CSC's C1: opened 01-04-2024, its own placement, none of DUBU's C1's records (I3, HP1, the conversation).
      expect(c1.body.facts).toMatchObject({ opened: '2024-04-01', investigations: [], plans: [], conversations: [] });
      expect(c1.body.facts.measures.map((m: { measure: string }) => m.measure)).toEqual(['M1']);
      const answer = (id: string) => c1.body.review.items.find((i: { id: string }) => i.id === id)?.answer;
      // DUBU's C1 had its investigation completed within 4 months ('ja'); CSC's C1 has none.
      expect(answer('formal.investigation_4m')).toBe('nej');
    });
  });
});
