// Streaming parser for delimited text (DUBU ';' with quotes, CSC tab without quotes).
// Survives BOM, CRLF or LF, quoted fields holding the separator or a newline, blank lines.
// Yields batches of records with the physical line each record starts on (header = line 1).

export interface DelimitedOptions {
  separator: string;
  /** Quote character, or null when the format has no quoting. */
  quote: string | null;
}

export interface RawRecord {
  line: number;
  fields: string[];
  /**
   * True when no field holds a backslash, tab, newline or carriage return (the record was a whole
   * line without them): its text needs no escaping for COPY. False says nothing either way.
   */
  plain: boolean;
}

const LF = 10;
/** Records per batch. */
const BATCH = 256;
const CR = 13;
const TAB = 9;

export async function* parseDelimited(chunks: AsyncIterable<string>, opts: DelimitedOptions): AsyncGenerator<RawRecord[]> {
  const sep = opts.separator.charCodeAt(0);
  const quote = opts.quote ? opts.quote.charCodeAt(0) : -1;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quotePending = false; // a quote inside quotes was the last char of a chunk: escape or close?
  let fieldQuoted = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let batch: RawRecord[] = [];

  const endRecord = (): void => {
    fields.push(field);
    field = '';
    fieldQuoted = false;
    if (!(fields.length === 1 && fields[0] === '')) batch.push({ line: recordLine, fields, plain: false });
    fields = [];
  };

  for await (let chunk of chunks) {
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      if (chunk.length === 0) continue;
      first = false;
    }
    let i = 0;
    let start = 0;
    const n = chunk.length;
    if (quotePending) {
      quotePending = false;
      if (chunk.charCodeAt(0) === quote) {
        field += opts.quote;
        i = 1;
        start = 1;
      } else {
        inQuotes = false;
      }
    }
    // Where the next newline, quote and carriage return are in this chunk (n: none); found once
    // and reused, so the fast path below stays linear in the chunk.
    let nextLf = -1;
    let nextQuote = -1;
    let nextCr = -1;
    let nextTab = -1;
    let nextBackslash = -1;
    let nextSep = -1;
    while (i < n) {
      // Fast path, at the start of a record: a whole line in this chunk without quotes (and no
      // carriage return but a final one) is split natively. Anything else takes the character
      // steps below, which carry their state across chunks.
      if (!inQuotes && start === i && field === '' && fields.length === 0) {
        if (nextLf < i) {
          nextLf = chunk.indexOf('\n', i);
          if (nextLf === -1) nextLf = n;
        }
        if (nextLf < n) {
          if (nextQuote < i) {
            nextQuote = quote >= 0 ? chunk.indexOf(opts.quote!, i) : -1;
            if (nextQuote === -1) nextQuote = n;
          }
          if (nextCr < i) {
            nextCr = chunk.indexOf('\r', i);
            if (nextCr === -1) nextCr = n;
          }
          const end = nextCr === nextLf - 1 ? nextCr : nextLf;
          if (nextQuote > nextLf && (nextCr > nextLf || nextCr === end)) {
            if (end > i) {
              if (nextTab < i) {
                nextTab = sep === TAB ? n : chunk.indexOf('\t', i);
                if (nextTab === -1) nextTab = n;
              }
              if (nextBackslash < i) {
                nextBackslash = chunk.indexOf('\\', i);
                if (nextBackslash === -1) nextBackslash = n;
              }
              // The fields sliced from the chunk between separators (String.split of the line is
              // slower); the next separator is found once and reused like the others.
              const record: string[] = [];
              let from = i;
              for (;;) {
                if (nextSep < from) {
                  nextSep = chunk.indexOf(opts.separator, from);
                  if (nextSep === -1) nextSep = n;
                }
                if (nextSep >= end) break;
                record.push(chunk.slice(from, nextSep));
                from = nextSep + 1;
              }
              record.push(chunk.slice(from, end));
              batch.push({ line: recordLine, fields: record, plain: nextTab > end && nextBackslash > end });
            }
            fieldQuoted = false;
            line++;
            recordLine = line;
            i = nextLf + 1;
            start = i;
            // Small batches: records handed on soon die young (cheap garbage), not after a whole chunk.
            if (batch.length >= BATCH) {
              yield batch;
              batch = [];
            }
            continue;
          }
        }
      }
      const c = chunk.charCodeAt(i);
      if (inQuotes) {
        if (c === quote) {
          field += chunk.slice(start, i);
          if (i + 1 >= n) {
            quotePending = true;
            i++;
            start = i;
            continue;
          }
          if (chunk.charCodeAt(i + 1) === quote) {
            field += opts.quote;
            i += 2;
          } else {
            inQuotes = false;
            i++;
          }
          start = i;
          continue;
        }
        if (c === LF) line++;
        i++;
        continue;
      }
      if (c === sep) {
        field += chunk.slice(start, i);
        fields.push(field);
        field = '';
        fieldQuoted = false;
        i++;
        start = i;
      } else if (c === LF) {
        field += chunk.slice(start, i);
        endRecord();
        line++;
        recordLine = line;
        i++;
        start = i;
      } else if (c === CR) {
        field += chunk.slice(start, i);
        i++;
        start = i;
      } else if (c === quote && !fieldQuoted && field === '' && start === i) {
        inQuotes = true;
        fieldQuoted = true;
        i++;
        start = i;
      } else {
        i++;
      }
    }
    if (start < n) field += chunk.slice(start, n);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  if (batch.length > 0) yield batch;
}
