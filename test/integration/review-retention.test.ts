import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, purgeExpired, PURGED_ROUND_TITLE } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Case review notes follow the retention rule (issue 16): a round's cases, answers and meetings go
// once its date is older than retention.review_days, and a reviewed case no longer in the case
// data goes at once. Odense (461) keeps reviews 1000 days here.
const NOW = new Date('2027-06-15T12:00:00Z');

describe('the retention purge of case reviews', () => {
  let db: TestDatabase;
  const round = async (asOf: string, cases: string[]) => {
    const { rows } = await db.pool.query(
      `INSERT INTO review_round (municipality_code, title, purpose, as_of, checklist_version, sampling, requested, found, created_by)
       VALUES (461, 'Runde', 'Formål', $1, 1, $2, $3, $3, 'x') RETURNING id`,
      [asOf, JSON.stringify({ kind: 'chosen', cases }), cases.length],
    );
    const id: number = rows[0].id;
    for (const [i, c] of cases.entries()) {
      await db.pool.query(
        `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, team, summary) VALUES ($1, 461, 'dubu', $2, $3, 'Team Nord', 'Resumé')`,
        [id, c, i + 1],
      );
      await db.pool.query(
        `INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, source, note) VALUES ($1, $2, 461, 'pro.fit', 'nej', 'reviewer', 'Note')`,
        [id, c],
      );
    }
    await db.pool.query(
      `INSERT INTO review_meeting (round_id, municipality_code, held_on, participants, cases, notes, created_by) VALUES ($1, 461, $2, '{Rådgivere}', $3, 'Referat', 'x')`,
      [id, asOf, cases],
    );
    return id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'retention.review_days', '1000')`);
  });
  afterAll(async () => db?.drop());

  it('removes the cases and meetings of rounds older than the setting, and cases gone from the data, and logs it', async () => {
    // 15-06-2027 − 1000 days = 18-09-2024: a round on 17-09-2024 is past it, one on 18-09-2024 is not.
    const old = await round('2024-09-17', ['C1']);
    const kept = await round('2024-09-18', ['C1', 'C2', 'C404']);
    const summary = await purgeExpired(db.pool, { now: NOW });
    // Old: C1. Kept: C404, a case the municipality's data no longer has.
    expect(summary['461']).toMatchObject({ reviewCases: 2 });
    const cases = await db.pool.query(`SELECT round_id, case_id FROM review_case ORDER BY round_id, case_id`);
    expect(cases.rows).toEqual([
      { round_id: kept, case_id: 'C1' },
      { round_id: kept, case_id: 'C2' },
    ]);
    const answers = await db.pool.query(`SELECT round_id, case_id FROM review_answer ORDER BY round_id, case_id`);
    expect(answers.rows).toEqual(cases.rows);
    const meetings = await db.pool.query(`SELECT round_id, cases FROM review_meeting ORDER BY round_id`);
    expect(meetings.rows).toEqual([{ round_id: kept, cases: ['C1', 'C2'] }]);
    // The old round stays with its date and counts, without its list of chosen cases, its purpose,
    // its title or who made it. The kept one's list loses the case the data no longer has.
    const rounds = await db.pool.query(`SELECT id, title, purpose, created_by, as_of::text, found, sampling FROM review_round ORDER BY id`);
    expect(rounds.rows).toEqual([
      {
        id: old,
        title: PURGED_ROUND_TITLE,
        purpose: null,
        created_by: 'slettet',
        as_of: '2024-09-17',
        found: 1,
        sampling: { kind: 'chosen' },
      },
      {
        id: kept,
        title: 'Runde',
        purpose: 'Formål',
        created_by: 'x',
        as_of: '2024-09-18',
        found: 3,
        sampling: { kind: 'chosen', cases: ['C1', 'C2'] },
      },
    ]);
    expect(summary['461']).toMatchObject({ reviewRounds: 1 });
    const logged = await db.pool.query(`SELECT removed FROM import_run WHERE source = 'purge' AND municipality_code = 461`);
    expect(logged.rows).toEqual([{ removed: expect.objectContaining({ reviewCases: 2, reviewRounds: 1 }) }]);
    // Nothing is left to remove the next time.
    expect((await purgeExpired(db.pool, { now: NOW }))['461']).toBeUndefined();
  });

  it("removes the committee's child-perspective examples not changed within the setting", async () => {
    // 15-06-2027 − 1000 days = 18-09-2024 (00:00 Copenhagen): an example last changed 17-09-2024 goes, one of 18-09-2024 12:00 stays.
    await db.pool.query(
      `INSERT INTO review_example (municipality_code, title, body, created_by, updated_at) VALUES
         (461, 'Gammelt', 'Tekst', 'x', '2024-09-17T12:00:00+02'), (461, 'Nyt', 'Tekst', 'x', '2024-09-18T12:00:00+02')`,
    );
    await purgeExpired(db.pool, { now: NOW });
    expect((await db.pool.query(`SELECT title FROM review_example`)).rows).toEqual([{ title: 'Nyt' }]);
  });

  it('removes action areas carried out or given up and not changed within the setting; open ones stay', async () => {
    // 15-06-2027 − 1000 days = 18-09-2024 (00:00 Copenhagen).
    for (const [title, status, at] of [
      ['Gennemført, gammel', 'gennemfoert', '2024-09-17T23:59:00+02'],
      ['Opgivet, gammel', 'opgivet', '2024-09-17T12:00:00+02'],
      ['Gennemført, ny', 'gennemfoert', '2024-09-18T00:00:00+02'],
      ['I gang, gammel', 'i_gang', '2020-01-01T12:00:00+01'],
      ['Planlagt, gammel', 'planlagt', '2020-01-01T12:00:00+01'],
    ])
      await db.pool.query(
        `INSERT INTO review_action_area (municipality_code, title, owner, status, created_by, updated_at) VALUES (461, $1, 'Team Nord', $2, 'x', $3)`,
        [title, status, at],
      );
    const summary = await purgeExpired(db.pool, { now: NOW });
    expect(summary['461']).toMatchObject({ actionAreas: 2 });
    expect((await db.pool.query(`SELECT title FROM review_action_area ORDER BY id`)).rows.map((r) => r.title)).toEqual([
      'Gennemført, ny',
      'I gang, gammel',
      'Planlagt, gammel',
    ]);
  });
});
