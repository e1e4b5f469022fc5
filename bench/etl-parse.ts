// node --max-old-space-size=128 tools/run.js bench/etl-parse.ts <dir> [--hash] [--only file.csv]
// The Node side of the DUBU import without a database: read, decode, parse, validate and map each
// row, pseudonymise, encode COPY text (stageFile as the import runs it), the COPY bytes going to a
// null sink. Prints CPU seconds per file. With --hash, also a digest of the COPY bytes and of the
// issues per file (to check that a change keeps the output byte for byte; hashing costs CPU).
// A directory without sager.csv first gets a generated export (generateLargeDubu, 1,000,000 measures), reused after.
import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { join } from 'path';
import { Writable } from 'stream';
import type { PoolClient } from 'pg';
import { DUBU_FILES } from '../etl/src/dubu/import';
import { DubuContext, DUBU_FORMAT } from '../etl/src/dubu/files';
import { IssueLog } from '../etl/src/issues';
import { entityDef } from '../etl/src/load/entities';
import { stageFile } from '../etl/src/load/stage-file';
import { Pseudonymiser } from '../etl/src/pseudonym';
import { ChildrenSeen } from '../etl/src/children';
import { generateLargeDubu } from './generate-large-dubu';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const hash = args.includes('--hash');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (!dir) {
  console.error('usage: node --max-old-space-size=128 tools/run.js bench/etl-parse.ts <dir> [--hash] [--only file.csv]');
  process.exit(2);
}

/** A client whose COPY goes to a sink (hashing it with --hash) and whose other queries do nothing. */
function nullClient(digest: () => ReturnType<typeof createHash> | null): PoolClient {
  return {
    query: (q: unknown) => {
      if (typeof q === 'string') return Promise.resolve({ rows: [] });
      return new Writable({
        highWaterMark: 1 << 16,
        write(chunk: Buffer, _encoding, done) {
          digest()?.update(chunk);
          done();
        },
      });
    },
  } as unknown as PoolClient;
}

async function main(): Promise<void> {
  if (!existsSync(join(dir!, 'sager.csv'))) {
    console.log(`Generating an export with 1,000,000 measures in ${dir} ...`);
    await generateLargeDubu(dir!, 1_000_000);
  }
  const log = new IssueLog();
  const ctx: DubuContext = {
    municipality: null,
    source: 'dubu',
    pseudonyms: new Pseudonymiser('bench-secret-0123456789abcdef'),
    children: new ChildrenSeen(),
  };
  let current: ReturnType<typeof createHash> | null = null;
  const client = nullClient(() => current);
  let total = 0;
  let peakRss = 0;
  const rss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  for (const file of DUBU_FILES) {
    const path = join(dir!, file.file);
    if (!existsSync(path) || (only && file.file !== only)) continue;
    current = hash ? createHash('sha256') : null;
    const issuesBefore = log.rejectedCount + log.warningCount;
    const cpu = process.cpuUsage();
    const wall = process.hrtime.bigint();
    const read = await stageFile(
      client,
      log,
      { path, file: file.file, format: DUBU_FORMAT, columns: file.columns },
      entityDef(file.entity),
      (row) => file.map(row, ctx),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (used.user + used.system) / 1e6;
    total += seconds;
    const wallSeconds = Number(process.hrtime.bigint() - wall) / 1e9;
    let line = `${file.file.padEnd(20)} ${String(read).padStart(8)} rows  cpu ${seconds.toFixed(2)} s  wall ${wallSeconds.toFixed(2)} s  issues ${log.rejectedCount + log.warningCount - issuesBefore}`;
    if (hash) {
      // The issues themselves go to the import's spill file (etl/src/issues.ts): their count is compared.
      line += `  copy ${current!.digest('hex').slice(0, 16)}`;
    }
    console.log(line);
  }
  log.dispose();
  clearInterval(rss);
  console.log(`total cpu ${total.toFixed(2)} s, peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
