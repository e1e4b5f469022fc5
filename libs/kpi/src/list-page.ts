// Paging, sorting and filtering of a list KPI's rows. The list is computed whole (it is bounded by
// one municipality's open cases); what is sent, and written to the audit log, is the page.
import type { KpiListValue } from './types';

export interface ListQuery {
  /** Sort keys in order; ties keep the KPI's own order. */
  sort: { field: string; descending: boolean }[];
  /** Rows whose field equals the value (as text); an empty value matches a missing one (no caseworker). */
  filter: { field: string; value: string }[];
  offset: number;
  /** null = every row from the offset. */
  limit: number | null;
}

export const MAX_PAGE = 1000;
/** More keys than a list has useful columns only slow the sort: every comparison walks them all, synchronously. */
export const MAX_SORT_KEYS = 5;
export const MAX_FILTERS = 10;

export class ListQueryError extends Error {}

/** Reads `sort=-daysOverdue,case`, `filter=worker:AB1` (repeatable), `offset`, `limit`; null when none is given. */
export function parseListQuery(raw: { sort?: string; filter?: string | string[]; offset?: string; limit?: string }): ListQuery | null {
  if (raw.sort === undefined && raw.filter === undefined && raw.offset === undefined && raw.limit === undefined) return null;
  const whole = (name: string, v: string | undefined, min: number, max: number): number | null => {
    if (v === undefined || v === '') return null;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new ListQueryError(`${name} skal være et helt tal fra ${min} til ${max}: ${v}`);
    return Number(v);
  };
  const sort: ListQuery['sort'] = [];
  for (const key of (raw.sort ?? '').split(',')) {
    const s = key.trim();
    const field = s.replace(/^[-+]/, '');
    // A field named again cannot change the order (its first key has decided every tie it could): dropped.
    if (field === '' || sort.some((k) => k.field === field)) continue;
    if (sort.length === MAX_SORT_KEYS) throw new ListQueryError(`sort kan højst have ${MAX_SORT_KEYS} forskellige felter`);
    sort.push({ field, descending: s.startsWith('-') });
  }
  const filters = raw.filter === undefined ? [] : Array.isArray(raw.filter) ? raw.filter : [raw.filter];
  if (filters.length > MAX_FILTERS) throw new ListQueryError(`Højst ${MAX_FILTERS} filtre ad gangen`);
  const filter = filters.map((f) => {
    const at = f.indexOf(':');
    if (at < 1) throw new ListQueryError(`filter skal have formen felt:værdi: ${f}`);
    return { field: f.slice(0, at), value: f.slice(at + 1) };
  });
  return {
    sort,
    filter,
    offset: whole('offset', raw.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0,
    limit: whole('limit', raw.limit, 1, MAX_PAGE),
  };
}

/** The fields the query names that the list's rows do not have. */
export function unknownFields(query: ListQuery, fields: readonly string[]): string[] {
  return [...new Set([...query.sort, ...query.filter].map((s) => s.field))].filter((f) => !fields.includes(f));
}

const collator = new Intl.Collator('da-DK', { numeric: true });
const missing = (v: unknown) => v === null || v === undefined || v === '';

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(Array.isArray(a) ? a.join(', ') : String(a), Array.isArray(b) ? b.join(', ') : String(b));
}

/** `countOf` gives the list's count of the filtered rows when the count is not the number of rows. */
export function pageList<Row extends object>(
  list: KpiListValue<Row>,
  query: ListQuery,
  countOf: (rows: Row[]) => number = (rows) => rows.length,
): KpiListValue<Row> & { offset: number; limit: number | null } {
  const value = (row: Row, field: string) => (row as Record<string, unknown>)[field];
  let rows = list.rows.filter((row) =>
    query.filter.every(({ field, value: wanted }) => {
      const v = value(row, field);
      return wanted === '' ? missing(v) : !missing(v) && (Array.isArray(v) ? v.map(String).includes(wanted) : String(v) === wanted);
    }),
  );
  if (query.sort.length > 0) {
    rows = [...rows].sort((x, y) => {
      for (const { field, descending } of query.sort) {
        const a = value(x, field);
        const b = value(y, field);
        // Missing values last whichever the direction: they are the ones nobody can act on yet.
        if (missing(a) || missing(b)) {
          if (missing(a) !== missing(b)) return missing(a) ? 1 : -1;
          continue;
        }
        const c = compare(a, b);
        if (c !== 0) return descending ? -c : c;
      }
      return 0;
    });
  }
  const page = rows.slice(query.offset, query.limit === null ? undefined : query.offset + query.limit);
  return { ...list, count: countOf(rows), rows: page, offset: query.offset, limit: query.limit };
}
