import { Client } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

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
  // The tools, outside the service's budget: run by an operator, one at a time.
  migrate: 'boerneblik-migrate',
  admin: 'boerneblik-admin',
  /** `npm run etl -- import` (its import's own connections are `import`, as the worker's). */
  cli: 'boerneblik-cli',
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

/** KPI computations one API process runs at once at most: its pool less two for the requests' other statements. */
export const MAX_KPI_SLOTS = CONNECTIONS.api - 2;

/**
 * KPI computations at once in one API process (ADR 0099): KPI_SLOTS when set, else the machine's
 * cores plus one, shared by the API processes of `npm run serve`. More at once on the same cores
 * ends no answer sooner: the statements only crowd each other out of the CPU and the shared buffers.
 */
export function kpiSlots(setting: number | undefined, cores: number, apiProcesses: number): number {
  if (setting !== undefined) return Math.min(setting, MAX_KPI_SLOTS);
  return Math.max(1, Math.min(MAX_KPI_SLOTS, Math.ceil((Math.max(1, cores) + 1) / Math.max(1, apiProcesses))));
}

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

/**
 * The room on the server at `url` (one short connection, as the product's own: the same URL, TLS
 * and certificates). Neither the connection nor the query waits longer than `timeoutMs`, and a
 * socket that breaks only rejects: the check must not hang the start, nor end it.
 */
export async function serverRoom(url: string, timeoutMs = 10_000): Promise<ServerRoom> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    keepAlive: true,
    application_name: APPLICATION_NAME.start,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // reserved_connections exists from PostgreSQL 16 on (missing_ok before). A role without
    // pg_read_all_stats sees other roles' sessions with no backend_type: counted by their user.
    const { rows } = await client.query(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
              (SELECT count(*) FROM pg_stat_activity
               WHERE backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL))::int - 1 AS open`,
    );
    return rows[0] as ServerRoom;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * "host:port/database" of a URL, as pg reads it (a socket folder, or PGHOST when the URL names no
 * host), without its user or password (for messages). A URL whose password holds an unencoded "@"
 * or "/" would put part of it in the host or the database: then only "databasen".
 */
export function serverLabel(url: string, pgHost?: string): string {
  if (url.split('@').length > 2) return 'databasen';
  try {
    const c = parseConnectionString(url);
    if (c.database?.includes('@')) return 'databasen';
    return `${c.host || pgHost || 'localhost'}${c.port ? `:${c.port}` : ''}/${c.database ?? ''}`;
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
  urls: { primary: string; replica?: string; pgHost?: string },
  connectTimeoutMs?: number,
): Promise<{ refusals: string[]; warnings: string[] }> {
  const budget = connectionBudget(needs);
  const who = processesInDanish(needs.api, needs.workers);
  const problems: { refuse: boolean; message: string }[] = [];
  const targets: [string, number][] = [[urls.primary, budget.primary]];
  if (urls.replica && budget.replica > 0) targets.push([urls.replica, budget.replica]);
  for (const [url, need] of targets) {
    const label = serverLabel(url, urls.pgHost);
    let room: ServerRoom;
    try {
      room = await serverRoom(url, connectTimeoutMs);
    } catch (error) {
      // Full already (53300): the very case this check is for, though the budget may fit later.
      if ((error as { code?: string }).code === '53300') {
        problems.push({
          refuse: false,
          message:
            `PostgreSQL (${label}) tager ikke imod flere forbindelser lige nu (max_connections er nået); ` +
            `${who} kan åbne op til ${need}. Se docs/OPERATIONS.md.`,
        });
      }
      continue;
    }
    const problem = connectionBudgetProblem(label, need, room, who);
    if (problem) problems.push(problem);
  }
  return {
    refusals: problems.filter((p) => p.refuse).map((p) => p.message),
    warnings: problems.filter((p) => !p.refuse).map((p) => p.message),
  };
}
