import { closeSync, createReadStream, openSync, readdirSync, unlinkSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import { performance } from 'perf_hooks';
import { join } from 'path';
import type { ClientBase, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'stream/promises';
import { escapeCopy } from './load/copy';
import { CPR_LIKE_SOURCE, CPR_MASK, maskCprInText } from './pseudonym';
import { RULES, RuleKey } from './rules';

/** A log's issues as handed to another (IssueLog.handOver): plain data, for a message between threads. */
export interface LogHandOver {
  spill: string | null;
  counts: [string, number][];
  rejected: number;
  warnings: number;
}

export interface ImportIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  rule: string;
  value: string | null;
  message: string;
}

/**
 * The import's issues until they are written to import_issue: a table in the import's schema, so
 * that any of its connections can add to it (a rule can run outside the transaction, on staging
 * tables), dropped with the schema.
 */
export const ISSUE_STAGING = 'stg_import_issue';

/** A spill file's name: the process that writes it comes first, so that another can tell an orphan. */
const SPILL_PREFIX = 'bu-issues-';

/** Issues written to disk at a time (the rest of an export with a million bad rows stays on disk). */
const SPILL_BYTES = 256 * 1024;

/**
 * The rejected rows and warnings of one import. Values are CPR-masked before they are kept
 * anywhere. Memory does not grow with their number: rows the parser rejects go to a spill file in
 * COPY format; the set-based rules write theirs in SQL (`addFromQuery`) to a temporary table; both
 * reach import_issue in the import's transaction (`writeTo`), in the order they were found.
 */
export class IssueLog {
  /** Rows rejected so far (progress reports read it every 50,000 rows). */
  rejectedCount = 0;
  warningCount = 0;
  private readonly byFileAndRule = new Map<string, number>();
  private spillPath: string | null = null;
  private spillFd: number | null = null;
  private pending = '';
  /** Spill files of other logs (a staging thread's), written with this one's. */
  private readonly adopted: string[] = [];
  /** Where each file's parser issues come (orderFiles); 0 for others. */
  private fileSteps = new Map<string, number>();

  /**
   * `onSpill`: told the spill file's path as soon as it is made (a staging thread tells its parent,
   * which removes it if the thread is stopped before it could hand the file over).
   */
  constructor(private readonly onSpill?: (path: string) => void) {}

  /**
   * The order of the files' parser issues in the import's list: the order the files are read in,
   * also when some are read at the same time (by a staging thread). Issues of other files (a file
   * missing from the export) come first. Without it: the order they were found.
   */
  orderFiles(files: string[]): void {
    this.fileSteps = new Map(files.map((file, i) => [file, i + 1]));
  }

  add(rule: RuleKey, file: string, line: number | null, value: string | null, message: string): void {
    const def = RULES[rule];
    const severity = def.severity === 'warning' ? 'warning' : 'error';
    this.count(severity, file, def.id, 1);
    const masked = value === null ? null : maskCprInText(value);
    const step = this.fileSteps.get(file) ?? 0;
    this.pending += `${step}\t${severity}\t${escapeCopy(file)}\t${escapeCopy(line)}\t${def.id}\t${escapeCopy(masked)}\t${escapeCopy(maskCprInText(message))}\n`;
    if (this.pending.length >= SPILL_BYTES) this.flush();
  }

  /**
   * What this log found, for another log to adopt (a staging thread's log, handed to the import's):
   * the spill file is closed and becomes the other's to write and remove.
   */
  handOver(): LogHandOver {
    this.flush();
    if (this.spillFd !== null) closeSync(this.spillFd);
    this.spillFd = null;
    const handed = { spill: this.spillPath, counts: [...this.byFileAndRule], rejected: this.rejectedCount, warnings: this.warningCount };
    this.spillPath = null;
    return handed;
  }

  /** Takes on another log's issues (handOver). */
  adopt(other: LogHandOver): void {
    if (other.spill) this.adopted.push(other.spill);
    this.rejectedCount += other.rejected;
    this.warningCount += other.warnings;
    for (const [key, n] of other.counts) this.byFileAndRule.set(key, (this.byFileAndRule.get(key) ?? 0) + n);
  }

  /**
   * Records an issue for every row of `query` (columns _file, _line, value) in the database, without
   * bringing the rows here. `message` builds the Danish message from the value (as SQL: the text
   * around the value is fixed).
   */
  async addFromQuery(
    client: ClientBase,
    rule: RuleKey,
    query: string,
    message: (value: string) => string,
    params: unknown[] = [],
    step = 0,
  ): Promise<number> {
    const def = RULES[rule];
    const severity = def.severity === 'warning' ? 'warning' : 'error';
    const marker = '\u0001';
    const template = message(marker);
    const n = params.length;
    const { rows } = await client.query(
      `WITH found AS (${query}), kept AS (
         INSERT INTO ${ISSUE_STAGING} (set_based, step, severity, file, line, rule, value, message)
         SELECT true, $${n + 4}, $${n + 1}, _file, _line, $${n + 2}, ${maskCprSql('value')}, ${maskCprSql(`replace($${n + 3}, chr(1), coalesce(value, ''))`)}
         FROM found ORDER BY _line
         RETURNING file)
       SELECT file, count(*)::int AS n FROM kept GROUP BY file`,
      [...params, severity, def.id, template, step],
    );
    let total = 0;
    for (const r of rows) {
      this.count(severity, r.file, def.id, r.n);
      total += r.n;
    }
    return total;
  }

  /** How many issues of a rule a file had (parse-time or set-based). */
  countOf(file: string, ruleId: string): number {
    return this.byFileAndRule.get(`${file}\u0000${ruleId}`) ?? 0;
  }

  /**
   * The table the issues gather in before import_issue: the set-based rules write theirs as they
   * run, the parser's come from the spill file at the end. Made once per import in its schema,
   * outside the transaction (other connections must see it), before any rule. `step` orders the
   * set-based rules' issues as the rules are listed, whichever connection ran one and when.
   */
  static async prepare(client: ClientBase, schema: string): Promise<void> {
    await client.query(
      `CREATE UNLOGGED TABLE ${schema}.${ISSUE_STAGING} (seq bigserial, set_based boolean NOT NULL DEFAULT false, step integer NOT NULL DEFAULT 0, severity text, file text, line integer, rule text, value text, message text)`,
    );
  }

  /** Writes every issue to import_issue: the parser's first (from the spill files), then the set-based ones. */
  async writeTo(client: PoolClient, importId: string, municipality: number | null): Promise<void> {
    this.flush();
    if (this.spillFd !== null) closeSync(this.spillFd);
    this.spillFd = null;
    for (const spill of this.spills()) {
      await pipeline(
        createReadStream(spill),
        client.query(copyFrom(`COPY ${ISSUE_STAGING} (step, severity, file, line, rule, value, message) FROM STDIN`)),
      );
    }
    // The parser found its issues before any set-based rule ran.
    await client.query(
      `INSERT INTO import_issue (import_id, municipality_code, severity, file, line, rule, value, message)
       SELECT $1, $2, severity, file, line, rule, value, message FROM ${ISSUE_STAGING} ORDER BY set_based, step, seq`,
      [importId, municipality],
    );
  }

  /** Removes the spill files (after the import, whatever its outcome). */
  dispose(): void {
    if (this.spillFd !== null) closeSync(this.spillFd);
    this.spillFd = null;
    for (const spill of this.spills()) {
      try {
        unlinkSync(spill);
      } catch {
        // already gone
      }
    }
    this.adopted.length = 0;
    this.spillPath = null;
    this.pending = '';
  }

  /** This log's spill file and the adopted ones. */
  private spills(): string[] {
    return [...(this.spillPath ? [this.spillPath] : []), ...this.adopted];
  }

  private count(severity: 'error' | 'warning', file: string, ruleId: string, n: number): void {
    if (severity === 'error') this.rejectedCount += n;
    else this.warningCount += n;
    const key = `${file}\u0000${ruleId}`;
    this.byFileAndRule.set(key, (this.byFileAndRule.get(key) ?? 0) + n);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.spillFd === null) {
      this.spillPath = join(tmpdir(), `${SPILL_PREFIX}${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.copy`);
      // 'wx': never through a file or link someone put at that name in the shared temporary folder.
      this.spillFd = openSync(this.spillPath, 'wx', 0o600);
      this.onSpill?.(this.spillPath);
    }
    // A write may take only part of what it is given (a disk filling up); the next one then fails
    // aloud instead of the tail being lost without a word.
    const bytes = Buffer.from(this.pending, 'utf8');
    for (let at = 0; at < bytes.length;) at += writeSync(this.spillFd, bytes, at, bytes.length - at);
    this.pending = '';
  }
}

/**
 * Removes the spill files of processes that no longer run (a worker killed mid-import cannot remove
 * its own; they hold rejected rows, masked, yet about children). A process that still runs keeps
 * its files, whichever process sweeps. Returns the names removed.
 */
export function sweepOrphanSpills(dir = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = new RegExp(`^${SPILL_PREFIX}(\\d+)-(\\d+)-.*\\.copy$`).exec(name);
    if (!match || processRuns(Number(match[1]), Number(match[2]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // removed meanwhile, or not ours to remove
    }
  }
  return removed;
}

/** Whether the process that made a spill file at `madeAt` (ms) still runs. */
function processRuns(pid: number, madeAt: number): boolean {
  // A restarted container's process has the pid its killed one had (1, say): a file made before
  // this process started is an orphan of that one.
  if (pid === process.pid) return madeAt >= performance.timeOrigin;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQL for maskCprInText: anything that may be a CPR number in a value is shown as ******-****. */
export function maskCprSql(expr: string): string {
  return `regexp_replace(${expr}, '${CPR_LIKE_SOURCE}', '${CPR_MASK}', 'g')`;
}

/** The import fails as a whole (not the declared format, no municipality ...): nothing is written. */
export class ImportFailure extends Error {
  constructor(
    readonly rule: RuleKey,
    readonly file: string | null,
    message: string,
    /** False when the message holds only the product's own values (key ids, counts): then it is not masked for CPR numbers. */
    readonly quotesData = true,
  ) {
    super(message);
  }
}
