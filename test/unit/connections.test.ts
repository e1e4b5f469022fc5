import { describe, expect, it } from 'vitest';
import { connectionBudget, connectionBudgetProblem, kpiSlots, parseEnv, processesInDanish, serverLabel } from '@bu/config';

// ADR 0097: the connection budget, worked out by hand from what each process opens.
describe('connectionBudget', () => {
  it('counts what each kind of process opens, by hand', () => {
    // An API process: its pool (10) and the KPI cache's listener (1).
    // A worker: the ETL pool (4), one import's own (6 staging + 1 thread + 1 lock = 8), the reports pool (2).
    expect(connectionBudget({ api: 1, workers: 0, queueOnPostgres: false })).toEqual({ primary: 11, replica: 10 });
    expect(connectionBudget({ api: 0, workers: 1, queueOnPostgres: false })).toEqual({ primary: 14, replica: 0 });
    expect(connectionBudget({ api: 2, workers: 2, queueOnPostgres: false })).toEqual({ primary: 50, replica: 20 });
    // Queues in PostgreSQL: the API's two queues (2 × 2); the worker's three queues (3 × 2) and two
    // consumers, each a pool and a LISTEN (2 × 3).
    expect(connectionBudget({ api: 1, workers: 0, queueOnPostgres: true }).primary).toBe(11 + 4);
    expect(connectionBudget({ api: 0, workers: 1, queueOnPostgres: true }).primary).toBe(14 + 12);
    // npm start: the API and the worker in one process.
    expect(connectionBudget({ api: 1, workers: 1, queueOnPostgres: true }).primary).toBe(41);
    // Four and four on Redis: more than a server left at its default (100, 3 reserved) takes.
    expect(connectionBudget({ api: 4, workers: 4, queueOnPostgres: false }).primary).toBe(100);
  });
});

describe('connectionBudgetProblem', () => {
  const room = { max: 100, reserved: 3, open: 0 };

  it('refuses what the server cannot take at all, naming the setting to raise and by how much', () => {
    expect(connectionBudgetProblem('db.kommune.dk:5432/boerneblik', 100, room, '4 API-processer og 4 worker-processer')).toEqual({
      refuse: true,
      message:
        'PostgreSQL (db.kommune.dk:5432/boerneblik) tager højst 97 forbindelser (max_connections 100, heraf 3 forbeholdt), ' +
        'men 4 API-processer og 4 worker-processer kan åbne op til 100. Sæt max_connections til mindst 103, ' +
        'eller start færre processer (API_PROCESSES, WORKER_PROCESSES). Se docs/OPERATIONS.md.',
    });
  });

  it('takes exactly as many as there are slots', () => {
    expect(connectionBudgetProblem('x', 97, room, '1 API-proces')).toBeNull();
  });

  it('warns, without refusing, when the budget fits the server but not beside what is open now', () => {
    const problem = connectionBudgetProblem('x', 50, { ...room, open: 48 }, '2 API-processer og 2 worker-processer');
    expect(problem?.refuse).toBe(false);
    expect(problem?.message).toBe(
      'PostgreSQL (x) har 48 forbindelser åbne i forvejen og tager højst 97; 2 API-processer og 2 worker-processer kan åbne op til 50 mere. ' +
        'Under travlhed kan der mangle forbindelser (fejl 53300).',
    );
    expect(connectionBudgetProblem('x', 50, { ...room, open: 47 }, 'y')).toBeNull();
  });
});

describe('the words of the messages', () => {
  it('names the processes in Danish, one or several', () => {
    expect(processesInDanish(1, 1)).toBe('1 API-proces og 1 worker-proces');
    expect(processesInDanish(2, 0)).toBe('2 API-processer');
    expect(processesInDanish(0, 3)).toBe('3 worker-processer');
  });

  it('names the server as pg reads the URL, without its user or password', () => {
    expect(serverLabel('postgres://bu:hemmelig@db.kommune.dk:5433/boerneblik?sslmode=verify-full')).toBe('db.kommune.dk:5433/boerneblik');
    expect(serverLabel('postgres://bu:hemmelig@[::1]:5432/boerneblik')).toBe('::1:5432/boerneblik');
    expect(serverLabel('postgres://bu@db/boerneblik?password=hemmelig')).toBe('db/boerneblik');
    // A socket folder, or PGHOST when the URL names no host.
    expect(serverLabel('postgres:///boerneblik?host=/var/run/postgresql')).toBe('/var/run/postgresql/boerneblik');
    expect(serverLabel('postgres:///boerneblik', 'db.kommune.dk')).toBe('db.kommune.dk/boerneblik');
    expect(serverLabel('postgres:///boerneblik')).toBe('localhost/boerneblik');
    // A password with an unencoded "@" or "/" would be read into the host or the database: not shown.
    expect(serverLabel('postgres://bu:hem@lig@db/boerneblik')).toBe('databasen');
    expect(serverLabel('postgres://bu:1234/hemmelig@db/boerneblik')).toBe('databasen');
    expect(serverLabel('ikke en adresse')).not.toContain('hemmelig');
  });
});

// ADR 0099: KPI computations at once in one API process.
describe('kpiSlots', () => {
  it('takes the cores plus one, shared by the API processes, when KPI_SLOTS is not set', () => {
    // Two cores, one API process: 3 (the best of 2, 3, 4, 6 and 8 in the cold round, docs/SCALING.md).
    expect(kpiSlots(undefined, 2, 1)).toBe(3);
    // Two API processes on those cores: 3 / 2 rounded up, 2 each.
    expect(kpiSlots(undefined, 2, 2)).toBe(2);
    expect(kpiSlots(undefined, 1, 1)).toBe(2);
    // Never below one, whatever the processes.
    expect(kpiSlots(undefined, 2, 64)).toBe(1);
    // Never above the pool's 10 connections less the 2 kept for the requests' other statements.
    expect(kpiSlots(undefined, 16, 1)).toBe(8);
    expect(kpiSlots(undefined, 16, 2)).toBe(8);
    expect(kpiSlots(undefined, 16, 4)).toBe(5);
  });

  it('takes KPI_SLOTS as set, and refuses a value the pool cannot serve', () => {
    expect(kpiSlots(6, 2, 1)).toBe(6);
    expect(kpiSlots(1, 16, 1)).toBe(1);
    expect(parseEnv({ KPI_SLOTS: '5' }).KPI_SLOTS).toBe(5);
    expect(parseEnv({ KPI_SLOTS: '' }).KPI_SLOTS).toBeUndefined();
    for (const wrong of ['0', '9', 'many']) expect(() => parseEnv({ KPI_SLOTS: wrong })).toThrow(/KPI_SLOTS har en ugyldig værdi/);
  });
});
