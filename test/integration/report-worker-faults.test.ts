import { createServer, type Socket } from 'net';
import { join } from 'path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { reportQueue, WEEKLY_MAIL_JOB, type ReportQueue } from '@bu/jobs';
import { reportDeps, startReportWorker, type RunningReportWorker } from '../../apps/worker/src/reports/worker';
import { surelyUnsent } from '../../apps/worker/src/reports/mailer';
import { sendWeeklyMail, WeeklyMailUnfinished } from '../../apps/worker/src/reports/weekly-mail';
import { addUser } from '../../scripts/lib/users';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';
import { freePort } from '../support/pg-cluster';
import { startTestSmtp, type TestSmtp } from '../support/smtp';

// ADR 0115: the reports worker when things break. The weekly e-mail with its mail server down at
// 07:00 on a Monday is tried again until the server is back (it used to complete, every send
// failed, and nothing tried again); a user whose e-mail fails for another reason does not stop the
// others. And a worker whose queue was out of reach since its start still stops within its grace.

const D = '2024-04-30';
const PASSWORD = 'test-password-123';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the reports worker when things break', () => {
  let db: TestDatabase;
  let smtp: TestSmtp | undefined;
  let smtpPort: number;
  let worker: RunningReportWorker | undefined;
  let queue: ReportQueue;
  const mail = () => ({ host: '127.0.0.1', port: smtpPort, secure: false, requireTls: false, from: 'boerneblik@odense.test' });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: 461 });
    await addUser(db.pool, { username: 'teamleder', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['Team Nord'] });
    for (const user of ['chef', 'teamleder'])
      await db.pool.query(`UPDATE app_user SET email = $2 WHERE username = $1`, [user, `${user}@kommune.test`]);
    smtpPort = await freePort();
    queue = reportQueue({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('tries the weekly e-mail again, no attempt spent, until the mail server is back, and sends each user one', async () => {
    // The mail server is down (nothing listens on its port) when the job runs.
    worker = startReportWorker(
      { databaseUrl: db.url, dbConnectTimeoutMs: 5000, shutdownGraceMs: 10_000 } as Parameters<typeof startReportWorker>[0],
      { mail: mail(), publicUrl: null },
      undefined,
      { weeklyMailRetry: { firstDelayMs: 500, tries: 5 } },
    );
    const job = await queue.enqueue(WEEKLY_MAIL_JOB, {});
    let state = '';
    for (let i = 0; i < 200 && state !== 'delayed'; i++) {
      await sleep(50);
      state = await queue.queue.getJobState(job.id!);
      if (state === 'completed' || state === 'failed') break;
    }
    expect(state, JSON.stringify((await queue.getJob(job.id!))?.returnvalue)).toBe('delayed');
    expect((await queue.getJob(job.id!))!.attemptsMade).toBe(0);
    // Nobody is noted as sent: the failed sends let go of their notes.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM weekly_mail_sent`)).rows[0].n).toBe(0);

    smtp = await startTestSmtp({ port: smtpPort });
    for (let i = 0; i < 200 && state !== 'completed' && state !== 'failed'; i++) {
      await sleep(50);
      state = await queue.queue.getJobState(job.id!);
    }
    const done = (await queue.getJob(job.id!))!;
    expect(state, done.failedReason).toBe('completed');
    expect(done.returnvalue).toEqual({ sent: 2, failed: 0, skipped: 0, alreadySent: 0 });
    expect(smtp.mails.map((m) => m.to.join()).sort()).toEqual(['chef@kommune.test', 'teamleder@kommune.test']);
  });

  it('goes on with the others when one user fails, fails the run for that one, and the next run sends only that one', async () => {
    await db.pool.query(`DELETE FROM weekly_mail_sent`);
    const before = smtp!.mails.length;
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      const deps = reportDeps(pool, { mail: mail(), publicUrl: null });
      // The first user in the loop's order (municipality, user name): chef. Their note cannot be written.
      const real = deps.repository;
      const faulty = Object.assign(Object.create(real) as typeof real, {
        claimWeeklyMail: (username: string) =>
          username === 'chef' ? Promise.reject(new Error('canceling statement due to statement timeout')) : real.claimWeeklyMail(username),
      });
      const failed = await sendWeeklyMail({ ...deps, repository: faulty }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(WeeklyMailUnfinished);
      expect((failed as WeeklyMailUnfinished).summary).toEqual({ sent: 1, failed: 1, skipped: 0, alreadySent: 0 });
      expect(smtp!.mails.slice(before).map((m) => m.to.join())).toEqual(['teamleder@kommune.test']);

      // The retry: chef only.
      expect(await sendWeeklyMail(deps)).toEqual({ sent: 1, failed: 0, skipped: 0, alreadySent: 1 });
      expect(smtp!.mails.slice(before).map((m) => m.to.join())).toEqual(['teamleder@kommune.test', 'chef@kommune.test']);
      deps.mailer.close();
    } finally {
      await pool.end();
    }
  });

  it('does not send again an e-mail whose connection was lost after its data went (the server may have taken it)', async () => {
    await db.pool.query(`DELETE FROM weekly_mail_sent`);
    // A server that takes the whole message and drops the connection instead of answering it.
    const sockets = new Set<Socket>();
    let taken = 0;
    const dropper = createServer((socket) => {
      sockets.add(socket);
      let data = false;
      let buffer = '';
      socket.write('220 test\r\n');
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        if (data) {
          if (buffer.includes('\r\n.\r\n')) {
            taken++;
            socket.destroy();
          }
          return;
        }
        for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (/^DATA/i.test(line)) {
            data = true;
            socket.write('354 go ahead\r\n');
            return;
          }
          socket.write(/^QUIT/i.test(line) ? '221 bye\r\n' : '250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const port = (dropper.address() as { port: number }).port;
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      const deps = reportDeps(pool, { mail: { ...mail(), port }, publicUrl: null });
      const failed = await sendWeeklyMail(deps).then(
        () => null,
        (e: unknown) => e,
      );
      deps.mailer.close();
      expect((failed as WeeklyMailUnfinished).summary).toEqual({ sent: 0, failed: 2, skipped: 0, alreadySent: 0 });
      expect(taken).toBe(2);
      // The notes stay: the retry, with the server answering again, sends neither a second time.
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM weekly_mail_sent`)).rows[0].n).toBe(2);
      const before = smtp!.mails.length;
      const again = reportDeps(pool, { mail: mail(), publicUrl: null });
      expect(await sendWeeklyMail(again)).toEqual({ sent: 0, failed: 0, skipped: 0, alreadySent: 2 });
      again.mailer.close();
      expect(smtp!.mails.length).toBe(before);
    } finally {
      for (const socket of sockets) socket.destroy();
      dropper.close();
      await pool.end();
    }
    // Which failures are surely before the data (nodemailer's errors as it makes them).
    expect(surelyUnsent({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' })).toBe(true);
    expect(surelyUnsent({ code: 'EAUTH', command: 'AUTH PLAIN' })).toBe(true);
    expect(surelyUnsent({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 })).toBe(true);
    expect(surelyUnsent({ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', command: 'CONN' })).toBe(true);
    expect(surelyUnsent({ code: 'EMESSAGE', command: 'DATA', responseCode: 554 })).toBe(true);
    expect(surelyUnsent({ code: 'ECONNECTION', command: 'CONN' })).toBe(false);
    expect(surelyUnsent({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' })).toBe(false);
    expect(surelyUnsent({ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' })).toBe(false);
    expect(surelyUnsent(new Error('something else'))).toBe(false);
  });

  it('stops within its grace period when the queue was out of reach since its start', async () => {
    // Nothing listens on this port: the schedules' registration waits for Redis for good.
    const port = await freePort();
    const stuck = startReportWorker(
      {
        databaseUrl: db.url,
        redisUrl: `redis://127.0.0.1:${port}`,
        dbConnectTimeoutMs: 5000,
        shutdownGraceMs: 500,
      } as Parameters<typeof startReportWorker>[0],
      { mail: null, publicUrl: null },
    );
    await sleep(500);
    const started = Date.now();
    const closed = await Promise.race([stuck.close().then(() => true), sleep(10_000).then(() => false)]);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
