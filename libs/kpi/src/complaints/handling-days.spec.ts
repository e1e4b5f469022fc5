import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// complaints.handling_days on test/fixtures/dubu-chief at D = 30-04-2024, P = 01-01-2024 .. 30-04-2024.
// Complaints (received → decided): K1 01-02-2024 → 01-03-2024; K2 15-01-2024 → 15-03-2024; K3
// 01-12-2023 → 10-01-2024 (afvist); K4 01-03-2024 → not decided; K5 01-01-2024 → 20-04-2024; K6
// 01-11-2023 → 20-12-2023.
const D = '2024-04-30';
describe('complaints.handling_days', () => {
  const fixture = chiefFixture(D);
  const { value } = fixture;

  it('median days from received to decided over complaints decided in P (afvist included)', async () => {
    // K1: 01-02 → 01-03 in a leap year = 29; K2: 15-01 → 15-03 = 31 + 29 = 60; K3: 01-12-2023 → 10-01-2024 = 31 + 9 = 40;
    // K5: 01-01 → 20-04 = 31 + 29 + 31 + 19 = 110. Sorted 29, 40, 60, 110 → median (40 + 60) / 2 = 50.
    expect(await value('complaints.handling_days')).toBe(50);
    // P = 2023: K6 01-11 → 20-12 = 29 + 20 = 49.
    expect(await value('complaints.handling_days', { asOf: '2023-12-31', period: { from: '2023-01-01', to: '2023-12-31' } })).toBe(49);
    // D = 31-03-2024, P = 2024: K5 (decided 20-04) is not known yet: 29, 40, 60 → 40.
    expect(await value('complaints.handling_days', { asOf: '2024-03-31', period: { from: '2024-01-01', to: '2024-12-31' } })).toBe(40);
    // P = 01-04-2024 .. 19-04-2024: nothing decided → null.
    expect(await value('complaints.handling_days', { period: { from: '2024-04-01', to: '2024-04-19' } })).toBeNull();
  });

  it('leaves out a complaint decided in P without a received date, or received after its decision', async () => {
    const { db } = fixture;
    // K7: no received date, decided 10-02-2024; K8: received 10-03-2024, "decided" 01-03-2024 (days would be −9).
    await db().pool.query(
      `INSERT INTO complaint (municipality_code, source, complaint_id, case_id, received, decided, outcome)
       VALUES (461, 'dubu', 'K7', 'C1', NULL, '2024-02-10', 'stadfæstet'), (461, 'dubu', 'K8', 'C1', '2024-03-10', '2024-03-01', 'afvist')`,
    );
    try {
      // Still 29, 40, 60, 110 → 50, as above.
      expect(await value('complaints.handling_days')).toBe(50);
    } finally {
      await db().pool.query(`DELETE FROM complaint WHERE complaint_id IN ('K7', 'K8')`);
    }
  });

  it('counts a complaint decided in P with no outcome or an "ukendt" outcome', async () => {
    const { db } = fixture;
    // K9: 01-04-2024 → 11-04-2024 = 10 days, no outcome; K10: 01-04-2024 → 21-04-2024 = 20 days, "ukendt".
    await db().pool.query(
      `INSERT INTO complaint (municipality_code, source, complaint_id, case_id, received, decided, outcome)
       VALUES (461, 'dubu', 'K9', 'C1', '2024-04-01', '2024-04-11', NULL), (461, 'dubu', 'K10', 'C3', '2024-04-01', '2024-04-21', 'ukendt')`,
    );
    try {
      // 10, 20, 29, 40, 60, 110 → (29 + 40) / 2 = 34.5 (without them 50; with one of them 40).
      expect(await value('complaints.handling_days')).toBe(34.5);
    } finally {
      await db().pool.query(`DELETE FROM complaint WHERE complaint_id IN ('K9', 'K10')`);
    }
  });

  it('a complaint received and decided on the same day takes 0 days', async () => {
    const { db } = fixture;
    // K11: received and decided 15-04-2024 → 0 days. 0, 29, 40, 60, 110 → 40 (left out it would stay 50).
    await db().pool.query(
      `INSERT INTO complaint (municipality_code, source, complaint_id, case_id, received, decided, outcome)
       VALUES (461, 'dubu', 'K11', 'C1', '2024-04-15', '2024-04-15', 'afvist')`,
    );
    try {
      expect(await value('complaints.handling_days')).toBe(40);
      // P = 15-04-2024 .. 19-04-2024 (K5 is decided 20-04): K11 alone → a median of 0 days, not null.
      expect(await value('complaints.handling_days', { period: { from: '2024-04-15', to: '2024-04-19' } })).toBe(0);
    } finally {
      await db().pool.query(`DELETE FROM complaint WHERE complaint_id = 'K11'`);
    }
  });
});
