import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { reportQueue, ReportQueue } from '@bu/jobs';
import { APP_CONFIG, AppConfig } from '../config';

// The 'reports' queue (@bu/jobs): the API queues "make the report now" and keeps each
// municipality's schedule with BullMQ's job scheduler; the reports worker (apps/worker) runs them.
export const REPORT_QUEUE_TOKEN = Symbol('REPORT_QUEUE');

@Global()
@Module({
  providers: [{ provide: REPORT_QUEUE_TOKEN, inject: [APP_CONFIG], useFactory: (config: AppConfig) => reportQueue(config) }],
  exports: [REPORT_QUEUE_TOKEN],
})
export class ReportQueueModule implements OnApplicationShutdown {
  constructor(@Inject(REPORT_QUEUE_TOKEN) private readonly queue: ReportQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
