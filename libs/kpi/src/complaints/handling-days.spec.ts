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
});
