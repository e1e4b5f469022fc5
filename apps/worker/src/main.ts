// The ETL worker as its own process (docker: the `worker` service). The embedded default and
// `npm run serve` run the same worker inside the API process.
import { exitOnConfigError, workerConfigFromEnv } from '@bu/config';
import { startWorker, stopOnSignals } from '../../api/src/main';

// It pseudonymises CPR numbers and signs no token: PSEUDONYM_SECRET is required, JWT_SECRET not.
const config = exitOnConfigError(() => workerConfigFromEnv());
const worker = startWorker(config);
console.log(`ETL worker running (${config.redisUrl ? 'Redis' : 'PostgreSQL'} queue backend).`);
// SIGTERM: the running job finishes (or, after SHUTDOWN_GRACE_MS, goes back to the queue), then exit 0.
stopOnSignals(() => worker.close());
