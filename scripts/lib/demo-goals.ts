import type { Pool } from 'pg';

// Goals and comments a committee would recognise, so no view is empty on a first start.
const GOALS: [string, string, '>=' | '<=', number, number, string][] = [
  [
    'activity.family_care_share',
    'Mindst 65 % af de anbragte børn i familiepleje',
    '>=',
    0.65,
    0.05,
    'Børn skal så vidt muligt vokse op i en familie.',
  ],
  [
    'deadline.notification_24h',
    '95 % af underretningerne vurderet inden for 24 timer',
    '>=',
    0.95,
    0.05,
    'Vi reagerer hurtigt, når et barn kan være i fare.',
  ],
  [
    'deadline.investigation_4m',
    '90 % af de børnefaglige undersøgelser afsluttet inden for 4 måneder',
    '>=',
    0.9,
    0.1,
    'Familierne skal ikke vente på en afklaring.',
  ],
  [
    'activity.repeat_notification_share',
    'Højst 25 % af de underrettede børn underrettes igen samme år',
    '<=',
    0.25,
    0.05,
    'Den tidlige indsats skal virke.',
  ],
];

export async function seedDemoGoals(pool: Pool, municipality: number, year: string): Promise<void> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM political_goal WHERE municipality_code = $1', [municipality]);
  if (rows[0].n > 0) return;
  const ids: number[] = [];
  for (const [kpi, title, direction, target, tolerance, policy] of GOALS) {
    const r = await pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, policy_text, direction, target, tolerance, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'demo') RETURNING id`,
      [municipality, kpi, title, policy, direction, target, tolerance],
    );
    ids.push(r.rows[0].id);
  }
  const comments: [string, string, string][] = [
    [
      'budget',
      '5.28.20',
      'Merforbruget skyldes flere anbringelser på opholdssted i 2. halvår. Forvaltningen følger udviklingen månedligt og forelægger en handleplan i næste kvartal.',
    ],
    ['budget', '5.28.21', 'Forbruget ligger under budget, da to kontrakter på familiebehandling først træder i kraft i december.'],
    ['goal', String(ids[1]), 'Vurderingen inden for 24 timer er forbedret efter, at modtagelsen har fået en fast vagtordning.'],
  ];
  for (const [type, key, text] of comments) {
    await pool.query(
      `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES ($1, $2, $3, $4, $5, 'demo')
       ON CONFLICT DO NOTHING`,
      [municipality, type, key, year, text],
    );
  }
}
