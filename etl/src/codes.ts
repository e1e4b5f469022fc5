import type { Row } from './file-reader';

/**
 * A coded field: the canonical spelling of a known value (any letter case), "ukendt" with a
 * warning (W003) for an unknown one — the row is kept and the code reported — and null when empty.
 */
export function codeFrom<T extends string>(row: Row, key: string, values: readonly T[]): T | 'ukendt' | null {
  const text = row.get(key);
  if (text === '') return null;
  const known = values.find((v) => v.toLowerCase() === text.toLowerCase());
  if (known) return known;
  row.warn('UNKNOWN_CODE', key, text);
  return 'ukendt';
}
