import { Gauge } from 'prom-client';
import { METRICS } from './registry';

// The database pools' connections, read at each scrape (ADR 0097): a pool whose requests wait for a
// connection is the first sign that a process needs more of them, or the server more room.

/** What pg's Pool tells of itself. */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** The watched pools, by name (their application_name); a test may make several of one name. */
const POOLS = new Map<string, Set<PoolCounts>>();

new Gauge({
  name: 'boerneblik_db_pool_connections',
  help: 'Connections of the database pools by pool (its application_name) and state: busy, idle, or waiting (requests waiting for one).',
  labelNames: ['pool', 'state'] as const,
  registers: [METRICS],
  collect() {
    this.reset();
    for (const [pool, members] of POOLS) {
      let busy = 0;
      let idle = 0;
      let waiting = 0;
      for (const p of members) {
        busy += p.totalCount - p.idleCount;
        idle += p.idleCount;
        waiting += p.waitingCount;
      }
      this.set({ pool, state: 'busy' }, busy);
      this.set({ pool, state: 'idle' }, idle);
      this.set({ pool, state: 'waiting' }, waiting);
    }
  },
});

/** Shows `pool` in the metrics under `name` until the returned function is called (when it is closed). */
export function watchPool(name: string, pool: PoolCounts): () => void {
  let members = POOLS.get(name);
  if (!members) POOLS.set(name, (members = new Set()));
  members.add(pool);
  return () => {
    members.delete(pool);
    if (members.size === 0 && POOLS.get(name) === members) POOLS.delete(name);
  };
}
