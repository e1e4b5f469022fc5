import { Client } from 'pg';

// Every connection the service opens to PostgreSQL, declared once (ADR 0097): the pools are sized
// from here, each connection says what opened it (application_name, seen in pg_stat_activity), and
// a process refuses to start when the server cannot take what it and its siblings may open.

/** What each kind of connection calls itself (pg_stat_activity.application_name). */
export const APPLICATION_NAME = {
  api: 'boerneblik-api',
  apiListener: 'boerneblik-kpi-cache',
  apiReplica: 'boerneblik-api-replica',
  etl: 'boerneblik-etl',
  import: 'boerneblik-import',
  reports: 'boerneblik-reports',
  queue: 'boerneblik-queue',
  /** A start's own short connections (this check, removing demo users), closed before the processes open their pools. */
  start: 'boerneblik-start',
} as const;

/** The most connections of each kind one process opens. */
export const CONNECTIONS = {
  /** The API's pool, as bu_api (its KPI computations keep below it). */
  api: 10,
  /** The KPI cache's LISTEN for data changes. */
  apiListener: 1,
  /** The API's pool on the standby (DATABASE_REPLICA_URL), not on the primary. */
  apiReplica: 10,
  /** The ETL worker's pool: an import's transaction, the read models, drop folders, retention. */
  etl: 4,
  /**
   * One import's connections beside its transaction (a worker runs one at a time): the staging
   * session's six (load/staging-session.ts), the staging thread's one, the municipality's lock.
   */
  import: 8,
  /** The reports worker's pool. */
  reports: 2,
  /** On BullMQ's PostgreSQL backend (no REDIS_URL): each queue's or consumer's pool. */
  queuePool: 2,
  /** On that backend: a consumer's LISTEN for new jobs. */
  queueListen: 1,
} as const;

/** BullMQ queues (producers) and consumers a process of each kind holds at once. */
const QUEUES = {
  // The ETL queue (uploads, imports asked for) and the reports queue (schedules changed).
  api: { queues: 2, consumers: 0 },
  // The ETL and reports consumers; the ETL queue twice (drop folders found, the daily purge) and
  // the reports queue at start (schedules registered).
  worker: { queues: 3, consumers: 2 },
} as const;

export interface ConnectionNeeds {
  /** API processes (one with the worker inside it counts as one of each). */
  api: number;
  workers: number;
  /** No REDIS_URL: the job queues live in PostgreSQL and take connections of their own. */
  queueOnPostgres: boolean;
}

/** The most connections the processes open to the primary, and to the standby. */
export function connectionBudget(needs: ConnectionNeeds): { primary: number; replica: number } {
  const queues = (kind: keyof typeof QUEUES) =>
    needs.queueOnPostgres
      ? QUEUES[kind].queues * CONNECTIONS.queuePool + QUEUES[kind].consumers * (CONNECTIONS.queuePool + CONNECTIONS.queueListen)
      : 0;
  const api = CONNECTIONS.api + CONNECTIONS.apiListener + queues('api');
  const worker = CONNECTIONS.etl + CONNECTIONS.import + CONNECTIONS.reports + queues('worker');
  return { primary: needs.api * api + needs.workers * worker, replica: needs.api * CONNECTIONS.apiReplica };
}

/** What a server takes: max_connections, the slots only superusers (or pg_use_reserved_connections) get, and how many are open now. */
export interface ServerRoom {
  max: number;
  reserved: number;
  open: number;
}

/** The room on the server at `url` (one short connection). */
export async function serverRoom(url: string, connectTimeoutMs = 10_000): Promise<ServerRoom> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, application_name: APPLICATION_NAME.start });
  await client.connect();
  try {
    // reserved_connections exists from PostgreSQL 16 on; missing_ok before.
    const { rows } = await client.query(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
              (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int - 1 AS open`,
    );
    return rows[0] as ServerRoom;
  } finally {
    await client.end();
  }
}

/** "host:port/database" of a URL, without its user or password (for messages). */
export function serverLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'databasen';
  }
}

/** "2 API-processer og 2 worker-processer", as the start-up messages name them. */
export function processesInDanish(api: number, workers: number): string {
  const part = (n: number, what: string) => `${n} ${what}-${n === 1 ? 'proces' : 'processer'}`;
  return [api > 0 ? part(api, 'API') : null, workers > 0 ? part(workers, 'worker') : null].filter(Boolean).join(' og ');
}

/**
 * Whether the server can take `budget` connections: a refusal (the processes could not all work at
 * once, however quiet the server) or a warning (they fit, but not beside what is open now), in
 * Danish; null when they fit.
 */
export function connectionBudgetProblem(
  server: string,
  budget: number,
  room: ServerRoom,
  who: string,
): { refuse: boolean; message: string } | null {
  const available = room.max - room.reserved;
  if (budget > available) {
    return {
      refuse: true,
      message:
        `PostgreSQL (${server}) tager højst ${available} forbindelser (max_connections ${room.max}, heraf ${room.reserved} forbeholdt), ` +
        `men ${who} kan åbne op til ${budget}. Sæt max_connections til mindst ${budget + room.reserved}, ` +
        `eller start færre processer (API_PROCESSES, WORKER_PROCESSES). Se docs/OPERATIONS.md.`,
    };
  }
  if (budget + room.open > available) {
    return {
      refuse: false,
      message:
        `PostgreSQL (${server}) har ${room.open} forbindelser åbne i forvejen og tager højst ${available}; ` +
        `${who} kan åbne op til ${budget} mere. Under travlhed kan der mangle forbindelser (fejl 53300).`,
    };
  }
  return null;
}

/**
 * The start-up check of a process (or a supervisor for all its processes): refusals and warnings
 * for the primary and, with a standby, for it (its max_connections must be at least the primary's
 * anyway). Nothing when the server cannot be asked: the process's own start reports that.
 */
export async function checkConnectionBudget(
  needs: ConnectionNeeds,
  urls: { primary: string; replica?: string },
  connectTimeoutMs?: number,
): Promise<{ refusals: string[]; warnings: string[] }> {
  const budget = connectionBudget(needs);
  const who = processesInDanish(needs.api, needs.workers);
  const problems: { refuse: boolean; message: string }[] = [];
  const targets: [string, number][] = [[urls.primary, budget.primary]];
  if (urls.replica && budget.replica > 0) targets.push([urls.replica, budget.replica]);
  for (const [url, need] of targets) {
    let room: ServerRoom;
    try {
      room = await serverRoom(url, connectTimeoutMs);
    } catch {
      continue;
    }
    const problem = connectionBudgetProblem(serverLabel(url), need, room, who);
    if (problem) problems.push(problem);
  }
  return {
    refusals: problems.filter((p) => p.refuse).map((p) => p.message),
    warnings: problems.filter((p) => !p.refuse).map((p) => p.message),
  };
}

/**
 * The start-up check of `npm start`, `npm run serve` (for all its processes) and a worker or API
 * alone: a refusal ends the process (exit 1) with its message, as a setting that cannot work does;
 * a warning is handed to `warn` and the start goes on.
 */
export async function exitWithoutConnectionRoom(
  needs: ConnectionNeeds,
  urls: { primary: string; replica?: string },
  connectTimeoutMs: number | undefined,
  warn: (message: string) => void,
): Promise<void> {
  const { refusals, warnings } = await checkConnectionBudget(needs, urls, connectTimeoutMs);
  for (const warning of warnings) warn(warning);
  if (refusals.length > 0) {
    process.stderr.write(`${refusals.join('\n')}\n`);
    process.exit(1);
  }
}
