import cluster from 'cluster';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import http from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervise, type ChildEntry } from '../../scripts/lib/supervisor';

// The supervisor of `npm run serve` with several processes (ADR 0072), on stand-in children so
// that its own rules are tested quickly: API processes share one port, a child that dies is
// started again, one that dies at its start stops everything, and close() stops every child by
// its stop message. test/e2e/several-processes.test.ts runs it with the real API and workers.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the process supervisor', () => {
  let dir: string;
  const entry = (name: string, code: string): ChildEntry => {
    writeFileSync(join(dir, name), code);
    return { exec: join(dir, name), args: [] };
  };
  // Stops on the supervisor's message, as stopOnSignals does (the message is libs/logger's STOP_MESSAGE).
  const onStop = `process.on('message', (m) => { if (m === 'bu:stop') setTimeout(() => process.exit(0), 50); });`;
  let api: ChildEntry;
  let worker: ChildEntry;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bu-supervisor-'));
    api = entry('api.js', `require('http').createServer((q, s) => s.end(String(process.pid))).listen(0); ${onStop}`);
    worker = entry('worker.js', `setInterval(() => undefined, 1000); ${onStop}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const get = (port: number) =>
    new Promise<string>((done, fail) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => done(text));
        })
        .on('error', fail);
    });

  it('shares one port between the API processes, restarts a child that dies, and stops them all', async () => {
    const supervisor = await supervise({ api: 2, workers: 2, entries: { api, worker }, shutdownGraceMs: 1000, startupMs: 300 });
    const pids = supervisor.pids();
    expect(pids.api).toHaveLength(2);
    expect(pids.worker).toHaveLength(2);
    expect(supervisor.port).toBeGreaterThan(0);
    // New connections are handed round: both API processes answer on the one port.
    const answered = new Set<string>();
    for (let i = 0; i < 10 && answered.size < 2; i++) answered.add(await get(supervisor.port));
    expect([...answered].sort()).toEqual(pids.api.map(String).sort());

    // A worker killed well after its start is replaced (a second later).
    await sleep(400);
    process.kill(pids.worker[0], 'SIGKILL');
    let now = supervisor.pids();
    for (let i = 0; i < 50 && !(now.worker.length === 2 && !now.worker.includes(pids.worker[0])); i++) {
      await sleep(100);
      now = supervisor.pids();
    }
    expect(now.worker).toHaveLength(2);
    expect(now.worker).not.toContain(pids.worker[0]);
    expect(now.worker).toContain(pids.worker[1]);

    await supervisor.close();
    for (const pid of [...now.api, ...now.worker]) expect(alive(pid)).toBe(false);
  }, 30_000);

  it('stops every process and fails when a child ends at its start (a wrong configuration)', async () => {
    const broken = entry('broken.js', `process.exit(3);`);
    const started = supervise({ api: 1, workers: 1, entries: { api, worker: broken }, shutdownGraceMs: 1000, startupMs: 5000 });
    // The API process may be listening before the broken worker ends: then `failed` says it.
    await expect(started.then((supervisor) => supervisor.failed)).rejects.toThrow('A worker process could not start (code 3).');
    // The API process was stopped before the supervisor gave up: no child is left.
    expect(Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead())).toEqual([]);
  }, 30_000);

  it('starts a replacement that ends at its start again, later each time, instead of stopping everything', async () => {
    // The database went away (as when a child dies during an outage): the first replacements end at
    // their start, the third runs. Each start is counted in a file.
    const starts = join(dir, 'starts');
    writeFileSync(starts, '');
    const flaky = entry(
      'flaky.js',
      `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(starts)}, 'x'); const n = fs.readFileSync(${JSON.stringify(starts)}, 'utf8').length;
       if (n === 2 || n === 3) process.exit(1); setInterval(() => undefined, 1000); ${onStop}`,
    );
    const supervisor = await supervise({
      api: 1,
      workers: 1,
      entries: { api, worker: flaky },
      shutdownGraceMs: 1000,
      startupMs: 500,
      restartDelayMs: 100,
    });
    try {
      await sleep(700);
      const [first] = supervisor.pids().worker;
      process.kill(first, 'SIGKILL');
      let now = supervisor.pids().worker;
      for (let i = 0; i < 300 && !(now.length === 1 && now[0] !== first && readFileSync(starts, 'utf8').length === 4); i++) {
        await sleep(100);
        now = supervisor.pids().worker;
      }
      // Started four times: the first, two that ended at their start (after 0.1 s, then 0.2 s and 0.4 s), the one that runs.
      expect(readFileSync(starts, 'utf8')).toBe('xxxx');
      expect(now).toHaveLength(1);
      expect(alive(now[0])).toBe(true);
      await expect(Promise.race([supervisor.failed, sleep(200).then(() => 'running')])).resolves.toBe('running');
    } finally {
      await supervisor.close();
    }
  }, 30_000);

  it('hands each child only the secrets it needs: no pseudonym key to the API, no token key to a worker', async () => {
    const secrets = [
      'JWT_SECRET',
      'JWT_SECRET_PREVIOUS',
      'PSEUDONYM_SECRET',
      'SMTP_PASSWORD',
      'API_DB_PASSWORD',
      'OIDC_CLIENT_SECRET',
      'METRICS_TOKEN',
    ];
    const saved = Object.fromEntries(secrets.map((name) => [name, process.env[name]]));
    for (const name of secrets) process.env[name] = `${name.toLowerCase()}-for-the-test`;
    // Each stand-in tells which of the secrets it was given: the API over HTTP, the worker in a file.
    const seen = `JSON.stringify(${JSON.stringify(secrets)}.filter((n) => process.env[n] === n.toLowerCase() + '-for-the-test'))`;
    const apiEnv = entry('api-env.js', `require('http').createServer((q, s) => s.end(${seen})).listen(0); ${onStop}`);
    const workerFile = join(dir, 'worker-env.json');
    const workerEnv = entry(
      'worker-env.js',
      // Written aside and renamed, so that the test never reads the file half written.
      `require('fs').writeFileSync(${JSON.stringify(workerFile + '.part')}, ${seen}); require('fs').renameSync(${JSON.stringify(workerFile + '.part')}, ${JSON.stringify(workerFile)}); setInterval(() => undefined, 1000); ${onStop}`,
    );
    try {
      const supervisor = await supervise({ api: 1, workers: 1, entries: { api: apiEnv, worker: workerEnv }, shutdownGraceMs: 1000 });
      try {
        expect(JSON.parse(await get(supervisor.port))).toEqual([
          'JWT_SECRET',
          'JWT_SECRET_PREVIOUS',
          'OIDC_CLIENT_SECRET',
          'METRICS_TOKEN',
        ]);
        for (let i = 0; i < 100 && !existsSync(workerFile); i++) await sleep(50);
        expect(JSON.parse(readFileSync(workerFile, 'utf8'))).toEqual(['PSEUDONYM_SECRET', 'SMTP_PASSWORD']);
      } finally {
        await supervisor.close();
      }
    } finally {
      for (const name of secrets) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }, 30_000);
});
