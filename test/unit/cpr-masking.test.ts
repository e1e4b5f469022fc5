import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCpr, maskCprInText, maskCprSql } from '@bu/etl';
import { TEST_SERVER_URL } from '../support/database';

// Any spelling of a CPR number in a value kept or logged from an import is masked as ******-****,
// the birth date included; the same corpus runs through the JavaScript masking (parser issues,
// failure messages) and the SQL one (set-based rules), which must agree.

const M = '******-****';
const CORPUS: [string, string][] = [
  ['0102031234', M],
  ['010203-1234', M],
  ['010203 1234', M],
  ['010203  1234', M],
  ['010203 - 1234', M],
  ['010203.1234', M],
  ['010203/1234', M],
  ['010203_1234', M],
  ['010203\t1234', M],
  ['010203\u20131234', M],
  ['01.02.03-1234', M],
  ['01-02-03-1234', M],
  ['01 02 03 1234', M],
  ['01.02.031234', M],
  // Spaces and dashes beyond ASCII, which PostgreSQL's \\s does not read under the C locale.
  ['010203\u00a01234', M],
  ['010203\u202f1234', M],
  ['010203\u20071234', M],
  ['010203\u22121234', M],
  ['010203\ufeff1234', M],
  ['010203\u00ad1234', M],
  ['010203\u200d1234', M],
  ['010203\u20601234', M],
  ['010203\uff0d1234', M],
  ['010203\ufe631234', M],
  ['01\u00a002\u00a003\u00a01234', M],
  // Other groupings.
  ['0102 03 1234', M],
  ['010203 12 34', M],
  ['CPR 0102-03-1234.', `CPR ${M}.`],
  ['CPR0102031234', `CPR${M}`],
  ['CPR:010203-1234', `CPR:${M}`],
  ['0102031234abc', `${M}abc`],
  ['x010203 1234y', `x${M}y`],
  ['Barnet 010203-1234 bor hos 0202904321.', `Barnet ${M} bor hos ${M}.`],
  ['cpr=010203-1234;mor=020290 4321;far=03.03.80-1111', `cpr=${M};mor=${M};far=${M}`],
  // A longer run may hold a CPR: masked whole (decided; see docs/AUDIT-RETENTION.md).
  ['konto 12345678901', `konto ${M}`],
  ['00102031234', M],
  ['1234567 1234', M],
  ['010203-12345', M],
  // Not CPR-like: left as they are.
  ['2024-01-02', '2024-01-02'],
  ['30-02-2024', '30-02-2024'],
  ['tlf 12345678', 'tlf 12345678'],
  ['123456789', '123456789'],
  ['100,00', '100,00'],
  ['BL § 32', 'BL § 32'],
  ['2024-01-02 12:30', '2024-01-02 12:30'],
  ['02-01-2024 12:30', '02-01-2024 12:30'],
  ['02.01.2024 kl. 12.30', '02.01.2024 kl. 12.30'],
  ['tlf. 12 34 56 78', 'tlf. 12 34 56 78'],
  ['+45 12 34 56 78', '+45 12 34 56 78'],
  ['', ''],
];

describe('CPR masking', () => {
  it('masks every spelling of the corpus in JavaScript', () => {
    for (const [text, masked] of CORPUS) expect([text, maskCprInText(text)]).toEqual([text, masked]);
  });

  it('masks a CPR field whole, without the birth date', () => {
    expect(maskCpr('0101154123')).toBe(M);
    expect(maskCpr('010115-412')).toBe(M);
    expect(maskCpr('ukendt')).toBe('ukendt');
    expect(maskCpr('12-34')).toBe('**-**');
  });

  describe('in SQL', () => {
    let client: Client;
    beforeAll(async () => {
      client = new Client({ connectionString: TEST_SERVER_URL });
      await client.connect();
    });
    afterAll(async () => client?.end());

    it('masks the corpus exactly as JavaScript does', async () => {
      const { rows } = await client.query(
        `SELECT t, ${maskCprSql('t')} AS masked FROM unnest($1::text[]) WITH ORDINALITY u(t, n) ORDER BY n`,
        [CORPUS.map((c) => c[0])],
      );
      expect(rows.map((r) => [r.t, r.masked])).toEqual(CORPUS);
    });
  });
});
