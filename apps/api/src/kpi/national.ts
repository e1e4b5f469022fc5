/**
 * Whether a KPI reads the public statistics (population, municipal_statistic), which a statistics
 * import changes for every municipality at once (the 'national' data version, ADR 0070): the
 * benchmarks, the rates per 1,000 children, and the political goals (a goal may be set on a rate
 * per 1,000 children). test/api/kpi-national.test.ts runs every KPI and holds this rule to the SQL
 * each one sends.
 */
export function readsNational(id: string): boolean {
  return id.startsWith('benchmark.') || id.endsWith('_per_1000') || id === 'goal.status';
}
