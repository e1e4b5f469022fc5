import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { jobQueue, JobQueue } from '@bu/jobs';
import { APP_CONFIG, AppConfig } from '../config';

// The API queues jobs through the contract in @bu/jobs; the ETL that runs them is another process
// (or, with `npm start` / `npm run serve`, another part of this one that the API does not import).
export const ETL_QUEUE_TOKEN = Symbol('ETL_QUEUE');

@Global()
@Module({
  providers: [{ provide: ETL_QUEUE_TOKEN, inject: [APP_CONFIG], useFactory: (config: AppConfig) => jobQueue(config) }],
  exports: [ETL_QUEUE_TOKEN],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(ETL_QUEUE_TOKEN) private readonly queue: JobQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
