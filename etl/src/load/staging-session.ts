import type { Client } from 'pg';
import type { ImportConnection, StageContext } from '../import-run';
import { Lane } from './lane';

/** The connections of a staging session, by the part each plays (see stageDubu). */
export const STAGING_ROLES = ['loader', 'builder1', 'builder2', 'outside', 'checker', 'analyser'] as const;
export type StagingRole = (typeof STAGING_ROLES)[number];

/** Something else working for the session on a connection of its own (the staging thread). */
export interface SessionWorker {
  /** Its server process, once connected. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/**
 * The connections an import stages on besides its transaction, and what happens when staging
 * fails. The loader reads the files; the work beside it (builders, checker, analyser, a staging
 * thread) runs on lanes. The first failure beside the loader cancels the loader's statement, so it
 * stops reading at once, and the import fails with that failure (not with the cancellation). When
 * staging fails (`abort`), every statement still running is cancelled and every lane drained
 * before the failure goes on: nothing may run on the import's connections once it has given them
 * back. Statements are cancelled with pg_cancel_backend from the `outside` connection.
 */
export class StagingSession {
  /** Set once staging has failed: work still queued on a lane should do nothing (checked by the work). */
  failed = false;
  private besideFailure: { error: unknown } | null = null;
  private readonly lanes: Lane[] = [];
  private readonly workers: SessionWorker[] = [];

  private constructor(private readonly connections: Record<StagingRole, ImportConnection>) {}

  /** Opens the session's connections at once. */
  static async open(context: StageContext): Promise<StagingSession> {
    const opened = await Promise.all(STAGING_ROLES.map(() => context.connect()));
    return new StagingSession(
      Object.fromEntries(STAGING_ROLES.map((role, i) => [role, opened[i]])) as Record<StagingRole, ImportConnection>,
    );
  }

  client(role: StagingRole): Client {
    return this.connections[role].client;
  }

  /** Every connection, in STAGING_ROLES order (to spread work such as making the staging tables). */
  get clients(): Client[] {
    return STAGING_ROLES.map((role) => this.connections[role].client);
  }

  /** A lane for work beside the loader: its failure fails the session (`failBeside`). */
  lane(): Lane {
    const lane = new Lane((error) => this.failBeside(error));
    this.lanes.push(lane);
    return lane;
  }

  /** A worker whose statement is cancelled and which is stopped when staging fails. */
  adopt(worker: SessionWorker): void {
    this.workers.push(worker);
  }

  /** The first failure beside the loader: the loader's statement is cancelled so that it stops reading. */
  failBeside = (error: unknown): void => {
    if (this.failed || this.besideFailure) return;
    this.besideFailure = { error };
    this.cancel(this.connections.loader.pid).catch(() => undefined);
  };

  /** Throws the failure beside the loader, if there was one (the loader checks between files). */
  throwIfFailedBeside(): void {
    if (this.besideFailure) throw this.besideFailure.error;
  }

  /** Waits for the work on every lane, in the order the lanes were made. */
  async drained(): Promise<void> {
    for (const lane of this.lanes) await lane.drained();
  }

  /**
   * Staging failed with `error`: cancels every statement beside the loader, stops the workers,
   * waits for every lane, and returns the failure to throw (the first one beside the loader, if any).
   */
  async abort(error: unknown): Promise<unknown> {
    this.failed = true;
    const roles = STAGING_ROLES.filter((role) => role !== 'loader' && role !== 'outside');
    for (const pid of [...roles.map((role) => this.connections[role].pid), ...this.workers.map((w) => w.pid)]) {
      if (pid) await this.cancel(pid).catch(() => undefined);
    }
    for (const worker of this.workers) await worker.stop();
    await Promise.allSettled(this.lanes.map((lane) => lane.drained()));
    return this.besideFailure ? this.besideFailure.error : error;
  }

  private cancel(pid: number): Promise<unknown> {
    return this.connections.outside.client.query('SELECT pg_cancel_backend($1)', [pid]);
  }
}
