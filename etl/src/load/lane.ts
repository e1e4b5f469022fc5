/**
 * Work on one connection, one piece after another (a connection runs one statement at a time),
 * while the caller goes on: a builder's index builds, the checker's checks, the analyser's ANALYZE.
 * A failure is reported to `onFailure` at once (so the import can stop the others), and again to
 * whoever awaits the piece; it is never an unhandled rejection in the meantime.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly onFailure: (error: unknown) => void) {}

  /** Runs `work` after the work added before it; once a piece has failed, the later ones fail with it without running. */
  add<T>(work: () => Promise<T>): Promise<T> {
    const done = this.tail.then(work);
    this.tail = done;
    done.catch(this.onFailure);
    return done;
  }

  /** Settles when the work added so far has (rejects with its last piece's failure). */
  drained(): Promise<unknown> {
    return this.tail;
  }
}
