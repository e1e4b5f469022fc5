import { createHash } from 'crypto';
import type { Pool } from 'pg';
import { formalAnswers, loadSettings, sampleByFamily, samplePerCaseworker, type Query, type SampledCase } from '@bu/kpi';

// Case reviews a new user recognises (issue 16, point 7): one finished ledelsestilsyn round (2
// cases per caseworker at the export date) and one learning review of placements in progress,
// with a dialogue meeting and action areas. Drawn and answered by the same code as the API
// (@bu/kpi's sampling and formal items); the reviewer's answers are made up, reproducibly.

const PROFESSIONAL = ['pro.target_group', 'pro.child_view', 'pro.network', 'pro.analysis', 'pro.documentation', 'pro.fit'];

/** A made-up professional answer, the same for the same case and item on every start. */
function madeUp(caseId: string, item: string): 'ja' | 'delvist' | 'nej' | 'ikke_relevant' {
  const n = createHash('md5').update(`${caseId}:${item}`).digest()[0] % 20;
  return n < 12 ? 'ja' : n < 16 ? 'delvist' : n < 19 ? 'nej' : 'ikke_relevant';
}

const NOTES: Record<string, string> = {
  delvist: 'Fremgår delvist af journalen; bør uddybes ved næste opfølgning.',
  nej: 'Fremgår ikke af sagen.',
};

const FORKLAEDE =
  'Valgt fordi barnet er anbragt uden for hjemmet, og fordi vi vil se på, hvordan barnets egen stemme kommer frem ved tilsyn og i afgørelserne. Se særligt på børnesamtalerne og på, om netværket er inddraget.';

async function insertRound(
  pool: Pool,
  r: { municipality: number; title: string; purpose: string; asOf: string; sampling: object; requested: number; cases: SampledCase[] },
): Promise<number> {
  const { rows } = await pool.query(
    `INSERT INTO review_round (municipality_code, title, purpose, as_of, checklist_version, sampling, requested, found, created_by)
     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, 'demo') RETURNING id`,
    [r.municipality, r.title, r.purpose, r.asOf, JSON.stringify(r.sampling), r.requested, r.cases.length],
  );
  return rows[0].id;
}

async function insertCase(
  pool: Pool,
  round: number,
  municipality: number,
  c: SampledCase,
  position: number,
  fields: { chosen: boolean; forklaede?: string; summary?: string; learningQuestion?: string; status: string },
  formal: Record<string, string>,
  answered: boolean,
): Promise<void> {
  await pool.query(
    `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, caseworker, team, chosen, forklaede, summary, learning_question, status, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'demo', now())`,
    [
      round,
      municipality,
      c.source,
      c.case,
      position,
      c.caseworker,
      c.team,
      fields.chosen,
      fields.forklaede ?? null,
      fields.summary ?? null,
      fields.learningQuestion ?? null,
      fields.status,
    ],
  );
  for (const [item, answer] of Object.entries(formal)) {
    await pool.query(
      `INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, data_answer, source) VALUES ($1, $2, $3, $4, $5, $5, 'data')`,
      [round, c.case, municipality, item, answer],
    );
  }
  for (const item of PROFESSIONAL) {
    const answer = answered ? madeUp(c.case, item) : null;
    await pool.query(
      `INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, source, note) VALUES ($1, $2, $3, $4, $5, 'reviewer', $6)`,
      [round, c.case, municipality, item, answer, answer ? (NOTES[answer] ?? null) : null],
    );
  }
}

/** The demo municipality's review rounds, meeting and action areas; nothing when it has rounds already. */
export async function seedDemoReviews(pool: Pool, municipality: number, asOf: string): Promise<void> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM review_round WHERE municipality_code = $1', [municipality]);
  if (rows[0].n > 0) return;
  const query: Query = async (sql, params) => (await pool.query(sql, params)).rows;
  const settings = await loadSettings(query, municipality);
  const scope = { municipality, asOf, settings };

  // The finished ledelsestilsyn: 2 per caseworker, every case reviewed.
  const tilsyn = await samplePerCaseworker(query, scope, 2, 2026, []);
  const tilsynFormal = await formalAnswers(query, municipality, asOf, tilsyn.cases, settings);
  const first = await insertRound(pool, {
    municipality,
    title: `Ledelsestilsyn ${asOf.slice(0, 4)}`,
    purpose: 'Årligt ledelsestilsyn: to tilfældigt udtrukne sager pr. rådgiver.',
    asOf,
    sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 2026 },
    requested: tilsyn.requested,
    cases: tilsyn.cases,
  });
  for (const [i, c] of tilsyn.cases.entries()) {
    await insertCase(
      pool,
      first,
      municipality,
      c,
      i + 1,
      { chosen: false, summary: 'Sagen er gennemgået; bemærkningerne står ved de enkelte punkter.', status: 'faerdig' },
      tilsynFormal[c.case],
      true,
    );
  }

  // The learning review in progress: placements, chosen with a forklæde, not those just reviewed.
  const placed = await sampleByFamily(
    query,
    scope,
    'placement',
    6,
    7,
    tilsyn.cases.map((c) => c.case),
  );
  const learningFormal = await formalAnswers(query, municipality, asOf, placed.cases, settings);
  const second = await insertRound(pool, {
    municipality,
    title: 'Sagsgennemgang: barnets perspektiv i anbringelsessager',
    purpose: 'Læringsorienteret gennemgang af udvalgte anbringelsessager med dialogmøder i teamene.',
    asOf,
    sampling: { kind: 'chosen', cases: placed.cases.map((c) => c.case) },
    requested: placed.cases.length,
    cases: placed.cases,
  });
  for (const [i, c] of placed.cases.entries()) {
    const status = i < 2 ? 'faerdig' : i < 4 ? 'i_gang' : 'ikke_startet';
    await insertCase(
      pool,
      second,
      municipality,
      c,
      i + 1,
      {
        chosen: true,
        forklaede: FORKLAEDE,
        summary: status === 'ikke_startet' ? undefined : 'Barnet har været anbragt i over et år; tilsyn og opfølgning er gennemført.',
        learningQuestion: status === 'faerdig' ? 'Hvordan sikrer vi, at barnet kan tale alene med rådgiveren ved hvert tilsyn?' : undefined,
        status,
      },
      learningFormal[c.case],
      status !== 'ikke_startet',
    );
  }
  const discussed = placed.cases.slice(0, 2).map((c) => c.case);
  if (discussed.length > 0) {
    await pool.query(
      `INSERT INTO review_meeting (round_id, municipality_code, held_on, participants, cases, notes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'demo')`,
      [
        second,
        municipality,
        asOf,
        ['Rådgivere', 'Teamleder', 'Faglig koordinator'],
        discussed,
        'Drøftelse af børnesamtaler ved tilsyn. Aftalt at afprøve en fast skabelon for samtalen alene med barnet.',
      ],
    );
  }
  const areas: [string, string, string, string, string[], string | null][] = [
    [
      'Samtale med barnet før afgørelse',
      'Børnesamtalen mangler eller er ikke dokumenteret i flere af de gennemgåede sager.',
      'Alle teams',
      'i_gang',
      ['formal.child_conversation', 'pro.child_view'],
      'deadline.child_conversation',
    ],
    [
      'Netværkskort i alle nye sager',
      'Netværket er sjældent afdækket systematisk.',
      'Faglig koordinator',
      'planlagt',
      ['pro.network'],
      null,
    ],
  ];
  for (const [title, why, owner, status, items, kpi] of areas) {
    await pool.query(
      `INSERT INTO review_action_area (municipality_code, round_id, title, why, owner, due, status, items, kpi_id, created_by)
       VALUES ($1, $2, $3, $4, $5, ($6::date + interval '6 months')::date, $7, $8, $9, 'demo')`,
      [municipality, second, title, why, owner, asOf, status, items, kpi],
    );
  }
  // The chief's child-perspective example for the committee (ADR 63): no names, no CPR numbers.
  await pool.query(`INSERT INTO review_example (municipality_code, title, body, created_by) VALUES ($1, $2, $3, 'demo')`, [
    municipality,
    DEMO_EXAMPLE.title,
    DEMO_EXAMPLE.text,
  ]);
}

/** The demo's child-perspective example: what the committee reads beside its results. */
export const DEMO_EXAMPLE = {
  title: 'Pigen på 14 år, anbragt i plejefamilie',
  text: 'Ved tilsynsbesøget talte rådgiveren for første gang alene med pigen. Hun fortalte, at hun gerne ville se sin lillebror oftere, og at hun ikke vidste, hvem hun skulle ringe til, når hun var ked af det. Samværet med lillebroren er nu aftalt hver anden weekend, og pigen har fået et fast telefonnummer til rådgiveren.',
};
