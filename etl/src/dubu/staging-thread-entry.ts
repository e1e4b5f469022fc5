import { Client } from 'pg';
import { settings } from '@bu/config';
import { configureLogger } from '@bu/logger';
import { parentPort, workerData } from 'worker_threads';
import { ChildrenSeen } from '../children';
import { ReadDigest, readDigests } from '../csv/source';
import { prepareLoader } from '../import-run';
import { ImportFailure, IssueLog } from '../issues';
import { entityDef } from '../load/entities';
import { EventDateRange } from '../load/event-dates';
import { scopeEmptyStaging } from '../load/partition';
import { Pseudonymiser } from '../pseudonym';
import { traceQueries } from '../trace';
import type { DubuContext } from './files';
import { DUBU_FILES } from './files';
import { stageDubuFile } from './import';
import type { ThreadInput, ThreadMessage } from './staging-thread';

// The staging thread (staging-thread.ts): stages one file of a DUBU export as the loader would.

const input = workerData as ThreadInput;
// Its lines (ETL_TRACE's among them) where the process's go: the CLI's --json keeps stdout to its result.
if (input.logTo !== 1) configureLogger({ destination: input.logTo });
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);

async function stage(): Promise<void> {
  const file = DUBU_FILES.find((f) => f.file === input.file)!;
  const def = entityDef(file.entity);
  const municipality = new Promise<number>((resolve) => port.once('message', (m: { municipality: number }) => resolve(m.municipality)));
  const client = new Client(input.connection);
  await client.connect();
  try {
    if (settings().ETL_TRACE) traceQueries(client, 'thread');
    post({ type: 'connected', pid: await prepareLoader(client, input.schema) });
    const code = await municipality;
    // Its table's scope check while it is empty (the loader does the others').
    await scopeEmptyStaging(client, def, code, input.importId);
    const ctx: DubuContext = {
      municipality: code,
      source: 'dubu',
      pseudonyms: new Pseudonymiser(input.pseudonymSecret),
      children: new ChildrenSeen(),
    };
    // Its spill file's path goes to the parent at once: a thread stopped mid-file cannot remove it.
    const log = new IssueLog((path) => post({ type: 'spill', path }));
    log.orderFiles(input.files);
    const range = new EventDateRange(def, file.eventDates, input.today, file.happened);
    const digests = new Map<string, ReadDigest>();
    const { read, staged } = await readDigests
      .run(digests, () =>
        stageDubuFile(
          client,
          log,
          input.path,
          file,
          ctx,
          (values) => range.see(values),
          (progress) => post({ type: 'progress', progress }),
        ),
      )
      .catch((error: unknown) => {
        // Its spill file goes with it: the import fails.
        log.dispose();
        throw error;
      });
    const digest = digests.get(input.path);
    post({
      type: 'staged',
      result: {
        read,
        staged,
        newest: range.newest,
        latest: range.latest,
        after: range.after,
        issues: log.handOver(),
        digest: digest?.complete ? { bytes: digest.bytes, sha256: digest.hash!.digest('hex') } : null,
      },
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

stage().catch((error: unknown) => {
  const failure = error instanceof ImportFailure ? { rule: error.rule, file: error.file, message: error.message } : null;
  post({ type: 'failed', failure, message: (error as Error)?.message ?? String(error), code: (error as { code?: string })?.code });
});
