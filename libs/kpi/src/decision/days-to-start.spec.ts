import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// decision.days_to_start on test/fixtures/dubu-chief at D = 30-04-2024, P = 01-01-2024 .. 30-04-2024.
// Measures (decided → started): Y1 Plejefamilie 01-02-2024 → 01-02-2024; Y2 Aflastning 15-01-2024 →
// 01-02-2024; Y3 Merudgifter (economic: left out) 01-01-2024 → 01-01-2024; Y4 Familiebehandling
// 20-10-2023 → 01-11-2023; Y5 Opholdssted 01-03-2022 → 01-03-2022; Y6 Kontaktperson 01-12-2023 →
// 01-12-2023; Y7 Mentorordning ("ukendt": left out) 01-04-2024 → 01-04-2024; Y8 Døgninstitution
// 01-01-2023 → 01-01-2023.
const D = '2024-04-30';
describe('decision.days_to_start', () => {
  const { value, db } = chiefFixture(D);

  it('median days from decision to start over measures started in P', async () => {
    // Started in P: Y1 0 days; Y2 15-01 → 01-02 = 17 days (Y3 economic, Y7 ukendt left out). Median (0 + 17) / 2 = 8.5.
    expect(await value('decision.days_to_start')).toBe(8.5);
    // P = 2023: Y4 20-10 → 01-11 = 12; Y6 0; Y8 0 → median 0.
    expect(await value('decision.days_to_start', { asOf: '2023-12-31', period: { from: '2023-01-01', to: '2023-12-31' } })).toBe(0);
    // P = March 2024: nothing started → null, never 0.
    expect(await value('decision.days_to_start', { period: { from: '2024-03-01', to: '2024-03-31' } })).toBeNull();
  });

  it('leaves out a measure with no decision date or decided after its start, and counts across a leap day', async () => {
    const pool = db().pool;
    // Y1 gets no decision date; Y2 is decided 01-03-2024, after its start 01-02-2024: both left out → null.
    await pool.query(`UPDATE measure SET decided = NULL WHERE measure_id = 'Y1'`);
    await pool.query(`UPDATE measure SET decided = '2024-03-01' WHERE measure_id = 'Y2'`);
    try {
      expect(await value('decision.days_to_start')).toBeNull();
      // Y2 decided 28-02-2024 and started 01-03-2024: 2 days in a leap year (29-02 between).
      await pool.query(`UPDATE measure SET decided = '2024-02-28', started = '2024-03-01' WHERE measure_id = 'Y2'`);
      expect(await value('decision.days_to_start')).toBe(2);
      // Not started by D = 29-02-2024 → not counted.
      expect(await value('decision.days_to_start', { asOf: '2024-02-29', period: { from: '2024-01-01', to: '2024-12-31' } })).toBeNull();
    } finally {
      await pool.query(`UPDATE measure SET decided = '2024-02-01' WHERE measure_id = 'Y1'`);
      await pool.query(`UPDATE measure SET decided = '2024-01-15', started = '2024-02-01' WHERE measure_id = 'Y2'`);
    }
  });
});
