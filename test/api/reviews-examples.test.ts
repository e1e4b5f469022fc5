import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES, dubuAs } from '../support/fixtures';

// The child-perspective examples the chief writes for the committee (CASE-REVIEW.md, "Results and
// who sees what"): free text screened for CPR numbers and names before it is stored, read by the
// committee beside its aggregated results. test/fixtures/dubu-deadlines' caseworkers are Alma
// Andersen, Bo Berg, Cita Clausen and Tove Nørgaard.
const D = '2024-04-30';

describe("case review: the committee's child-perspective examples", () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (user: string, method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) => {
    const req = request(app.getHttpServer())[method](`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);
    return body ? req.send(body) : req;
  };
  const example = (over: object = {}) => ({
    title: 'Pigen på 12 år om sit tilsynsbesøg',
    text: 'Hun fortalte, at hun for første gang talte alene med rådgiveren, og at det gjorde det lettere at sige, hvad hun savnede.',
    ...over,
  });
  const stored = async () => (await db.pool.query('SELECT count(*)::int AS n FROM review_example')).rows[0].n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    const copenhagen = dubuAs(join(FIXTURES, 'dubu-deadlines'), 101);
    await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lets the chief write, change and delete an example, and the committee read it', async () => {
    const made = await call('chef', 'post', '/reviews/examples', example()).expect(201);
    expect(made.body).toMatchObject({ municipality: 461, ...example(), createdBy: 'chef' });
    const id: number = made.body.id;
    // The committee is shown no usernames.
    expect((await call('udvalg', 'get', '/reviews/examples').expect(200)).body).toEqual([{ ...made.body, createdBy: null }]);
    expect((await call('teamleder', 'get', '/reviews/examples').expect(200)).body).toEqual([made.body]);
    const changed = await call('chef', 'put', `/reviews/examples/${id}`, example({ title: 'Drengen i plejefamilie' })).expect(200);
    expect(changed.body).toMatchObject({ id, title: 'Drengen i plejefamilie' });
    expect((await call('udvalg', 'get', '/reviews/examples').expect(200)).body.map((e: { title: string }) => e.title)).toEqual([
      'Drengen i plejefamilie',
    ]);
    await call('chef', 'delete', `/reviews/examples/${id}`).expect(204);
    expect((await call('udvalg', 'get', '/reviews/examples').expect(200)).body).toEqual([]);
    expect((await call('chef', 'delete', `/reviews/examples/${id}`).expect(404)).body.message).toBe(`Eksempel ${id} findes ikke`);
  });

  it('refuses CPR numbers and names, common ones and the caseworkers’, before anything is stored', async () => {
    const before = await stored();
    const bad = async (body: object, message: string | RegExp) =>
      expect((await call('chef', 'post', '/reviews/examples', body).expect(400)).body.message).toMatch(message);
    await bad(example({ text: 'Barnet (120385-1234) sagde' }), /^Eksemplet ser ud til at indeholde et CPR-nummer/);
    await bad(
      example({ text: 'Emma fortalte, at hun savnede sin bror.' }),
      'Eksemplet ser ud til at indeholde et navn (Emma). Skriv uden navne, fx "pigen på 12 år" eller "rådgiveren"; udvalget må ikke kunne genkende barnet.',
    );
    await bad(example({ title: 'Familien Jensen' }), /^Titlen ser ud til at indeholde et navn \(Jensen\)/);
    // Cita and Tove are no common names, but the municipality's caseworkers'.
    await bad(example({ text: 'Barnet talte med Cita om skolen.' }), /^Eksemplet ser ud til at indeholde et navn \(Cita\)/);
    await bad(example({ title: 'Tove og drengen' }), /^Titlen ser ud til at indeholde et navn \(Tove\)/);
    // Nor one of the municipality's case numbers (C7), however it is written into the text; the refusal
    // does not repeat it.
    for (const text of ['I sagen (C7) sagde drengen nej.', 'I sag c7 sagde drengen nej.', 'Sagen C7’s forløb.'])
      await bad(
        example({ text }),
        'Eksemplet ser ud til at indeholde et sagsnummer. Skriv uden sagsnumre; udvalget må ikke kunne finde sagen.',
      );
    await bad(example({ text: ' ' }), 'Eksemplet skal have en tekst');
    expect(await stored()).toBe(before);
    const id = (await call('chef', 'post', '/reviews/examples', example()).expect(201)).body.id;
    await call('chef', 'put', `/reviews/examples/${id}`, example({ text: 'Bo Berg sagde' })).expect(400);
    expect((await call('chef', 'get', '/reviews/examples').expect(200)).body[0].text).toBe(example().text);
    expect((await call('chef', 'put', '/reviews/examples/abc', example()).expect(400)).body.message).toBe(
      'Eksemplets id skal være et heltal',
    );
  });

  it("lets only the chief write, and keeps each municipality's to itself", async () => {
    const id = (await call('chef', 'post', '/reviews/examples', example()).expect(201)).body.id;
    await call('teamleder', 'post', '/reviews/examples', example()).expect(403);
    await call('udvalg', 'post', '/reviews/examples', example()).expect(403);
    await call('udvalg', 'put', `/reviews/examples/${id}`, example()).expect(403);
    await call('teamleder', 'delete', `/reviews/examples/${id}`).expect(403);
    await call('admin', 'get', '/reviews/examples').expect(403);
    expect((await call('chef-kbh', 'get', '/reviews/examples').expect(200)).body).toEqual([]);
    await call('chef-kbh', 'put', `/reviews/examples/${id}`, example()).expect(404);
    await call('chef-kbh', 'delete', `/reviews/examples/${id}`).expect(404);
    await call('chef', 'get', '/reviews/examples?municipality=101').expect(403);
    await call('chef', 'post', '/reviews/examples', example({ municipality: 101 })).expect(403);
  });
});
