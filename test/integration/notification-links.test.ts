import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { notificationsLinkedToCases } from '../../etl/src/notification-cases';
import { Random } from '../../scripts/demo/prng';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// DUBU's notifications are linked to their cases by the parser (NotificationCaseLinker), CSC's and
// the fallback's by SQL (notificationsLinkedToCases): the two forms of the rule must agree on every
// notification. A seeded random export with the hard spots: several cases per child, cases opened
// on the same day, open-ended and closed cases, receipt on the day a case opens or closes, leap
// days, and receipt just after midnight Danish time (the day before in UTC).

const pad = (n: number) => String(n).padStart(2, '0');
const dk = (t: Date) => `${pad(t.getUTCDate())}-${pad(t.getUTCMonth() + 1)}-${t.getUTCFullYear()}`;
const day = (n: number) => new Date(Date.UTC(2020, 0, 1 + n));

function randomExport(seed: number): string {
  const rnd = new Random(seed);
  const dir = mkdtempSync(join(tmpdir(), 'bu-links-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  const cases: string[] = [];
  const notifications: string[] = [];
  // Days around the leap day 29 February 2024 (day 1520) come up often.
  const someDay = () => (rnd.chance(0.2) ? 1518 + rnd.int(0, 4) : rnd.int(0, 1800));
  for (let child = 1; child <= 60; child++) {
    const cpr = `${pad(1 + (child % 28))}${pad(1 + (child % 12))}14-4${String(child).padStart(3, '0')}`;
    const opened: number[] = [];
    for (let k = rnd.int(1, 4); k > 0; k--) {
      // Same-day openings among a child's cases now and then (ties by case number).
      const start = opened.length && rnd.chance(0.25) ? opened[0] : someDay();
      opened.push(start);
      const closed = rnd.chance(0.5) ? dk(day(start + rnd.int(0, 400))) : '';
      cases.push(`${rnd.pick(['S', 'a', 'B'])}${child * 10 + k};${cpr};461;Udsatte;${dk(day(start))};${closed}`);
    }
    for (let k = rnd.int(0, 3); k > 0; k--) {
      // On a case's first day, or any day; at 00:30 (the previous day in UTC) or in the afternoon.
      const on = rnd.chance(0.3) ? rnd.pick(opened) : someDay();
      notifications.push(`N${child}-${k};${cpr};${dk(day(on))} ${rnd.chance(0.5) ? '00:30' : '15:45'};;Skole;Nej`);
    }
  }
  write('sager.csv', ['Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket', ...cases]);
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', 'AA;Alma Andersen;Team Nord;Rådgiver;01-01-2020;']);
  write('sagsansvar.csv', ['Sagsnummer;Initialer;Fra;Til']);
  write('underretninger.csv', ['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', ...notifications]);
  return dir;
}

describe('notifications linked to cases by the parser and by SQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('agree on every notification of random exports', async () => {
    let compared = 0;
    for (const seed of [1, 2, 3]) {
      // Each random export replaces the last one whole: a shrink the guard would refuse, on purpose.
      const result = await importDubu(db.pool, randomExport(seed), {
        pseudonymSecret: TEST_SECRET,
        exportDate: '2025-06-30',
        allowShrink: true,
      });
      expect(result.status).toBe('succeeded');
      expect(result.rejected).toEqual([]);
      // The SQL form over the imported rows (a line number each, as staging has).
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `CREATE TEMP TABLE n ON COMMIT DROP AS SELECT *, row_number() OVER (ORDER BY notification_id)::int AS _line FROM notification WHERE municipality_code = 461`,
        );
        await client.query(`CREATE TEMP TABLE c ON COMMIT DROP AS SELECT * FROM child_case WHERE municipality_code = 461`);
        const { rows } = await client.query(
          `SELECT n.notification_id, n.case_id AS parser, s.case_id AS sql FROM n JOIN ${notificationsLinkedToCases('n', 'c', false)} s ON s._line = n._line`,
        );
        await client.query('COMMIT');
        expect(rows.length).toBeGreaterThan(40);
        for (const row of rows) expect({ id: row.notification_id, case: row.parser }).toEqual({ id: row.notification_id, case: row.sql });
        compared += rows.length;
      } finally {
        client.release();
      }
    }
    expect(compared).toBeGreaterThan(150);
  }, 60_000);
});
