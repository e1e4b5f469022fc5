// `npm run serve` with API_PROCESSES or WORKER_PROCESSES above 1 (ADR 0072): this process starts
// the others and does nothing else. The API processes are node:cluster workers sharing PORT (the
// kernel's connections handed round by this process), the worker processes cluster workers that
// listen on nothing. Every one of them is an ordinary entry point: `serve api` for the API, the
// worker's main for the worker, so each stops as it does alone.
import cluster, { type Worker } from 'cluster';
import { join } from 'path';
import { logger, STOP_MESSAGE } from '@bu/logger';
import { METRICS_SHARED_ENV } from '@bu/config';
import { sumMetricsForChildren } from '@bu/metrics';

export type ProcessKind = 'api' | 'worker';

/** How a child is started: a script and its arguments (node runs the script). */
export interface ChildEntry {
  exec: string;
  args: string[];
}

/**
 * The two entry points beside `serve` (given as its __filename): under tools/run.js from the
 * TypeScript sources, or compiled (dist/server keeps the sources' layout).
 */
export function childEntries(serveFile: string): Record<ProcessKind, ChildEntry> {
  const scripts = join(serveFile, '..');
  const root = join(scripts, '..');
  if (serveFile.endsWith('.ts')) {
    const run = join(root, 'tools', 'run.js');
    return {
      api: { exec: run, args: [serveFile, 'api'] },
      worker: { exec: run, args: [join(root, 'apps', 'worker', 'src', 'main.ts')] },
    };
  }
  return {
    api: { exec: serveFile, args: ['api'] },
    worker: { exec: join(root, 'apps', 'worker', 'src', 'main.js'), args: [] },
  };
}

/**
 * The secrets a kind of child does not need, taken out of what it inherits: each process holds only
 * the keys it uses (compose.scale.yml separates them the same way).
 * - An API process reads pseudonymised data and never makes it, and sends no e-mail: no
 *   PSEUDONYM_SECRET, no SMTP_PASSWORD.
 * - A worker process (imports and reports) signs no token and takes no login: no JWT keys, no
 *   OIDC or SAML secret.
 * - Neither logs in as bu_api by password; only `npm run db:migrate` uses API_DB_PASSWORD.
 */
export const WITHHELD_SECRETS: Record<ProcessKind, readonly string[]> = {
  api: ['PSEUDONYM_SECRET', 'SMTP_PASSWORD', 'API_DB_PASSWORD'],
  worker: ['JWT_SECRET', 'JWT_SECRET_PREVIOUS', 'OIDC_CLIENT_SECRET', 'SAML_SP_PRIVATE_KEY', 'API_DB_PASSWORD', 'METRICS_TOKEN'],
};

/**
 * What cluster.fork adds to the inherited environment for a child of this kind: the secrets it
 * does not need set to undefined, which node leaves out of the child's environment; and, when the
 * supervisor sums the children's metrics, the mark that tells each child to share its own.
 */
export function childEnv(kind: ProcessKind, metrics = false): Record<string, string | undefined> {
  return {
    ...Object.fromEntries(WITHHELD_SECRETS[kind].map((name) => [name, undefined])),
    [METRICS_SHARED_ENV]: metrics ? '1' : undefined,
  };
}

export interface SupervisorOptions {
  api: number;
  workers: number;
  entries: Record<ProcessKind, ChildEntry>;
  /** What each child gets to finish its requests and its job when stopped (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /**
   * A child of the first start that ends sooner than this did not start: the configuration is wrong
   * and everything stops (ms). A replacement that does so is tried again, later each time.
   */
  startupMs?: number;
  /** The wait before a replacement is started; doubled after each replacement that ends at its start, up to a minute (ms). */
  restartDelayMs?: number;
  /** The API serves metrics (METRICS_TOKEN): a scrape of any API process sums every child's (ADR 0095). */
  metrics?: boolean;
}

export interface Supervisor {
  /** The port the API processes share. */
  port: number;
  /** Every child's process id, by kind (for the log and the tests). */
  pids(): Record<ProcessKind, number[]>;
  /** Stops every child as SIGTERM stops it alone; resolves once all have exited. */
  close(): Promise<void>;
  /** Rejects if a child could not start (the supervisor has stopped the others by then). */
  failed: Promise<never>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** The longest wait before a replacement is started again. */
const MAX_RESTART_DELAY_MS = 60_000;

/**
 * Starts the children and resolves once every API process listens. A child that dies later is
 * started again (a second later). One of the first start that dies within `startupMs` means the
 * configuration or the code is wrong, so the supervisor stops the rest and `failed` rejects. A
 * replacement that dies at its start (the database still down after the child it replaces died)
 * is started again, after twice the wait each time, up to a minute: the same configuration did
 * start, so the service comes back when what it needs does.
 */
export async function supervise(options: SupervisorOptions): Promise<Supervisor> {
  if (!cluster.isPrimary) throw new Error('supervise() runs in the primary process only.');
  // A scrape of any API process shows every child's metrics, summed (ADR 0095).
  if (options.metrics) sumMetricsForChildren();
  const startupMs = options.startupMs ?? 10_000;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  /** `tries`: replacements in a row that ended at their start (0 for the first start, and after one that ran). */
  const children = new Map<Worker, { kind: ProcessKind; started: number; replacement: boolean; tries: number }>();
  let stopping = false;
  let fail!: (error: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // a caller that never looks is told by the log

  let port = 0;
  let listening!: () => void;
  const allListening = new Promise<void>((r) => (listening = r));
  let waitingFor = options.api;
  if (waitingFor === 0) listening();

  const start = (kind: ProcessKind, replacement = false, tries = 0): Worker => {
    cluster.setupPrimary({ exec: options.entries[kind].exec, args: options.entries[kind].args });
    const child = cluster.fork(childEnv(kind, options.metrics));
    children.set(child, { kind, started: Date.now(), replacement, tries });
    if (kind === 'api') {
      let first = true;
      child.on('listening', (address) => {
        if (!first) return;
        first = false;
        port ||= address.port;
        if (--waitingFor === 0) listening();
      });
    }
    return child;
  };

  const close = async (): Promise<void> => {
    stopping = true;
    const live = [...children.keys()].filter((c) => !c.isDead());
    const exited = Promise.all(live.map((c) => new Promise<void>((r) => (c.isDead() ? r() : c.once('exit', () => r())))));
    for (const child of live) {
      try {
        child.send(STOP_MESSAGE);
      } catch (error) {
        // Its channel is gone: it is on its way out already.
        logger().debug({ err: error }, `Process ${child.process.pid} could not be told to stop.`);
      }
    }
    // Each child ends its own requests and job within the grace; one that hangs past it is killed.
    const done = await Promise.race([exited.then(() => true), sleep(options.shutdownGraceMs + 15_000).then(() => false)]);
    if (!done) {
      for (const child of live) if (!child.isDead()) child.process.kill('SIGKILL');
      await exited;
    }
  };

  cluster.on('exit', (child, code, signal) => {
    const known = children.get(child);
    if (!known || stopping) return;
    children.delete(child);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const atStart = Date.now() - known.started < startupMs;
    if (atStart && !known.replacement) {
      logger().fatal(`The ${known.kind} process ${child.process.pid} ended at its start (${how}): stopping every process.`);
      void close().then(() => fail(new Error(`A ${known.kind} process could not start (${how}).`)));
      return;
    }
    const tries = atStart ? known.tries + 1 : 0;
    const delay = Math.min(MAX_RESTART_DELAY_MS, restartDelayMs * 2 ** tries);
    logger().error(
      `The ${known.kind} process ${child.process.pid} ended${atStart ? ' at its start' : ''} (${how}): starting another in ${Math.round(delay / 1000)} s.`,
    );
    setTimeout(() => {
      if (!stopping) start(known.kind, true, tries);
    }, delay).unref();
  });

  for (let i = 0; i < options.api; i++) start('api');
  for (let i = 0; i < options.workers; i++) start('worker');
  await Promise.race([allListening, failed]);
  return {
    port,
    pids: () => {
      const out: Record<ProcessKind, number[]> = { api: [], worker: [] };
      for (const [child, { kind }] of children) if (!child.isDead() && child.process.pid) out[kind].push(child.process.pid);
      return out;
    },
    close,
    failed,
  };
}
