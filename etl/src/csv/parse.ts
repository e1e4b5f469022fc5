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
}

const LF = 10;
const CR = 13;

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
    if (!(fields.length === 1 && fields[0] === '')) batch.push({ line: recordLine, fields });
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
    while (i < n) {
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
    if (batch.length >= 2000) {
      yield batch;
      batch = [];
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  if (batch.length > 0) yield batch;
}
