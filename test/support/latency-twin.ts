// The control of test/api/upload-latency.test.ts (node tools/run.js test/support/latency-twin.ts):
// the same API on the same database and queue, in a process of its own, that gets no upload. Its
// answers show what the machine's load alone does to the API's requests; a trivial server needs far
// less CPU, and stays fast on a machine where the API, starved like everything else, is slow. Sent
// the test API's configuration overrides, it sends its port.
import type { AddressInfo } from 'net';
import { type AppConfig, configFromEnv } from '@bu/config';
import { createApp } from '../../apps/api/src/app';

process.once('message', (overrides: Partial<AppConfig>) => {
  void (async () => {
    const app = await createApp(configFromEnv({}, overrides), { logger: false });
    await app.listen(0, '127.0.0.1');
    process.send!((app.getHttpServer().address() as AddressInfo).port);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
