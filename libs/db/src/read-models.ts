import type { Pool } from 'pg';
import { CASE_SOURCES, CASE_SOURCES_SQL } from '@bu/domain';

// The read models (ADR 0074; tables in migration 1733915000000): derived from one municipality's
// case facts, built after its case-system import commits. Here rather than in libs/kpi because the
// ETL builds them and may not import the KPIs; the KPIs read them only when read_model_state says
// they were built from the import in force (readModelsCurrent in libs/kpi).

/** The sources whose import changes the case facts the read models are derived from. */
export const READ_MODEL_SOURCES: readonly string[] = CASE_SOURCES;

/** The newest case-system import in force for a municipality (the read models' key). */
export const CURRENT_CASE_IMPORT = `(SELECT max(s.import_id) FROM source_snapshot s WHERE s.municipality_code = $1 AND s.source IN ${CASE_SOURCES_SQL})`;

/** Whether the municipality's ($1) read models were built from its case-system import in force. */
export const READ_MODELS_CURRENT = `SELECT EXISTS (
  SELECT 1 FROM read_model_state r WHERE r.municipality_code = $1 AND r.import_id = ${CURRENT_CASE_IMPORT}
) AS current`;

/**
 * case_team_span: for every case, the spans of days over which CASE_TEAM's answer stays the same.
 * Both of its rules read only the assignments begun by D and whether each has ended before D, so
 * the answer can change only on a day an assignment begins (valid_from) or the day after one ends
 * (valid_to + 1); between two such days it is that of the first, computed here by the very rules
 * of CASE_TEAM with D = the span's first day. Spans where the case has neither a caseworker nor
 * a team (before its first assignment) are left out: not found means the same.
 */
const CASE_TEAM_SPANS = `
  INSERT INTO case_team_span (municipality_code, source, case_id, valid_from, valid_to, worker_id, team)
  WITH bounds AS (
    SELECT source, case_id, valid_from AS b FROM assignment WHERE municipality_code = $1
    UNION
    SELECT source, case_id, valid_to + 1 FROM assignment WHERE municipality_code = $1 AND valid_to IS NOT NULL
  ),
  spans AS (
    SELECT source, case_id, b AS valid_from, lead(b) OVER (PARTITION BY source, case_id ORDER BY b) - 1 AS valid_to FROM bounds
  ),
  valued AS (
    SELECT s.*,
      (SELECT NULLIF(a.worker_id, '') FROM assignment a
        WHERE a.municipality_code = $1 AND a.source = s.source AND a.case_id = s.case_id
          AND a.valid_from <= s.valid_from AND (a.valid_to IS NULL OR a.valid_to >= s.valid_from)
        ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1) AS worker_id,
      (SELECT w.team FROM assignment a
        JOIN caseworker w ON w.municipality_code = a.municipality_code AND w.source = a.source AND w.worker_id = a.worker_id
        WHERE a.municipality_code = $1 AND a.source = s.source AND a.case_id = s.case_id
          AND a.valid_from <= s.valid_from AND a.worker_id <> ''
        ORDER BY (a.valid_to IS NULL OR a.valid_to >= s.valid_from) DESC, a.valid_from DESC, a.worker_id DESC LIMIT 1) AS team
    FROM spans s
  )
  SELECT $1, source, case_id, valid_from, valid_to, worker_id, team FROM valued WHERE worker_id IS NOT NULL OR team IS NOT NULL`;

/**
 * effect_child_span: per child, from each measurement date (the second on) to the day before the
 * next, what effect.change needs at any D in the span: the total (the five themes' averages summed,
 * as the KPI sums them) of the first date and of the span's own date, the child's latest by D, and
 * the measure types active on that date (of any of the child's cases, as the KPI joins them). A
 * child's first span is left out: with one date by D it is not counted, so not found means the same.
 */
const EFFECT_CHILD_SPANS = `
  INSERT INTO effect_child_span (municipality_code, person_id, valid_from, valid_to, first_total, latest_total, measure_types)
  WITH per_date AS (
    SELECT c.person_id, e.measured_on,
           avg(e.development) + avg(e.family_relations) + avg(e.school) + avg(e.health) + avg(e.leisure) AS total
    FROM effect_measurement e
    JOIN child_case c ON c.municipality_code = e.municipality_code AND c.source = e.source AND c.case_id = e.case_id
    WHERE e.municipality_code = $1
    GROUP BY c.person_id, e.measured_on
  ),
  spans AS MATERIALIZED (
    SELECT person_id, measured_on AS valid_from, lead(measured_on) OVER w - 1 AS valid_to,
           first_value(total) OVER w AS first_total, total AS latest_total, row_number() OVER w AS n
    FROM per_date
    WINDOW w AS (PARTITION BY person_id ORDER BY measured_on)
  ),
  types AS (
    SELECT s.person_id, s.valid_from, array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) AS types
    FROM spans s
    JOIN child_case c ON c.municipality_code = $1 AND c.person_id = s.person_id
    JOIN measure m ON m.municipality_code = c.municipality_code AND m.source = c.source AND m.case_id = c.case_id
    WHERE s.n >= 2 AND m.started <= s.valid_from AND (m.ended IS NULL OR m.ended >= s.valid_from)
    GROUP BY s.person_id, s.valid_from
  )
  SELECT $1, s.person_id, s.valid_from, s.valid_to, s.first_total, s.latest_total, coalesce(t.types, ARRAY[]::text[])
  FROM spans s LEFT JOIN types t ON t.person_id = s.person_id AND t.valid_from = s.valid_from
  WHERE s.n >= 2`;

/** The read models and how each is built, in the order they are built. */
const READ_MODELS: { table: string; build: string }[] = [
  { table: 'case_team_span', build: CASE_TEAM_SPANS },
  { table: 'effect_child_span', build: EFFECT_CHILD_SPANS },
];

/**
 * Builds a municipality's read models from the data in force, in one transaction that sees one
 * snapshot (the facts and the import they came from agree), and records the import they were
 * built from. Builds of one municipality take turns, so the last to finish is of the newest data.
 * Returns that import's id, or null when the municipality has no case-system data (nothing built).
 */
export async function buildReadModels(pool: Pool, municipality: number): Promise<number | null> {
  const started = Date.now();
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['read-models', municipality]);
    locked = true;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const { rows } = await client.query<{ id: string | null }>(`SELECT ${CURRENT_CASE_IMPORT} AS id`, [municipality]);
      const importId = rows[0].id === null ? null : Number(rows[0].id);
      for (const { table } of READ_MODELS) await client.query(`DELETE FROM ${table} WHERE municipality_code = $1`, [municipality]);
      await client.query('DELETE FROM read_model_state WHERE municipality_code = $1', [municipality]);
      if (importId !== null) {
        for (const { build } of READ_MODELS) await client.query(build, [municipality]);
        await client.query(`INSERT INTO read_model_state (municipality_code, import_id, seconds) VALUES ($1, $2, $3)`, [
          municipality,
          importId,
          (Date.now() - started) / 1000,
        ]);
      }
      await client.query('COMMIT');
      return importId;
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
  } finally {
    // Unlocked on the connection that took the lock; a broken connection has lost it anyway.
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['read-models', municipality]).catch(() => undefined);
    client.release();
  }
}
