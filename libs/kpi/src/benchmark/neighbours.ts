import type { Query } from '../types';

export interface Neighbour {
  code: number;
  distance: number;
  /** How many indicators both municipalities have (the distance averages over those). */
  indicators: number;
}

const FEATURES = [
  'children',
  'Underretninger',
  'Anbragte børn og unge',
  'Børn og unge med forebyggende foranstaltninger',
  'Nettodriftsudgifter udsatte børn og unge (1.000 kr.)',
];

/**
 * Statistical neighbours, the way English councils compare with theirs: on the own municipality's
 * latest population year, each municipality is described by the size of its child population
 * (log scale) and each published indicator per child; every feature is standardised (z-score over
 * the municipalities that have it), and the distance is the root mean square difference over the
 * features both municipalities have (at least two). Nearest first, ties by code.
 */
export async function statisticalNeighbours(query: Query, municipality: number, size = 10): Promise<Neighbour[]> {
  const rows = await query<{ code: number; feature: string; value: number }>(
    `WITH y AS (SELECT max(year) AS year FROM population WHERE municipality_code = $1 AND age_group = '0-17 år' AND count IS NOT NULL),
     pop AS (SELECT p.municipality_code, p.count FROM population p, y WHERE p.year = y.year AND p.age_group = '0-17 år' AND p.count > 0 AND p.municipality_code <> 0)
     SELECT municipality_code AS code, 'children' AS feature, log(count)::float AS value FROM pop
     UNION ALL
     SELECT s.municipality_code, s.indicator, (s.value / p.count)::float FROM municipal_statistic s, y, pop p
     WHERE s.year = y.year AND s.value IS NOT NULL AND p.municipality_code = s.municipality_code`,
    [municipality],
  );
  const z = new Map<number, Map<string, number>>();
  for (const feature of FEATURES) {
    const values = rows.filter((r) => r.feature === feature);
    if (values.length < 2) continue;
    const mean = values.reduce((s, r) => s + r.value, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, r) => s + (r.value - mean) ** 2, 0) / values.length);
    if (sd === 0) continue;
    for (const r of values) {
      if (!z.has(r.code)) z.set(r.code, new Map());
      z.get(r.code)!.set(feature, (r.value - mean) / sd);
    }
  }
  const own = z.get(municipality);
  if (!own) return [];
  const result: Neighbour[] = [];
  for (const [code, features] of z) {
    if (code === municipality) continue;
    const shared = [...own.keys()].filter((f) => features.has(f));
    if (shared.length < 2) continue;
    const distance = Math.sqrt(shared.reduce((s, f) => s + (own.get(f)! - features.get(f)!) ** 2, 0) / shared.length);
    result.push({ code, distance, indicators: shared.length });
  }
  return result.sort((a, b) => a.distance - b.distance || a.code - b.code).slice(0, size);
}
