// What a CPR number may look like inside a free text. Shared by the ETL (which masks it in every
// text from an import) and the API (which refuses free text holding one before it is stored).

/**
 * What may stand between a CPR number's groups: a hyphen, dash or minus (soft, small and
 * full-width ones too), a dot, a slash, an underscore, any space (no-break and narrow ones too) or
 * an invisible joiner. Spelled out rather than \s, which matches Unicode spaces in JavaScript but
 * only ASCII ones in PostgreSQL under the C locale.
 */
export const CPR_SEPARATOR_SOURCE =
  '[-\\t\\n\\v\\f\\r ./_\\u00a0\\u00ad\\u1680\\u2000-\\u200d\\u2010-\\u2015\\u2028\\u2029\\u202f\\u205f\\u2060\\u2212\\u3000\\ufe58\\ufe63\\ufeff\\uff0d\\uff0e\\uff0f]';
const SEP = CPR_SEPARATOR_SOURCE;

/**
 * A run of 10 or more digits (an 11-digit account number counts too: it may hold a CPR), 6+ digits
 * then 4+ digits with any run of separators between them, DD MM YY NNNN with separators, or the
 * groupings DDMM YY NNNN and DDMMYY NN NN. Same source for JS and PostgreSQL: both read (?<!..),
 * (?!..), \d and \uXXXX alike.
 */
export const CPR_LIKE_SOURCE =
  `\\d{10,}|(?<!\\d)\\d{2}${SEP}+\\d{2}${SEP}+\\d{2}${SEP}*\\d{4}(?!\\d)|\\d{6,}${SEP}+\\d{4,}` +
  `|(?<!\\d)\\d{4}${SEP}+\\d{2}${SEP}+\\d{4}(?!\\d)|(?<!\\d)\\d{6}${SEP}+\\d{2}${SEP}+\\d{2}(?!\\d)`;

const CPR_LIKE_ONCE = new RegExp(CPR_LIKE_SOURCE);

/** Whether a free text holds something that may be a CPR number (CPR_LIKE_SOURCE). */
export function mayHoldCpr(text: string): boolean {
  return CPR_LIKE_ONCE.test(text);
}

/** What a CPR-like text is replaced with where it must not be kept. */
export const CPR_MASK = '******-****';

const CPR_LIKE_ALL = new RegExp(CPR_LIKE_SOURCE, 'g');

/** Masks anything in a text that may be a CPR number (CPR_LIKE_SOURCE) as ******-****. */
export function maskCprLike(text: string): string {
  return text.replace(CPR_LIKE_ALL, CPR_MASK);
}

/**
 * The first `max` characters of a text, masked (maskCprLike): masked before the cut, so that a CPR
 * number across it is masked too, and after, so that the cut makes none.
 */
export function maskedPrefix(text: string, max: number): string {
  return maskCprLike(maskCprLike(text.slice(0, 2 * max)).slice(0, max));
}
