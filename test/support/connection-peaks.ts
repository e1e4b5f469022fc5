import { Client } from 'pg';
import { TEST_APPLICATION_NAME } from './database';

/** The most connections seen at once, in all and by application_name (the test's own left out). */
export interface ConnectionPeaks {
  total: number;
  byName: Map<string, number>;
  /** How many times pg_stat_activity was read. */
  samples: number;
}

/**
 * Reads pg_stat_activity of the database at `url` every `everyMs` until stopped: the product's
 * connections to it, at their most (ADR 0097). Short-lived connections between two readings are
 * missed, so a peak is a lower bound of the true one; the test makes the load last. A connection
 * still starting (no state yet) has no application_name yet either: counted once it has started.
 */
export async function watchConnections(url: string, everyMs = 20): Promise<{ stop(): Promise<ConnectionPeaks> }> {
  const client = new Client({ connectionString: url, application_name: TEST_APPLICATION_NAME });
  await client.connect();
  const peaks: ConnectionPeaks = { total: 0, byName: new Map(), samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ name: string; n: number }>(
        `SELECT coalesce(application_name, '') AS name, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend' AND state IS NOT NULL
           AND application_name IS DISTINCT FROM $1
         GROUP BY 1`,
        [TEST_APPLICATION_NAME],
      );
      peaks.samples++;
      peaks.total = Math.max(
        peaks.total,
        rows.reduce((sum, r) => sum + r.n, 0),
      );
      for (const r of rows) peaks.byName.set(r.name, Math.max(peaks.byName.get(r.name) ?? 0, r.n));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      return peaks;
    },
  };
}
