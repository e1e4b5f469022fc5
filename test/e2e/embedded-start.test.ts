import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSecrets } from '../../scripts/lib/secrets';

// `npm start` as a user runs it: embedded PostgreSQL from npm, demo export through the real ETL
// on BullMQ's PostgreSQL backend, demo users, API and dashboard. No DATABASE_URL, no REDIS_URL.
const ROOT = resolve(__dirname, '../..');
const PORT = 3000 + Math.floor(Math.random() * 1000) + 4000;
// Below Linux's ephemeral range (32768-60999): a port there may be any test's outgoing connection.
const PG_PORT = 25000 + Math.floor(Math.random() * 1000);

describe('npm start (embedded default)', () => {
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  const base = `http://127.0.0.1:${PORT}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bu-embedded-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), EMBEDDED_PG_PORT: String(PG_PORT), DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    // A process group of its own, as a terminal gives a command: Ctrl+C reaches the whole group.
    child = spawn(process.execPath, ['tools/run.js', 'scripts/start.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setInterval(() => {
        if (output.includes('Børneblik kører på')) {
          clearInterval(timer);
          resolvePromise();
        }
      }, 250);
      child.on('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    // The database runs in a session of its own: a test that failed half-way must not leave it.
    if (dataDir && existsSync(join(dataDir, 'pg', 'postmaster.pid'))) {
      const pid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL and the demo logins', () => {
    expect(output).toContain(`Børneblik kører på http://localhost:${PORT}`);
    expect(output).toContain('Demo-logins (adgangskode "demo"): udvalg, chef, teamleder, admin');
    expect(output).toMatch(/Demo import \d+ \(dubu\): caseworkers \d+, cases \d+, assignments \d+, notifications \d+, .*; 3 rows rejected/);
    expect(output).toMatch(/Demo import \d+ \(csc\): caseworkers \d+, cases \d+, .*; 0 rows rejected/);
    expect(output).toMatch(/Demo import \d+ \(economy\): budget_lines \d+/);
    expect(output).toMatch(/Demo import \d+ \(statistics\): statistics \d+/);
  });

  it('listens on this machine only: its demo logins are known to everyone', () => {
    // The kernel's table of listening TCP sockets (state 0A): the API's port, on 127.0.0.1 alone.
    const listening = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f[3] === '0A' && parseInt(f[1]?.split(':')[1] ?? '', 16) === PORT)
        .map((f) => f[1].split(':')[0]);
    expect(listening('/proc/net/tcp')).toEqual(['0100007F']);
    expect(listening('/proc/net/tcp6')).toEqual([]);
  });

  it('serves health on the PostgreSQL queue backend, the dashboard, and the caseload of the demo team', async () => {
    const health = await (await fetch(`${base}/api/health`)).json();
    expect(health).toEqual({ status: 'ok', database: 'up', queue: { backend: 'postgres', status: 'up' } });
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('<html lang="da">');
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'teamleder', password: 'demo' }),
    });
    expect(login.status).toBe(200);
    const { token } = await login.json();
    const res = await (
      await fetch(`${base}/api/v1/kpis?ids=caseload.open_cases`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    const loads = Object.values(res.kpis['caseload.open_cases'] as Record<string, number>);
    expect(loads.length).toBeGreaterThanOrEqual(3);
    // Demo caseloads resemble the survey: the busiest caseworker of the team has 15-60 children.
    expect(Math.max(...loads)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...loads)).toBeLessThanOrEqual(60);
  });

  // Last: it stops the process (issue 13, item 4; the other entry points: graceful-shutdown.test.ts).
  // Ctrl+C as a terminal sends it, to the whole process group: the database must not get it too.
  it('stops on Ctrl+C: the request in flight gets its answer, then the database stops and it exits 0', async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'chef', password: 'demo' }),
    });
    const { token } = await login.json();
    // The KPI's table is held, so the request waits in the database while the signal comes.
    const password = localSecrets(join(dataDir, 'secrets.json')).databasePassword;
    const holder = new Client({
      connectionString: `postgres://boerneblik:${encodeURIComponent(password)}@127.0.0.1:${PG_PORT}/boerneblik`,
    });
    await holder.connect();
    holder.on('error', () => undefined);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE child_case IN ACCESS EXCLUSIVE MODE');
    const answer = fetch(`${base}/api/v1/kpis?ids=caseload.open_cases&asOf=2020-06-30`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; ; i++) {
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'child_case'::regclass AND NOT granted`,
      );
      if (rows[0].n > 0) break;
      if (i > 600) throw new Error('the request never reached the database');
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const before = output.length;
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    expect(child.exitCode, 'waits for the request in flight').toBeNull();
    await holder.query('ROLLBACK');
    await holder.end();
    expect((await answer).status).toBe(200);
    expect(await exited, output).toBe(0);
    // Nothing lost its database on the way out; the server itself is gone.
    expect(output.slice(before)).not.toMatch(/terminating connection|connection lost/i);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
