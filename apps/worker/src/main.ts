// The ETL worker as its own process (docker: the `worker` service). The embedded default and
// `npm run serve` run the same worker inside the API process.
import { exitOnConfigError, workerConfigFromEnv } from '@bu/config';
import { startWorker } from '../../api/src/main';

// It pseudonymises CPR numbers and signs no token: PSEUDONYM_SECRET is required, JWT_SECRET not.
const config = exitOnConfigError(() => workerConfigFromEnv());
const worker = startWorker(config);
console.log(`ETL worker running (${config.redisUrl ? 'Redis' : 'PostgreSQL'} queue backend).`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void worker.close().then(() => process.exit(0)));
}
