import cluster from 'cluster';
import { randomUUID } from 'crypto';
import { AggregatorRegistry } from 'prom-client';
import { processMetrics } from './registry';

// `npm run serve` with several processes (ADR 0072) shares one port among its API processes, so a
// scrape reaches one of them. That one asks the supervisor, which gathers every child's registry
// (API and worker processes) with prom-client's cluster protocol and sums them (ADR 0095).

const ASK = 'bu:metrics-ask';
const ANSWER = 'bu:metrics-answer';

interface Ask {
  type: typeof ASK;
  id: string;
}
interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
  error?: string;
}

/**
 * In a supervised child (API or worker process) when the supervisor sums metrics (`shared`: its
 * mark in the environment, @bu/config's metricsSharedFromEnv): answers its requests for this
 * process's registry. Every child must, or the supervisor's gathering waits for it in vain.
 * Elsewhere nothing: without METRICS_TOKEN no process metrics are collected (ADR 0094).
 */
export function shareMetricsWithSupervisor(shared: boolean): void {
  if (!cluster.isWorker || !shared) return;
  AggregatorRegistry.setRegistries([processMetrics()]);
  // prom-client's child side listens from the first AggregatorRegistry made in the process on.
  new AggregatorRegistry();
}

let summing = false;

/** In the supervisor: answers a child's ASK with every child's registry, summed (prom-client's aggregators). Once per process. */
export function sumMetricsForChildren(): void {
  if (!cluster.isPrimary) throw new Error('sumMetricsForChildren() runs in the primary process only.');
  if (summing) return;
  summing = true;
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (child, message: Ask) => {
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (child.isConnected()) child.send({ type: ANSWER, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

/**
 * The process metrics in Prometheus's text format: summed over every process of the supervisor
 * when this is one of its children, else this process's own. Rejects when the supervisor has
 * not answered within `ms`.
 */
export async function summedProcessMetrics(ms: number): Promise<string> {
  if (!cluster.isWorker || !process.send) return processMetrics().metrics();
  const id = randomUUID();
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the supervisor did not answer within ${ms} ms`)), ms);
    const onMessage = (message: Answer) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      finish(message.error !== undefined ? new Error(message.error) : null, message.text ?? '');
    };
    const finish = (error: Error | null, text = '') => {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error) reject(error);
      else resolve(text);
    };
    process.on('message', onMessage);
    process.send!({ type: ASK, id } satisfies Ask);
  });
}
