// Streaming parser for delimited text (DUBU ';' with quotes, CSC tab without quotes).
// Survives BOM, CRLF or LF, quoted fields holding the separator or a newline, blank lines.
// Yields batches of records with the physical line each record starts on (header = line 1).
//
// A damaged record never takes the rest of the file with it (docs/ETL.md, "Bad input"):
// - a quoted field that never closes (end of file), or that runs over more than maxQuotedLines
//   line breaks, is an unclosed quote: a broken record on the line where the quote opened, and
//   reading resumes on the line after the one the quote opened on (the rows it swallowed are read
//   again as rows);
// - a record longer than maxRecordChars (a 100 MB field, a million separators) is a broken record
//   on its first line; the rest of its physical line is skipped, unread and unkept.

export interface DelimitedOptions {
  separator: string;
  /** Quote character, or null when the format has no quoting. */
  quote: string | null;
  /** Line breaks a quoted field may hold before it counts as unclosed (default 100). */
  maxQuotedLines?: number;
  /** Characters a record may have before it is broken off as too long (default 1 Mi). */
  maxRecordChars?: number;
}

export const MAX_QUOTED_LINES = 100;
export const MAX_RECORD_CHARS = 1 << 20;

/** Why a record could not be read: its quote never closed, or it was too long. */
export type BrokenRecord = 'unclosed-quote' | 'too-long';

export interface RawRecord {
  line: number;
  fields: string[];
  /**
   * True when no field holds a backslash, tab, newline or carriage return (the record was a whole
   * line without them): its text needs no escaping for COPY. False says nothing either way.
   */
  plain: boolean;
  /** Set on a record that could not be read (fields is then empty); see the top of this file. */
  broken?: BrokenRecord;
  /**
   * Set when a carriage return not followed by a line feed was dropped from the record: on the header,
   * the sign of a file with CR line ends (old Mac), which would otherwise read as one long header.
   */
  loneCr?: boolean;
}

const LF = 10;
/** Records per batch. */
const BATCH = 256;
const CR = 13;
const TAB = 9;

export async function* parseDelimited(chunks: AsyncIterable<string>, opts: DelimitedOptions): AsyncGenerator<RawRecord[]> {
  const sep = opts.separator.charCodeAt(0);
  const quote = opts.quote ? opts.quote.charCodeAt(0) : -1;
  const maxQuotedLines = opts.maxQuotedLines ?? MAX_QUOTED_LINES;
  const maxRecordChars = opts.maxRecordChars ?? MAX_RECORD_CHARS;
  let fields: string[] = [];
  let field = '';
  /** Characters in `fields` so far (the record's size, with field and fields.length). */
  let fieldsChars = 0;
  let inQuotes = false;
  let quotePending = false; // a quote inside quotes was the last char of a chunk: escape or close?
  let fieldQuoted = false;
  let line = 1;
  let recordLine = 1;
  /** Where the open quoted field started, its line breaks, and the text after its first one. */
  let quoteLine = 1;
  let quotedLines = 0;
  let replayLine = 0;
  let replayStart = -1; // index in the current chunk where the replay text starts (-1: none)
  let replayed: string[] = [];
  /** Discarding the rest of a physical line (a record broken off: too long, or its quote unclosed on it). */
  let skipLine = false;
  let loneCr = false;
  let crAtEnd = false; // the last chunk ended on a carriage return: lone unless a line feed follows
  let first = true;
  let batch: RawRecord[] = [];

  const endRecord = (): void => {
    if (fieldsChars + field.length + fields.length > maxRecordChars) {
      breakRecord('too-long', recordLine);
      return;
    }
    fields.push(field);
    field = '';
    fieldQuoted = false;
    fieldsChars = 0;
    if (!(fields.length === 1 && fields[0] === ''))
      batch.push(loneCr ? { line: recordLine, fields, plain: false, loneCr } : { line: recordLine, fields, plain: false });
    fields = [];
    loneCr = false;
  };

  /** Gives up the record in progress as broken, reported on `at`. */
  const breakRecord = (kind: BrokenRecord, at: number): void => {
    batch.push({ line: at, fields: [], plain: false, broken: kind });
    fields = [];
    field = '';
    fieldsChars = 0;
    inQuotes = false;
    quotePending = false;
    fieldQuoted = false;
    loneCr = false;
  };

  /**
   * An unclosed quote: the record is broken on the quote's line, and the text after the quote's
   * first line break (already consumed, up to the end of `chunk`) is returned to be read again.
   * null when the quote held no line break (the rest of its line is skipped).
   */
  const unclosed = (chunk: string): string | null => {
    breakRecord('unclosed-quote', quoteLine);
    if (replayStart < 0) {
      skipLine = true;
      return null;
    }
    const text = replayed.join('') + chunk.slice(replayStart);
    replayed = [];
    replayStart = -1;
    line = replayLine;
    recordLine = line;
    return text;
  };

  /** Reads one chunk, and what feedOnce hands back to read again, yielding full batches between. */
  function* feed(input: string): Generator<RawRecord[]> {
    let chunk: string | null = input;
    while (chunk !== null) {
      const again = feedOnce(chunk);
      chunk = again;
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  }

  /**
   * Reads a chunk. Returns text still to read: after an unclosed quote (the text it swallowed and the
   * rest of the chunk), or the rest of the chunk when a batch is full (handed on first); else null.
   */
  function feedOnce(chunk: string): string | null {
    let i = 0;
    let start = 0;
    const n = chunk.length;
    if (crAtEnd) {
      crAtEnd = false;
      if (n > 0 && chunk.charCodeAt(0) !== LF) loneCr = true;
    }
    if (quotePending) {
      quotePending = false;
      if (chunk.charCodeAt(0) === quote) {
        field += opts.quote;
        i = 1;
        start = 1;
      } else {
        inQuotes = false;
        replayStart = -1;
        replayed = [];
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
      if (skipLine) {
        const lf = chunk.indexOf('\n', i);
        if (lf === -1) return null;
        skipLine = false;
        line++;
        recordLine = line;
        i = lf + 1;
        start = i;
        continue;
      }
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
            if (end - i > maxRecordChars) {
              batch.push({ line: recordLine, fields: [], plain: false, broken: 'too-long' });
            } else if (end > i) {
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
            if (batch.length >= BATCH) return chunk.slice(i);
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
            replayStart = -1;
            replayed = [];
            i++;
          }
          start = i;
          continue;
        }
        if (c === LF) {
          line++;
          if (replayStart < 0 && replayed.length === 0) {
            replayStart = i + 1;
            replayLine = line;
          }
          if (++quotedLines > maxQuotedLines) return unclosed(chunk);
        }
        i++;
        continue;
      }
      if (c === sep) {
        field += chunk.slice(start, i);
        fields.push(field);
        fieldsChars += field.length;
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
        if (batch.length >= BATCH) return chunk.slice(i);
      } else if (c === CR) {
        field += chunk.slice(start, i);
        if (i + 1 >= n) crAtEnd = true;
        else if (chunk.charCodeAt(i + 1) !== LF) loneCr = true;
        i++;
        start = i;
      } else if (c === quote && !fieldQuoted && field === '' && start === i) {
        inQuotes = true;
        fieldQuoted = true;
        quoteLine = line;
        quotedLines = 0;
        replayStart = -1;
        replayed = [];
        i++;
        start = i;
      } else {
        i++;
      }
    }
    if (start < n) field += chunk.slice(start, n);
    if (inQuotes && replayStart >= 0) {
      replayed.push(chunk.slice(replayStart));
      replayStart = 0;
    }
    // A record this long is no record of an export: broken off before it fills the memory.
    if (fieldsChars + field.length + fields.length > maxRecordChars) {
      // All of this chunk is in the replay text already.
      if (inQuotes && replayStart >= 0) return unclosed('');
      breakRecord('too-long', inQuotes ? quoteLine : recordLine);
      skipLine = true;
    }
    return null;
  }

  for await (let chunk of chunks) {
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      if (chunk.length === 0) continue;
      first = false;
    }
    yield* feed(chunk);
  }
  // A quote as the very last character closes its field.
  if (quotePending) {
    quotePending = false;
    inQuotes = false;
  }
  // The file ends inside a quoted field: the quote never closed.
  while (inQuotes) {
    const again = unclosed('');
    if (again !== null) yield* feed(again);
  }
  if (field !== '' || fields.length > 0) endRecord();
  if (batch.length > 0) yield batch;
}
