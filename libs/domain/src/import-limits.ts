// How much of a municipality's data one import may remove before it is refused as a broken export
// (a setting per municipality, libs/kpi/src/settings.ts; applied by the ETL, etl/src/load/shrink.ts).

export const SHRINK_SETTING = 'import.max_shrink_share';
/** At most 10 % of the municipality's open cases (or rows) from that source. */
export const MAX_SHRINK_SHARE_DEFAULT = 0.1;
