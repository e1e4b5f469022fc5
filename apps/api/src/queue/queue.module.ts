import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { etlQueue } from '@bu/etl';
import type { Queue } from '@bu/queue';
import { APP_CONFIG, AppConfig } from '../config';

export const ETL_QUEUE_TOKEN = Symbol('ETL_QUEUE');

@Global()
@Module({
  providers: [{ provide: ETL_QUEUE_TOKEN, inject: [APP_CONFIG], useFactory: (config: AppConfig) => etlQueue(config) }],
  exports: [ETL_QUEUE_TOKEN],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(ETL_QUEUE_TOKEN) private readonly queue: Queue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
