import { unlinkSync } from 'fs';
import { join } from 'path';
import { Worker } from 'worker_threads';
import { childEntry } from '../child-entry';
import type { ImportProgress } from '../import-run';
import { ImportFailure, LogHandOver } from '../issues';
import type { RuleKey } from '../rules';

// One DUBU file read and staged in a thread of its own (worker_threads), on a connection of its
// own, while the import's loader reads the others: parsing is most of the import's own CPU, and on
// one thread it left a core idle while the loader read and the server kept up. The thread runs
// staging-thread-entry (through tools/run.js, or compiled as it is: child-entry.ts) with the same
// stageFile as the loader; what it found comes back as plain data.

/** What the thread is given. */
export interface ThreadInput {
  file: string;
  path: string;
  importId: string;
  connection: Record<string, unknown>;
  schema: string;
  pseudonymSecret: string;
  /** Today in Danish time (EventDateRange). */
  today: string;
  /** The file's place among the files read (IssueLog.orderFiles). */
  files: string[];
  /** Where the process's log lines go (logDescriptor): the thread's go there too. */
  logTo: number;
}

/** What comes back when the file is staged. */
export interface ThreadResult {
  read: number;
  /** Rows written into the staging table. */
  staged: number;
  newest: string | null;
  latest: string | null;
  /** The earliest happened date after today (EventDateRange.after). */
  after: string | null;
  issues: LogHandOver;
  /** The file's size and SHA-256, taken from the bytes parsed (the import log's checksum). */
  digest: { bytes: number; sha256: string } | null;
}

export type ThreadMessage =
  | { type: 'connected'; pid: number }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'spill'; path: string }
  | { type: 'staged'; result: ThreadResult }
  | { type: 'failed'; failure: { rule: RuleKey; file: string | null; message: string } | null; message: string; code?: string };

const ENTRY = childEntry(join(__dirname, 'staging-thread-entry'));

export class StagingThread {
  private readonly worker: Worker;
  /** The thread's backend, to cancel its statement when the import fails elsewhere. */
  pid: number | null = null;
  readonly staged: Promise<ThreadResult>;
  private municipalitySent = false;
  /** The thread's spill file (rejected rows, masked) until the thread hands it over with its result. */
  private spill: string | null = null;

  constructor(input: ThreadInput, onProgress: (progress: ImportProgress) => void) {
    // Its own heap, as small as the CLI's (the rows stream through it).
    this.worker = new Worker(ENTRY.file, { argv: ENTRY.argv, workerData: input, resourceLimits: { maxOldGenerationSizeMb: 96 } });
    this.staged = new Promise<ThreadResult>((resolve, reject) => {
      this.worker.on('message', (message: ThreadMessage) => {
        if (message.type === 'connected') this.pid = message.pid;
        else if (message.type === 'progress') onProgress(message.progress);
        else if (message.type === 'spill') this.spill = message.path;
        else if (message.type === 'staged') {
          // Handed over: the parent's log writes and removes it.
          this.spill = null;
          resolve(message.result);
        } else {
          const error = message.failure
            ? new ImportFailure(message.failure.rule, message.failure.file, message.failure.message)
            : Object.assign(new Error(message.message), { code: message.code });
          reject(error);
        }
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`the staging thread for ${input.file} stopped (exit code ${code})`)));
    });
    // Seen when awaited; not an unhandled rejection in the meantime.
    this.staged.catch(() => undefined);
  }

  /** The municipality of the export (the defaults and the scope check of the file's table wait for it). */
  municipality(code: number): void {
    if (this.municipalitySent) return;
    this.municipalitySent = true;
    this.worker.postMessage({ municipality: code });
  }

  /**
   * Ends the thread (its connection goes with it; its statement is cancelled by the caller through
   * `pid`), and removes its spill file if it never handed it over.
   */
  async stop(): Promise<void> {
    await this.worker.terminate();
    if (this.spill) {
      try {
        unlinkSync(this.spill);
      } catch {
        // removed by the thread itself (it failed on its own)
      }
      this.spill = null;
    }
  }
}
