import { spawnSync } from 'child_process';
import type { INestApplication } from '@nestjs/common';
import { resolve } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
import { privilegeShapedMappings } from '../../scripts/lib/municipalities';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// A KOMBIT privilege without its CVR scope is the same URI in every municipality: a municipality's
// administrator who mapped it would take in every other municipality's holders of it (a security
// review's finding). Only a product administrator may map one.
const BARE = 'http://brugerstyring.kombit.dk/roles/usersystemrole/boerneblik_chef/1';
const ROOT = resolve(__dirname, '../..');

describe('single sign-on: a KOMBIT privilege is mapped in the municipality of its CVR number, a bare one by a product administrator only', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const post = (user: string, body: object) =>
    request(app.getHttpServer()).post('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${tokens[user]}`).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    // A product administrator names a municipality with data.
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    app = await startTestApi(db);
    for (const u of ['admin', 'admin-461']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("refuses a municipality's administrator the bare privilege, in Danish, and maps nothing", async () => {
    for (const group of [BARE, ` ${BARE.replace('http:', 'HTTPS:')}`, 'urn:dk:kombit:role:chef']) {
      const res = await post('admin-461', { group, role: 'chef' }).expect(400);
      expect(res.body.message).toContain('kan kun opsættes af en produktadministrator');
    }
    expect((await db.pool.query('SELECT count(*)::int AS n FROM sso_group_mapping')).rows[0].n).toBe(0);
  });

  const admin = (...args: string[]) =>
    spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url },
    });

  it("refuses a municipality's administrator a CVR-scoped privilege until the operator has registered the municipality's CVR number", async () => {
    const res = await post('admin-461', { group: `29189447:${BARE}`, role: 'chef' }).expect(400);
    expect(res.body.message).toBe(
      'Kommunens CVR-nummer (kommune 461) er ikke registreret, så et KOMBIT-privilegie (CVR:privilegie) kan ikke opsættes endnu; bed driften registrere det',
    );
    // A product administrator may (an installation for one municipality); the registration below warns of it.
    await post('admin', { group: `12345678:${BARE}`, role: 'udvalg', municipality: 461 }).expect(201);
  });

  it('registers the CVR number with the admin command, warns of a mapping that does not fit it, and refuses a number twice', () => {
    const registered = admin('municipality', 'cvr', '461', '29189447');
    expect(registered.stdout).toContain('Kommune 461 har CVR-nummer 29189447.');
    expect(registered.stderr).toContain(`Advarsel: kommune 461 har gruppen 12345678:${BARE}, som ikke passer til CVR-nummeret`);
    expect(registered.status).toBe(1);
    const twice = admin('municipality', 'cvr', '101', '29189447');
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('CVR-nummer 29189447 er allerede registreret for kommune 461');
    expect(admin('municipality', 'cvr', '101', '2918944').stderr).toContain('Et CVR-nummer er 8 cifre');
  }, 60_000);

  it('maps the privilege of its own CVR number, and an ordinary group, for the municipality; another CVR number for nobody', async () => {
    await post('admin-461', { group: `29189447:${BARE}`, role: 'chef' }).expect(201);
    await post('admin-461', { group: 'BU-Chefer', role: 'chef' }).expect(201);
    for (const [user, group] of [
      ['admin-461', `29189448:${BARE.replace('chef', 'leder')}`],
      ['admin', `29189448:${BARE.replace('chef', 'leder')}`],
      // Whatever form the privilege has (the login makes <CVR>:<privilege> of any).
      ['admin-461', '29189448:boerneblik_chef'],
    ]) {
      const res = await post(user, { group, role: 'chef', municipality: 461 }).expect(400);
      expect(res.body.message).toBe(
        'Privilegiet hører til CVR-nummer 29189448, men kommune 461 har CVR-nummer 29189447; et KOMBIT-privilegie giver kun adgang i kommunen med dets CVR-nummer',
      );
    }
  });

  it('lets in by a mapped privilege only from a KOMBIT privilege list, never by a group of its name from another provider', async () => {
    const sso = app.get(SsoService);
    const privilege = `29189447:${BARE}`;
    const person = (provider: 'oidc' | 'saml', n: number, groups: string[], privileges?: string[]): ExternalIdentity => ({
      provider,
      externalId: `https://idp-${provider}.example|person-${n}`,
      username: `person-${n}@kommune.dk`,
      groups,
      ...(privileges ? { privileges } : {}),
    });
    // Another municipality's Entra ID or AD FS, configured beside KOMBIT, sends a group named like
    // Odense's privilege: no access, no user made.
    expect(await sso.signIn(person('oidc', 1, [privilege]))).toEqual({ ok: false, refusal: 'no_group' });
    expect(await sso.signIn(person('oidc', 2, [BARE.toUpperCase(), 'urn:x']))).toEqual({ ok: false, refusal: 'no_group' });
    // The same name as a plain SAML value (not in a privilege list) is no privilege either.
    expect(await sso.signIn(person('saml', 3, [privilege]))).toEqual({ ok: false, refusal: 'no_group' });
    // Its ordinary groups still count.
    expect(await sso.signIn(person('oidc', 4, [privilege, 'BU-Chefer']))).toMatchObject({ ok: true, username: 'person-4@kommune.dk' });
    // From KOMBIT's privilege list: chef in Odense.
    expect(await sso.signIn(person('saml', 5, [], [privilege]))).toMatchObject({ ok: true, username: 'person-5@kommune.dk' });
    // npm run serve names such mappings when OpenID Connect is set up: its groups of that form give nothing.
    expect(await privilegeShapedMappings(db.pool)).toEqual(expect.arrayContaining([{ municipality: 461, group: privilege }]));
    expect((await privilegeShapedMappings(db.pool)).map((m) => m.group)).not.toContain('BU-Chefer');
    const made = await db.pool.query(
      `SELECT username, role, municipality_code AS m FROM app_user WHERE username LIKE 'person-%' ORDER BY 1`,
    );
    expect(made.rows).toEqual([
      { username: 'person-4@kommune.dk', role: 'chef', m: 461 },
      { username: 'person-5@kommune.dk', role: 'chef', m: 461 },
    ]);
  });

  it('lets a product administrator map the bare privilege to a municipality', async () => {
    const res = await post('admin', { group: BARE, role: 'chef', municipality: 461 }).expect(201);
    expect(res.body).toMatchObject({ group: BARE, municipality: 461, role: 'chef' });
  });

  it("refuses a municipality's administrator changing a mapping into the bare privilege", async () => {
    const { id } = (await post('admin-461', { group: 'BU-Alle', role: 'udvalg' }).expect(201)).body as { id: number };
    await request(app.getHttpServer())
      .put(`/api/v1/sso/group-mappings/${id}`)
      .set('Authorization', `Bearer ${tokens['admin-461']}`)
      .send({ group: 'urn:dk:kombit:role:udvalg', role: 'udvalg' })
      .expect(400);
  });
});
