import cluster, { type Worker } from 'cluster';
import { randomUUID } from 'crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { processMetrics } from './registry';

// `npm run serve` with several processes (ADR 0072) shares one port among its API processes, so a
// scrape reaches one of them. That one asks the supervisor, which asks every child (API and worker
// processes) for its registry and sums them with prom-client's aggregators (ADR 0095). Not
// prom-client's own cluster request: it waits 5 s for every child and keeps a failed request for
// good; here each gathering has its own time limit and leaves nothing behind.

/** API process → supervisor: the sum, please. */
const ASK = 'bu:metrics-ask';
/** Supervisor → API process: the sum, or why not. */
const ANSWER = 'bu:metrics-answer';
/** Supervisor → every child: your registry, please. */
const COLLECT = 'bu:metrics-collect';
/** Child → supervisor: its registry (getMetricsAsJSON). */
const COLLECTED = 'bu:metrics-collected';

/** A registry as getMetricsAsJSON gives it, as it crosses the IPC channel. */
type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

interface Message {
  type: string;
  id: string;
  text?: string;
  error?: string;
  metrics?: RegistryJson;
}

/** How long the supervisor waits for its children: below the API process's own limit. */
const COLLECT_MS = 1500;

/** In a child that shares: its questions to the supervisor waiting for their answer, by id (null: not sharing). */
let answers: Map<string, (message: Message) => void> | null = null;

/**
 * In a supervised child (API or worker process) when the supervisor sums metrics (`shared`: its
 * mark in the environment, @bu/config's metricsSharedFromEnv): answers its requests for this
 * process's registry. Every child must, or the supervisor's gathering fails for want of it.
 * Elsewhere nothing: without METRICS_TOKEN no process metrics are collected (ADR 0094).
 */
export function shareMetricsWithSupervisor(shared: boolean): void {
  if (!cluster.isWorker || !shared || answers || !process.send) return;
  const waiting = new Map<string, (message: Message) => void>();
  answers = waiting;
  const registry = processMetrics();
  process.on('message', (message: Message) => {
    if (message?.type === ANSWER) waiting.get(message.id)?.(message);
    else if (message?.type === COLLECT)
      registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: COLLECTED, id: message.id, metrics }),
        (error: Error) => process.send?.({ type: COLLECTED, id: message.id, error: error.message }),
      );
  });
}

let summing = false;

/**
 * In the supervisor: answers a child's ASK with every child's registry summed, or an error when a
 * child did not answer within COLLECT_MS (a child just started, or one busy past it): then the
 * scrape leaves the processes' part out rather than show a part of the sum, which Prometheus would
 * read as counters reset. Once per process.
 */
export function sumMetricsForChildren(): void {
  if (!cluster.isPrimary) throw new Error('sumMetricsForChildren() runs in the primary process only.');
  if (summing) return;
  summing = true;
  const gathering = new Map<string, { waiting: Set<Worker>; metrics: RegistryJson[]; done: (error: string | null) => void }>();
  cluster.on('message', (child, message: Message) => {
    if (message?.type === COLLECTED) {
      const g = gathering.get(message.id);
      if (!g || !g.waiting.delete(child)) return;
      if (message.error !== undefined) return g.done(message.error);
      g.metrics.push(message.metrics ?? []);
      if (g.waiting.size === 0) g.done(null);
      return;
    }
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Message, 'type' | 'id'>) => {
      if (child.isConnected()) child.send({ type: ANSWER, id: message.id, ...answer });
    };
    const children = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
    const id = randomUUID();
    const timer = setTimeout(
      () => done(`${gathering.get(id)?.waiting.size ?? 0} proces(ser) svarede ikke inden for ${COLLECT_MS} ms`),
      COLLECT_MS,
    );
    const done = (error: string | null) => {
      const g = gathering.get(id);
      if (!g) return;
      gathering.delete(id);
      clearTimeout(timer);
      if (error !== null) return reply({ error });
      AggregatorRegistry.aggregate(g.metrics)
        .metrics()
        .then(
          (text) => reply({ text }),
          (e: Error) => reply({ error: e.message }),
        );
    };
    gathering.set(id, { waiting: new Set(children), metrics: [], done });
    for (const c of children) c.send({ type: COLLECT, id });
  });
}

/**
 * The process metrics in Prometheus's text format: summed over every process of the supervisor
 * when this is one of its children sharing them, else this process's own. Rejects when the
 * supervisor has not answered within `ms`, or could not sum.
 */
export async function summedProcessMetrics(ms: number): Promise<string> {
  if (!answers) return processMetrics().metrics();
  const waiting = answers;
  const id = randomUUID();
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish({ type: ANSWER, id, error: `the supervisor did not answer within ${ms} ms` }), ms);
    const finish = (message: Message) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    waiting.set(id, finish);
    process.send!({ type: ASK, id });
  });
}
