import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryTypes } from '../../etl/src/load/binary-values';
import { CopyWriter } from '../../etl/src/load/copy';
import { createTestDatabase, TestDatabase } from '../support/database';

// COPY in the binary format (etl/src/load/binary-values.ts) must store exactly what the text format
// stores for the same values, as the mappers write them: compared on a real server.

const COLUMNS = ['t', 's', 'i', 'b', 'd', 'ts', 'n', 'c'];
const rows: unknown[][] = [
  ['æøå ÆØÅ', 461, 2, true, '2024-02-29', '2024-02-29 23:30:00+01', '32000.00', 'M'],
  ['emoji 👍 and € and 中', -1, 2_147_483_647, false, '1970-01-01', '1970-01-01 00:00:00+01', '0', 'K'],
  ['', 0, -2_147_483_648, null, '2000-01-01', '2000-01-01 00:00:00+01', '-12345.50', null],
  [null, null, null, true, '1999-12-31', '2024-10-27 02:30:00+02', '0.01', 'M'],
  // The same wall-clock time an hour later, in winter time: the second 02:30 of that night.
  ['dst', 1, 1, false, '2100-03-01', '2024-10-27 02:30:00+01', '7', 'K'],
  ['spring', 1, 1, false, '1988-06-15', '2024-03-31 03:15:00+02', '10000', 'K'],
  ['big', 32767, 1, true, '2024-12-31', '2038-01-19 04:14:08+01', '123456789012.34', 'M'],
  ['rounding', -32768, 1, true, '2024-01-31', '2024-01-31 12:00:00+01', '9999.995', 'M'],
  ['small', 5, 1, true, '2024-03-01', '2024-07-01 00:00:00+02', '0.5', 'K'],
  ['negative fraction', 5, 1, true, '2024-03-01', '2024-07-01 00:00:00+02', '-0.25', 'K'],
  ['x'.repeat(1_500_000), 5, 1, true, '2024-03-01', '2024-07-01 00:00:00+02', '100000000', 'K'],
  [null, null, null, null, null, null, null, null],
];

describe('COPY in the binary format', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('stores what the text format stores, for every column type the staging tables have', async () => {
    const client = await db.pool.connect();
    try {
      const define = (name: string) =>
        client.query(
          `CREATE TABLE ${name} (seq serial, t text, s smallint, i integer, b boolean, d date, ts timestamptz, n numeric(14,2), c char(1))`,
        );
      await define('copied_text');
      await define('copied_binary');
      const types = await binaryTypes(client, 'copied_binary', COLUMNS);
      expect(types).toEqual(['text', 'int2', 'int4', 'bool', 'date', 'timestamptz', 'numeric', 'text']);
      const copy = (table: string, binary: boolean) =>
        CopyWriter.run(
          client,
          table,
          COLUMNS,
          async (writer) => {
            // Enough rows for several pieces, the huge one among them.
            for (let k = 0; k < 20; k++) {
              for (const row of rows) {
                const wait = writer.write(row);
                if (wait) await wait;
              }
            }
          },
          { types: binary ? types : null },
        );
      expect(await copy('copied_text', false)).toBe(rows.length * 20);
      expect(await copy('copied_binary', true)).toBe(rows.length * 20);
      const all = `SELECT seq, t, s, i, b, d, ts, n, c FROM`;
      const { rows: differ } = await client.query(
        `(${all} copied_text EXCEPT ${all} copied_binary) UNION ALL (${all} copied_binary EXCEPT ${all} copied_text)`,
      );
      expect(differ).toEqual([]);
      const { rows: count } = await client.query(`SELECT count(*)::int AS n FROM copied_binary`);
      expect(count[0].n).toBe(rows.length * 20);
      // Spot checks, worked out by hand: the instants and the rounding to two decimals.
      const { rows: spots } = await client.query(
        `SELECT t, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc, n::text AS n, d::text AS d FROM copied_binary WHERE seq <= ${rows.length} AND t IN ('dst', 'rounding', 'æøå ÆØÅ', 'spring') ORDER BY seq`,
      );
      expect(spots).toEqual([
        { t: 'æøå ÆØÅ', utc: '2024-02-29 22:30', n: '32000.00', d: '2024-02-29' },
        { t: 'dst', utc: '2024-10-27 01:30', n: '7.00', d: '2100-03-01' },
        { t: 'spring', utc: '2024-03-31 01:15', n: '10000.00', d: '1988-06-15' },
        { t: 'rounding', utc: '2024-01-31 11:00', n: '10000.00', d: '2024-01-31' },
      ]);
    } finally {
      client.release();
    }
  });

  it('says which tables it cannot copy in the binary format (a type it does not know)', async () => {
    await db.pool.query(`CREATE TABLE with_json (a text, j jsonb)`);
    const client = await db.pool.connect();
    try {
      expect(await binaryTypes(client, 'with_json', ['a', 'j'])).toBeNull();
      expect(await binaryTypes(client, 'with_json', ['a'])).toEqual(['text']);
    } finally {
      client.release();
    }
  });
});
