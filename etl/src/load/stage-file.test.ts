import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Writable } from 'stream';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DUBU_FORMAT, mapSagsansvar, SAGSANSVAR_COLUMNS } from '../dubu/files';
import { IssueLog } from '../issues';
import { Pseudonymiser } from '../pseudonym';
import { ChildrenSeen } from '../children';
import { entityDef } from './entities';
import { stageFile } from './stage-file';

const dir = mkdtempSync(join(tmpdir(), 'stage-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A client whose COPY keeps what it is sent; other queries (ANALYZE) do nothing. */
function fakeClient(): { client: PoolClient; sent: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const client = { query: (q: unknown) => (typeof q === 'string' ? Promise.resolve({ rows: [] }) : stream) } as unknown as PoolClient;
  return { client, sent: () => Buffer.concat(chunks).toString('utf8') };
}

describe('stageFile (COPY text of a DUBU file)', () => {
  it('escapes backslashes, tabs, newlines and carriage returns in fields, quoted or not, whatever the neighbouring rows', async () => {
    const rows = [
      'S1;W1;01-01-2020;',
      'S2;W\t2;01-01-2020;',
      'S3;W\\3;01-01-2020;',
      'S4;"W\n4";01-01-2020;',
      'S5;"W\r5";01-01-2020;',
      'S6;"W;\\\t6";01-01-2020;',
      'S7;Wæøå;01-01-2020;31-12-2020',
    ];
    // Repeated so that chunk boundaries fall everywhere (the file is read in 32 KB pieces).
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(...rows);
    const path = join(dir, 'sagsansvar.csv');
    writeFileSync(path, ['Sagsnummer;Initialer;Fra;Til', ...lines].join('\n') + '\n');
    const { client, sent } = fakeClient();
    const log = new IssueLog();
    const ctx = {
      municipality: 461,
      source: 'dubu' as const,
      pseudonyms: new Pseudonymiser('test-secret-0123456789abcdef'),
      children: new ChildrenSeen(),
    };
    const read = await stageFile(
      client,
      log,
      { path, file: 'sagsansvar.csv', format: DUBU_FORMAT, columns: SAGSANSVAR_COLUMNS },
      entityDef('assignments'),
      (row) => mapSagsansvar(row, ctx),
    );
    expect(read).toBe(lines.length);
    expect(log.rejectedCount + log.warningCount).toBe(0);
    const workers = ['W1', 'W\\t2', 'W\\\\3', 'W\\n4', 'W\\r5', 'W;\\\\\\t6', 'Wæøå'];
    let line = 2;
    const expected: string[] = [];
    for (let i = 0; i < 3000; i++) {
      rows.forEach((r, k) => {
        expected.push(`461\tdubu\tS${k + 1}\t2020-01-01\t${workers[k]}\t${k === 6 ? '2020-12-31' : '\\N'}\tsagsansvar.csv\t${line}\n`);
        line += k === 3 ? 2 : 1; // the quoted newline is a physical line
      });
    }
    expect(sent()).toBe(expected.join(''));
  });
});
