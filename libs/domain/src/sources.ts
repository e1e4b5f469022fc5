/** The kinds of export the ETL reads: the two case systems, the financial system, public statistics. */
export const SOURCES = ['dubu', 'csc', 'economy', 'statistics'] as const;
export type SourceKind = (typeof SOURCES)[number];
