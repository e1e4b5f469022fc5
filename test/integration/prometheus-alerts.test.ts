import type { INestApplication } from '@nestjs/common';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { startTestApi } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, editFile } from '../support/fixtures';
import { freePort } from '../support/pg-cluster';

// ADR 0098: the operators' alert rules (docker/prometheus/alerts.yml) and scrape configuration, as
// Debian's Prometheus and promtool run them (CI installs the package, as it installs Chromium).
const RULES = resolve(__dirname, '../../docker/prometheus');
const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = (text: string, key: string) => [...text.matchAll(new RegExp(`^\\s*-?\\s*${key}: (\\w+)`, 'gm'))].map((m) => m[1]);

describe("the operators' alert rules", () => {
  it('check, and each alert fires on its made-up series, and not before (promtool test rules)', () => {
    const check = spawnSync(PROMTOOL, ['check', 'rules', 'alerts.yml'], { cwd: RULES, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 9 rules found');
    const test = spawnSync(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd: RULES, encoding: 'utf8' });
    expect(test.status, test.stderr + test.stdout).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
    // Every alert has its test, firing.
    const alerts = names(readFileSync(join(RULES, 'alerts.yml'), 'utf8'), 'alert');
    expect(alerts).toHaveLength(9);
    expect(new Set(names(readFileSync(join(RULES, 'alerts.test.yml'), 'utf8'), 'alertname'))).toEqual(new Set(alerts));
  });

  it('the example configuration is valid once its token file is in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-prom-config-'));
    try {
      writeFileSync(join(dir, 'metrics-token'), randomBytes(32).toString('hex'), { mode: 0o600 });
      writeFileSync(
        join(dir, 'prometheus.yml'),
        readFileSync(join(RULES, 'prometheus.yml'), 'utf8').replaceAll('/etc/prometheus/metrics-token', join(dir, 'metrics-token')),
      );
      copyFileSync(join(RULES, 'alerts.yml'), join(dir, 'alerts.yml'));
      const check = spawnSync(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd: dir, encoding: 'utf8' });
      expect(check.status, check.stderr + check.stdout).toBe(0);
      expect(check.stdout).toContain('SUCCESS: 1 rule files found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a real Prometheus scraping a real API with the alert rules', () => {
  const METRICS_TOKEN = randomBytes(32).toString('hex');
  let db: TestDatabase;
  let app: INestApplication;
  let prometheus: ChildProcess;
  let dir: string;
  let base = '';
  let log = '';

  const ask = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: any }).data;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // A DUBU export with the wrong separator: the import fails, as a broken nightly file would.
    const broken = copyFixture(DUBU_SMALL);
    editFile(broken, 'sager.csv', (t) => t.replace(/;/g, ','));
    expect((await importDubu(db.pool, broken, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' })).status).toBe('failed');
    app = await startTestApi(db, { metricsToken: METRICS_TOKEN });
    await app.listen(0, '127.0.0.1');
    const apiPort = (app.getHttpServer().address() as { port: number }).port;

    dir = mkdtempSync(join(tmpdir(), 'bu-prometheus-'));
    writeFileSync(join(dir, 'token'), METRICS_TOKEN, { mode: 0o600 });
    writeFileSync(join(dir, 'wrong-token'), randomBytes(32).toString('hex'), { mode: 0o600 });
    copyFileSync(join(RULES, 'alerts.yml'), join(dir, 'alerts.yml'));
    // The example's scrape, every second, against this API; and once more with a wrong token.
    const job = (name: string, token: string) => `  - job_name: ${name}
    metrics_path: /api/metrics
    authorization:
      type: Bearer
      credentials_file: ${join(dir, token)}
    static_configs:
      - targets: ['127.0.0.1:${apiPort}']
`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - alerts.yml\nscrape_configs:\n${job('boerneblik', 'token')}${job('anden-noegle', 'wrong-token')}`,
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (d) => (log += d));
    prometheus.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 300; i++) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
      if (
        await fetch(`${base}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await sleep(100);
    }
    throw new Error(`prometheus not ready:\n${log}`);
  }, 60_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await new Promise((r) => prometheus.once('exit', r));
    }
    await app?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes with the token only, and the failed import raises its alert, once, with its Danish summary', async () => {
    let firing: any[] = [];
    for (let i = 0; i < 300 && firing.length === 0; i++) {
      const { alerts } = await ask('/api/v1/alerts');
      firing = (alerts as any[]).filter((a) => a.labels.alertname === 'BoerneblikIndlaesningFejlet' && a.state === 'firing');
      if (firing.length === 0) await sleep(200);
    }
    expect(firing).toHaveLength(1);
    expect(firing[0].labels).toEqual({ alertname: 'BoerneblikIndlaesningFejlet', severity: 'warning', source: 'dubu' });
    expect(firing[0].annotations.summary).toBe('1 indlæsning(er) af dubu fejlet det seneste døgn (se Datakvalitet)');

    // The scrape with the token succeeds; the same page with another token is refused (401: down).
    // Each target is scraped at its own offset within the interval, and a busy machine may delay
    // one's first scrape past the alert: wait until both have been scraped once.
    type Up = { metric: { job: string }; value: [number, string] }[];
    let up: Up = [];
    for (let i = 0; i < 100; i++) {
      up = (await ask('/api/v1/query?query=up')).result as Up;
      if (up.length >= 2) break;
      await sleep(200);
    }
    expect(Object.fromEntries(up.map((r) => [r.metric.job, r.value[1]]))).toEqual({ boerneblik: '1', 'anden-noegle': '0' });
    const { activeTargets } = await ask('/api/v1/targets');
    const refused = (activeTargets as { labels: { job: string }; lastError: string }[]).find((t) => t.labels.job === 'anden-noegle');
    expect(refused?.lastError).toMatch(/401/);
    // The pool gauges reach Prometheus too (the alert on waiting requests reads them).
    const pools = (await ask(`/api/v1/query?query=${encodeURIComponent('boerneblik_db_pool_connections{pool="boerneblik-api"}')}`))
      .result as { metric: { state: string } }[];
    expect(pools.map((r) => r.metric.state).sort()).toEqual(['busy', 'idle', 'waiting']);
  }, 90_000);
});
