import { tableFromArrays, tableToIPC } from 'apache-arrow';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/**
 * A tabular KPI value as an Arrow IPC stream: list rows become columns (numbers as float64, the
 * rest as text, arrays joined); an object of numbers (per caseworker, per type) becomes key/value.
 */
export function toArrow(value: unknown): Uint8Array | null {
  let rows: Record<string, unknown>[];
  if (value && typeof value === 'object' && Array.isArray((value as { rows?: unknown[] }).rows)) {
    rows = (value as { rows: Record<string, unknown>[] }).rows;
  } else if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'number' || v === null)
  ) {
    rows = Object.entries(value as Record<string, number | null>).map(([key, v]) => ({ key, value: v }));
  } else {
    return null;
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const arrays: Record<string, Float64Array | (string | null)[]> = {};
  for (const c of columns) {
    const values = rows.map((r) => r[c]);
    arrays[c] = values.every((v) => typeof v === 'number')
      ? Float64Array.from(values)
      : values.map((v) => (v === null || v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v)));
  }
  return tableToIPC(tableFromArrays(arrays as never) as never, 'stream');
}
