import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import type { JobQueue } from '@bu/jobs';
import { METRICS, summedProcessMetrics } from '@bu/metrics';
import { KPI_SLOTS } from '../kpi/kpi.service';
import { ETL_QUEUE_TOKEN } from '../queue/queue.module';
import { MetricsRepository } from './metrics.repository';
import { withTimeout } from '../health/with-timeout';

// The KPI slots, read when the process registry is (in every API process of `npm run serve`: summed).
new Gauge({
  name: 'boerneblik_kpi_slots',
  help: 'KPI computations the API processes run at once at most (KPI_SLOTS, ADR 0099; summed over the API processes).',
  registers: [METRICS],
  collect() {
    this.set(KPI_SLOTS.size);
  },
});
new Gauge({
  name: 'boerneblik_kpi_slots_busy',
  help: 'KPI computations running (summed over the API processes).',
  registers: [METRICS],
  collect() {
    this.set(KPI_SLOTS.size - KPI_SLOTS.available);
  },
});
new Gauge({
  name: 'boerneblik_kpi_slots_waiting',
  help: 'KPI computations waiting for one of the process slots (served in request order, ADR 0091).',
  registers: [METRICS],
  collect() {
    this.set(KPI_SLOTS.queued);
  },
});

/**
 * The metrics in Prometheus's text format: the process's own (KPI answers, the KPI slots, Node's
 * CPU, memory and event loop) and, read at each scrape, what the database and the queue know
 * (each municipality's data age, failed imports, the job queue, usernames locked out by wrong one-time codes). A part that does not answer
 * within 2 s is left out of that scrape and counted in boerneblik_metrics_errors.
 */
@Injectable()
export class MetricsService {
  /** The gauges read at each scrape, beside the process registry. */
  private readonly scrape = new Registry();
  private readonly errors = new Gauge({
    name: 'boerneblik_metrics_errors',
    help: 'Parts of this scrape left out: the database or the queue not answering within 2 s, or the processes of npm run serve not summed in time.',
    registers: [this.scrape],
  });
  private readonly gauges = {
    dataAge: new Gauge({
      name: 'boerneblik_data_age_seconds',
      help: "Seconds since the newest succeeded import of the municipality's source ended.",
      labelNames: ['municipality', 'source'] as const,
      registers: [this.scrape],
    }),
    failedImports: new Gauge({
      name: 'boerneblik_imports_failed_24h',
      help: 'Imports that failed in the last 24 hours, by source.',
      labelNames: ['source'] as const,
      registers: [this.scrape],
    }),
    codeLockouts: new Gauge({
      name: 'boerneblik_login_code_lockouts',
      help: 'Usernames whose wrong one-time codes reached the limit in the last day, with no right code or new password since: someone else holds their password (ADR 0116).',
      registers: [this.scrape],
    }),
    jobs: new Gauge({
      name: 'boerneblik_etl_jobs',
      help: 'Jobs of the ETL queue, by state.',
      labelNames: ['state'] as const,
      registers: [this.scrape],
    }),
  };

  constructor(
    @Inject(MetricsRepository) private readonly repository: MetricsRepository,
    @Inject(ETL_QUEUE_TOKEN) private readonly queue: JobQueue,
  ) {}

  /** The database's and the queue's part, one read shared by the scrapes that ask meanwhile. */
  private reading: ReturnType<MetricsService['readAll']> | undefined;
  /** The processes' part, likewise: one sum over npm run serve's processes for the scrapes that ask meanwhile. */
  private summing: Promise<string> | undefined;

  private readAll() {
    return Promise.allSettled([
      withTimeout(this.repository.dataAge(), 2000),
      withTimeout(this.repository.failedImports(), 2000),
      withTimeout(this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'), 2000),
      withTimeout(this.repository.codeLockouts(), 2000),
    ]);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    const g = this.gauges;
    let errors = 0;
    const [processes, [ages, failed, counts, lockouts]] = await Promise.all([
      // Every process's own, summed by npm run serve's supervisor when it runs several (ADR 0095), else
      // this one's. Without the sum, none: one process's counters under the same names would read as
      // counters reset.
      (this.summing ??= summedProcessMetrics(2000).finally(() => (this.summing = undefined))).then(
        (text) => text,
        () => {
          errors++;
          return '';
        },
      ),
      (this.reading ??= this.readAll().finally(() => (this.reading = undefined))),
    ]);
    g.dataAge.reset();
    g.failedImports.reset();
    g.jobs.reset();
    g.codeLockouts.reset();
    if (ages.status === 'fulfilled')
      for (const a of ages.value) g.dataAge.set({ municipality: String(a.municipality), source: a.source }, a.seconds);
    else errors++;
    if (failed.status === 'fulfilled') for (const f of failed.value) g.failedImports.set({ source: f.source }, f.count);
    else errors++;
    if (counts.status === 'fulfilled') for (const [state, n] of Object.entries(counts.value)) g.jobs.set({ state }, n);
    else errors++;
    if (lockouts.status === 'fulfilled') g.codeLockouts.set(lockouts.value);
    else errors++;
    this.errors.set(errors);
    const read = await this.scrape.metrics();
    return { contentType: this.scrape.contentType, body: processes ? `${processes.trimEnd()}\n${read}` : read };
  }
}
