import { FileFormatError } from './source';

export interface ColumnSpec {
  key: string;
  /** Header text as the format documents it; matched without regard to case, spaces or æ/ø/å spelling. */
  header: string;
  required?: boolean;
}

export interface HeaderMap {
  /** Field index per column key; -1 when an optional column is absent. */
  index: Record<string, number>;
  unknown: string[];
  width: number;
}

/** Header names in any letter case, with extra spaces, and with oe/aa for ø/å. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .replace(/\s*([-()])\s*/g, '$1');
}

export function mapHeader(file: string, header: string[], columns: ColumnSpec[], separator: string): HeaderMap {
  const positions = new Map<string, number>();
  const known = new Set(columns.map((c) => normaliseHeader(c.header)));
  const twice: string[] = [];
  header.forEach((h, i) => {
    const key = normaliseHeader(h);
    if (key === '') return;
    if (!positions.has(key)) positions.set(key, i);
    // Which of two columns of the same name holds the values is anybody's guess.
    else if (known.has(key) && !twice.includes(h.trim())) twice.push(h.trim());
  });
  if (twice.length > 0)
    throw new FileFormatError(
      file,
      `Filen ${file} har kolonnen/kolonnerne ${twice.join(', ')} mere end én gang; det er uklart, hvilken der gælder.`,
    );
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const col of columns) {
    const at = positions.get(normaliseHeader(col.header));
    index[col.key] = at ?? -1;
    if (at === undefined && col.required) missing.push(col.header);
  }
  if (missing.length > 0) {
    const looksLikeOtherSeparator = header.length === 1 && /[;\t,]/.test(header[0]);
    throw new FileFormatError(
      file,
      looksLikeOtherSeparator
        ? `Filen ${file} bruger ikke det forventede skilletegn (${separator === '\t' ? 'tabulator' : `"${separator}"`}); kolonnerne kan ikke læses.`
        : `Filen ${file} mangler kolonnen/kolonnerne: ${missing.join(', ')}.`,
    );
  }
  const unknown = header.map((h) => h.trim()).filter((h) => h !== '' && !known.has(normaliseHeader(h)));
  return { index, unknown, width: header.length };
}
