/** The kinds of export the ETL reads: the two case systems, the financial system, public statistics. */
export const SOURCES = ['dubu', 'csc', 'economy', 'statistics'] as const;
export type SourceKind = (typeof SOURCES)[number];
/** The case systems: the sources of cases, children and caseworkers (person data, read models). */
export const CASE_SOURCES = ['dubu', 'csc'] as const satisfies readonly SourceKind[];
/** CASE_SOURCES as an SQL list, for `source IN ${CASE_SOURCES_SQL}` in statements kept as constants. */
export const CASE_SOURCES_SQL = `(${CASE_SOURCES.map((s) => `'${s}'`).join(', ')})`;
