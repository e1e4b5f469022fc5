// A process that spills rejected rows to disk and then waits to be killed (the spill-orphans test):
// it prints its spill file's path once the file exists.
import { IssueLog } from '@bu/etl';

const log = new IssueLog((path) => process.stdout.write(`${path}\n`));
// Enough issues to pass the log's in-memory buffer, so that they are written to the spill file.
for (let line = 1; line <= 10_000; line++)
  log.add('REQUIRED', 'ydelser.csv', line, null, `Linje ${line} mangler et felt, der skal udfyldes.`);
setInterval(() => undefined, 60_000);
