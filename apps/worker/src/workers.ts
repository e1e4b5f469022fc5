import type { ReportsConfig, WorkerConfig } from '@bu/config';
import { startWorker } from '@bu/etl';
import { startReportWorker } from './reports/worker';

/**
 * Both queues' consumers of one process: the ETL's ('etl') and the reports' ('reports'). Throws if a
 * job of either contract has no handler. `close` lets both running jobs finish.
 */
export function startWorkers(config: WorkerConfig, reports: ReportsConfig): { close(): Promise<void> } {
  const etl = startWorker(config);
  let report: ReturnType<typeof startReportWorker>;
  try {
    report = startReportWorker(config, reports);
  } catch (error) {
    void etl.close();
    throw error;
  }
  return { close: () => Promise.all([etl.close(), report.close()]).then(() => undefined) };
}
