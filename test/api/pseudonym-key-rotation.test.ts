import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'crypto';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsc, importDubu, pseudonymKeyId } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// Rotating the pseudonym key: each municipality's case-system snapshots are re-imported under the
// new key. A municipality whose sources carry different keys would count one child twice, so the
// ETL refuses that state unless told it is a rotation (--rekey), and the API refuses its figures
// until every source is re-imported.
describe('pseudonym key rotation', () => {
  // A new key whose id has ten digits in a row (about one in thirty has): messages show it whole, not as a masked CPR.
  const NEW_SECRET = (() => {
    for (;;) {
      const secret = randomBytes(32).toString('hex');
      if (/\d{10}/.test(pseudonymKeyId(secret))) return secret;
    }
  })();
  const exportDate = '2024-11-24';
  let db: TestDatabase;
  let app: INestApplication;
  let dubuDir: string;
  let cscDir: string;
  let chef: string;

  const keys = async () =>
    (await db.pool.query(`SELECT source, pseudonym_key_id AS key FROM source_snapshot WHERE municipality_code = 461 ORDER BY source`)).rows;
  const figures = () =>
    request(app.getHttpServer()).get('/api/v1/kpis?ids=activity.placed_children').set('Authorization', `Bearer ${chef}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    dubuDir = mkdtempSync(join(tmpdir(), 'dubu-'));
    cscDir = mkdtempSync(join(tmpdir(), 'csc-'));
    await generateDubuExport(dubuDir, { municipalityCode: 461, seed: 7, children: 60, firstYear: 2022, exportDate, messy: false });
    await dubuToCsc(dubuDir, cscDir);
    expect((await importDubu(db.pool, dubuDir, { pseudonymSecret: TEST_SECRET, exportDate })).status).toBe('succeeded');
    expect((await importCsc(db.pool, cscDir, { pseudonymSecret: TEST_SECRET, exportDate })).status).toBe('succeeded');
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
    chef = await tokenFor(app, 'chef');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('records which key made each case-system snapshot, and no key for public data', async () => {
    expect(await keys()).toEqual([
      { source: 'csc', key: pseudonymKeyId(TEST_SECRET) },
      { source: 'dubu', key: pseudonymKeyId(TEST_SECRET) },
    ]);
    expect(pseudonymKeyId(TEST_SECRET)).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonymKeyId(NEW_SECRET)).not.toBe(pseudonymKeyId(TEST_SECRET));
    expect((await figures()).status).toBe(200);
  });

  it('refuses an import under another key while another source keeps the old one, and changes nothing', async () => {
    const before = await db.pool.query(`SELECT person_id FROM person WHERE municipality_code = 461 AND source = 'dubu' ORDER BY 1`);
    const result = await importDubu(db.pool, dubuDir, { pseudonymSecret: NEW_SECRET, exportDate });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('anden nøgle');
    expect(result.error).toContain('--rekey');
    expect(result.error).toContain(pseudonymKeyId(NEW_SECRET));
    expect((await db.pool.query(`SELECT person_id FROM person WHERE municipality_code = 461 AND source = 'dubu' ORDER BY 1`)).rows).toEqual(
      before.rows,
    );
    expect((await keys()).map((k) => k.key)).toEqual([pseudonymKeyId(TEST_SECRET), pseudonymKeyId(TEST_SECRET)]);
  });

  it('with --rekey takes the new key, and the figures are refused until the other source follows', async () => {
    expect((await importDubu(db.pool, dubuDir, { pseudonymSecret: NEW_SECRET, exportDate, rekey: true })).status).toBe('succeeded');
    expect(await keys()).toEqual([
      { source: 'csc', key: pseudonymKeyId(TEST_SECRET) },
      { source: 'dubu', key: pseudonymKeyId(NEW_SECRET) },
    ]);
    const mixed = await figures();
    expect(mixed.status).toBe(503);
    expect(mixed.body.message).toContain('skift af pseudonymnøgle');
    const series = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.placed_children/series')
      .set('Authorization', `Bearer ${chef}`);
    expect(series.status).toBe(503);
    const [listed] = (await request(app.getHttpServer()).get('/api/v1/municipalities').set('Authorization', `Bearer ${chef}`)).body;
    expect(listed).toMatchObject({ code: 461, pseudonymKeysMixed: true });

    // The other source under the new key ends the rotation: one key, figures again.
    expect((await importCsc(db.pool, cscDir, { pseudonymSecret: NEW_SECRET, exportDate })).status).toBe('succeeded');
    expect(new Set((await keys()).map((k) => k.key))).toEqual(new Set([pseudonymKeyId(NEW_SECRET)]));
    const after = await figures();
    expect(after.status).toBe(200);
    // The same reality under the new key: DUBU and CSC agree on every child again.
    const persons = await db.pool.query(
      `SELECT count(*)::int AS n FROM person d JOIN person c ON c.person_id = d.person_id AND c.source = 'csc' AND c.municipality_code = 461
       WHERE d.source = 'dubu' AND d.municipality_code = 461`,
    );
    const dubuPersons = await db.pool.query(`SELECT count(*)::int AS n FROM person WHERE source = 'dubu' AND municipality_code = 461`);
    expect(persons.rows[0].n).toBe(dubuPersons.rows[0].n);
  });
});
