import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@bu/contracts';
import type { JobQueue } from '@bu/jobs';
import { queueBackendKind } from '@bu/queue';
import { APP_CONFIG, AppConfig } from '../config';
import { ETL_QUEUE_TOKEN } from '../queue/queue.module';
import { HealthRepository } from './health.repository';
import { withTimeout } from './with-timeout';

/** Whether the database and the queue answer, each within 2 s. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(HealthRepository) private readonly repository: HealthRepository,
    @Inject(ETL_QUEUE_TOKEN) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async health(): Promise<HealthResponse> {
    const database = await withTimeout(this.repository.ping(), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const queue = await withTimeout(this.queue.getJobCounts('active', 'waiting', 'failed'), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const status = database === 'up' && queue === 'up' ? 'ok' : 'degraded';
    return { status, database, queue: { backend: queueBackendKind(this.config), status: queue } };
  }
}
