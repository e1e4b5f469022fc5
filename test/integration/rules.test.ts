import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SERVER_URL } from '../support/database';
import { ACTIVE_AT, addMonthsSql, ASSESSED_BY_D, D, END_OF_D, endOfDay, NOTIFICATION_JUDGED } from '@bu/rules';

// libs/rules (ADR 0107), on PostgreSQL: the fragments the read models' builds apply at a day of
// their own give at that day what they give at D ($2), at month ends, the leap day and both clock
// changes. (The rules on the tables are proven by the KPI specs on both paths.) Here, not beside
// the library: a spec there would make libs/rules depend on the test support, and through it on
// what the KPIs and the builds may not reach.
describe('the rules at a day', () => {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  beforeAll(() => client.connect());
  afterAll(() => client.end());
  // With parameters, $1 (the municipality) is named too: every parameter needs a type.
  const value = async (sql: string, params: unknown[] = []) =>
    (await client.query<{ v: unknown }>(`SELECT (${sql})::text AS v${params.length ? ', $1::smallint AS m' : ''}`, params)).rows[0].v;

  it('adds months as the catalogue does: the day kept, clamped to the month end', async () => {
    expect(await value(addMonthsSql(`DATE '2024-01-31'`, 1))).toBe('2024-02-29');
    expect(await value(addMonthsSql(`DATE '2023-11-30'`, 3))).toBe('2024-02-29');
    expect(await value(addMonthsSql(`DATE '2024-02-29'`, -12))).toBe('2023-02-28');
    expect(await value(addMonthsSql(`DATE '2023-02-28'`, 3))).toBe('2023-05-28');
  });

  it('ends a day at the next local midnight, over both clock changes, and END_OF_D is the end of D', async () => {
    await client.query(`SET TIME ZONE 'UTC'`);
    // Copenhagen: UTC+1 in winter, UTC+2 from 31-03-2024 02:00 to 27-10-2024 03:00.
    for (const [day, end] of [
      ['2024-03-30', '2024-03-30 23:00:00+00'],
      ['2024-03-31', '2024-03-31 22:00:00+00'],
      ['2024-10-26', '2024-10-26 22:00:00+00'],
      ['2024-10-27', '2024-10-27 23:00:00+00'],
      ['2023-12-31', '2023-12-31 23:00:00+00'],
    ]) {
      expect(await value(endOfDay(`DATE '${day}'`)), day).toBe(end);
      expect(await value(END_OF_D, [461, day]), day).toBe(end);
    }
  });

  it('judges a measure active and a notification at a day given as at D', async () => {
    const measures = `(VALUES (DATE '2024-02-29', NULL::date), (DATE '2024-01-01', DATE '2024-02-29'),
      (DATE '2024-01-01', DATE '2024-02-28'), (DATE '2024-03-01', NULL)) AS m(started, ended)`;
    const active = async (rule: string, params: unknown[] = []) =>
      (
        await client.query<{ a: boolean }>(`SELECT ${rule} AS a${params.length ? ', $1::smallint AS m' : ''} FROM ${measures}`, params)
      ).rows.map((r) => r.a);
    // Started on the day, ended on the day: active; ended the day before, or started after: not.
    expect(await active(ACTIVE_AT('m', `DATE '2024-02-29'`))).toEqual([true, true, false, false]);
    expect(await active(ACTIVE_AT('m'), [461, '2024-02-29'])).toEqual([true, true, false, false]);
    // A whole expression: NOT negates all of it.
    expect(await active(`NOT ${ACTIVE_AT('m', `DATE '2024-02-29'`)}`)).toEqual([false, false, true, true]);

    // Received 29-02 00:30 local, assessed 01-03 00:10 local: not known at the end of 29-02; judged
    // there only once 24 hours have passed, which they have not.
    const received = `TIMESTAMPTZ '2024-02-28 23:30+00'`;
    const assessed = `TIMESTAMPTZ '2024-02-29 23:10+00'`;
    const end = endOfDay(`DATE '2024-02-29'`);
    const atDay = `${ASSESSED_BY_D(assessed, end)} IS NULL AND NOT ${NOTIFICATION_JUDGED(ASSESSED_BY_D(assessed, end), received, end)}`;
    const atD = `${ASSESSED_BY_D(assessed)} IS NULL AND NOT ${NOTIFICATION_JUDGED(ASSESSED_BY_D(assessed), received)}`;
    expect(await value(atDay)).toBe('true');
    expect(await value(atD, [461, '2024-02-29'])).toBe('true');
    // The next day the assessment is known and judges it.
    expect(
      await value(NOTIFICATION_JUDGED(ASSESSED_BY_D(assessed, endOfDay(`DATE '2024-03-01'`)), received, endOfDay(`DATE '2024-03-01'`))),
    ).toBe('true');
    expect(D).toBe('$2::date');
  });
});
