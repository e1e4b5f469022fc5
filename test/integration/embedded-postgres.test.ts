import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/lib/embedded-postgres';

// `npm start`'s embedded PostgreSQL runs in a session of its own (pg_ctl), so a terminal's Ctrl+C
// reaches only npm start, which stops it last (test/e2e/embedded-start.test.ts). The price: a
// killed npm start leaves it running. The next start stops that leftover, unless the start that
// made it still runs.
// Below Linux's ephemeral range (32768-60999): a port there may be any test's outgoing connection.
const PORT = 26000 + Math.floor(Math.random() * 1000);
const PASSWORD = 'embedded-test-password';

describe('the embedded PostgreSQL of npm start', () => {
  let dir: string;
  let db: EmbeddedDatabase | undefined;
  const postmasterPid = () => Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const answers = async (url: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query('SELECT 1 AS one')).rows[0].one as number;
    } finally {
      await client.end();
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bu-embedded-pg-'));
  });
  afterAll(async () => {
    await db?.stop().catch(() => undefined);
    if (existsSync(join(dir, 'pg', 'postmaster.pid'))) process.kill(postmasterPid(), 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in a session of its own, so Ctrl+C to the group of its starter does not reach it', async () => {
    db = await startEmbeddedPostgres(dir, PORT, PASSWORD);
    expect(await answers(db.url)).toBe(1);
    const pid = postmasterPid();
    const session = (p: number) => Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[3]);
    expect(session(pid)).toBe(pid);
    expect(session(pid)).not.toBe(session(process.pid));
  }, 120_000);

  it("writes error lines that quote no row values (a repeated key's id, a COPY line)", async () => {
    const client = new Client({ connectionString: db!.url });
    await client.connect();
    try {
      expect((await client.query('SHOW log_error_verbosity')).rows[0].log_error_verbosity).toBe('terse');
    } finally {
      await client.end();
    }
  });

  it('stops a server an earlier, killed start left running, and starts anew', async () => {
    const left = postmasterPid();
    // This start "was killed": its database was never stopped, and start.pid names a process that is gone.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(join(dir, 'start.pid'), `${gone.pid}\n`);
    db = await startEmbeddedPostgres(dir, PORT, PASSWORD);
    expect(postmasterPid()).not.toBe(left);
    expect(await answers(db.url)).toBe(1);
  }, 120_000);

  it('refuses, and leaves it running, when the start that owns it still runs', async () => {
    const running = postmasterPid();
    // The owner: a live process other than this one (this test's parent).
    writeFileSync(join(dir, 'start.pid'), `${process.ppid}\n`);
    await expect(startEmbeddedPostgres(dir, PORT, PASSWORD)).rejects.toThrow(
      `runs for another npm start (process ${process.ppid}): stop that one first`,
    );
    expect(postmasterPid()).toBe(running);
    expect(await answers(db!.url)).toBe(1);
  }, 120_000);

  it('stop() stops the server and forgets its starter', async () => {
    await db!.stop();
    db = undefined;
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(join(dir, 'start.pid'))).toBe(false);
  }, 120_000);
});
