import { ColumnSpec, mapHeader } from './csv/header';
import { MAX_QUOTED_LINES, MAX_RECORD_CHARS, parseDelimited } from './csv/parse';
import { FileFormatError, readText } from './csv/source';
import { ImportFailure, IssueLog } from './issues';
import { RULES, RuleKey } from './rules';

export interface FormatOptions {
  separator: string;
  quote: string | null;
  encoding: 'utf-8' | 'windows-1252';
}

/** A row seen through its file's header: values by column key, trimmed. */
export class Row {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly fields: string[],
    private readonly index: Record<string, number>,
    private readonly labels: Record<string, string>,
    private readonly log: IssueLog,
    /**
     * No field holds a backslash, tab, newline or carriage return (RawRecord.plain): values the
     * mappers make of this row's fields and of constants need no escaping for COPY.
     */
    readonly plain = false,
  ) {}

  get(key: string): string {
    const at = this.index[key];
    return at === undefined || at < 0 ? '' : (this.fields[at] ?? '').trim();
  }

  /** Rejects the row; `column` is a column key (shown to the steward by its header text). */
  reject(rule: RuleKey, column: string, value: string, detail?: string): null {
    this.log.add(rule, this.file, this.line, value, this.describe(rule, column, value, detail));
    return null;
  }

  warn(rule: RuleKey, column: string, value: string, detail?: string): void {
    this.log.add(rule, this.file, this.line, value, this.describe(rule, column, value, detail));
  }

  /** The column's header text as the format documents it. */
  label(column: string): string {
    return this.labels[column] ?? column;
  }

  private describe(rule: RuleKey, column: string, value: string, detail?: string): string {
    return `${RULES[rule].title}: ${this.labels[column] ?? column} = "${value}"${detail ? ` (${detail})` : ''}.`;
  }
}

/** Whether every field from `from` on is blank. */
function blankFrom(fields: string[], from: number): boolean {
  for (let i = from; i < fields.length; i++) if (fields[i] !== '' && fields[i].trim() !== '') return false;
  return true;
}

/**
 * Streams a delimited file and hands each data row to `onRow`. A file that is empty, binary,
 * in the wrong encoding or without the declared columns throws ImportFailure (nothing is written).
 */
export async function readRows(
  path: string,
  file: string,
  format: FormatOptions,
  columns: ColumnSpec[],
  log: IssueLog,
  onRow: (row: Row) => Promise<void> | void,
): Promise<number> {
  let header: ReturnType<typeof mapHeader> | undefined;
  const labels = Object.fromEntries(columns.map((c) => [c.key, c.header]));
  let count = 0;
  try {
    for await (const batch of parseDelimited(readText(path, file, format.encoding), format)) {
      for (const record of batch) {
        if (record.broken) {
          // The header itself unreadable: nothing of the file can be read by its columns.
          if (!header)
            throw new FileFormatError(
              file,
              `Kolonneoverskrifterne i filen ${file} kan ikke læses (${record.broken === 'too-long' ? 'linjen er for lang' : 'et anførselstegn afsluttes ikke'}).`,
            );
          if (record.broken === 'unclosed-quote') {
            log.add(
              'QUOTE_UNCLOSED',
              file,
              record.line,
              null,
              `Et felt, der begynder med anførselstegn i linje ${record.line}, afsluttes ikke (inden for ${MAX_QUOTED_LINES} linjer eller før filens slutning); rækken er afvist, og de følgende linjer er læst som rækker.`,
            );
          } else {
            log.add(
              'RECORD_TOO_LONG',
              file,
              record.line,
              null,
              `Rækken er over ${MAX_RECORD_CHARS.toLocaleString('da-DK')} tegn lang; den er afvist og ikke læst.`,
            );
          }
          continue;
        }
        if (!header) {
          if (record.loneCr)
            throw new FileFormatError(
              file,
              `Filen ${file} bruger CR alene som linjeskift (gammelt Mac-format); gem den med CRLF- eller LF-linjeskift.`,
            );
          header = mapHeader(file, record.fields, columns, format.separator);
          if (header.unknown.length > 0) {
            log.add(
              'UNKNOWN_COLUMNS',
              file,
              record.line,
              header.unknown.join(', '),
              `Ukendte kolonner ignoreret: ${header.unknown.join(', ')}.`,
            );
          }
          continue;
        }
        if (blankFrom(record.fields, 0)) continue;
        if (record.fields.length > header.width && !blankFrom(record.fields, header.width)) {
          log.add(
            'TOO_MANY_FIELDS',
            file,
            record.line,
            String(record.fields.length),
            `Rækken har ${record.fields.length} felter, men filen har ${header.width} kolonner.`,
          );
          continue;
        }
        count++;
        const wait = onRow(new Row(file, record.line, record.fields, header.index, labels, log, record.plain));
        if (wait) await wait;
      }
    }
  } catch (e) {
    if (e instanceof FileFormatError) throw new ImportFailure('FILE_FORMAT', file, e.message);
    throw e;
  }
  if (!header) throw new ImportFailure('FILE_EMPTY', file, `Filen ${file} er tom (ingen kolonneoverskrifter).`);
  return count;
}
