// The ETL worker as its own process (docker: the `worker` service). The embedded default and
// `npm run serve` run the same worker inside the API process.
import { configFromEnv } from '../../api/src/config';
import { startWorker } from '../../api/src/main';

const config = configFromEnv(process.env);
const worker = startWorker(config);
console.log(`ETL worker running (${config.redisUrl ? 'Redis' : 'PostgreSQL'} queue backend).`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void worker.close().then(() => process.exit(0)));
}
