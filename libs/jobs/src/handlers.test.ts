import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { Job } from '@bu/queue';
import { createLogger } from '@bu/logger';
import { jobRouter, MissingJobHandler, reportJobRouter, type JobHandlers, type ReportJobHandlers } from './index';

const job = (name: string, data: unknown = {}) => ({ name, data }) as unknown as Job<unknown, string>;
const handlers = (): JobHandlers<string> => ({
  import: async (j) => `import ${j.data.source}`,
  'pull-drop-folders': async () => 'pull',
  'retention-purge': async () => 'purge',
  'refresh-read-models': async () => 'refresh',
});

describe('jobRouter (the worker fails fast)', () => {
  it('throws at start-up when a job of the contract has no handler, naming it', () => {
    const incomplete = { ...handlers(), 'retention-purge': undefined } as unknown as JobHandlers<string>;
    expect(() => jobRouter(incomplete)).toThrow(MissingJobHandler);
    expect(() => jobRouter(incomplete)).toThrow('No handler for job "retention-purge".');
  });

  it('routes each job to the handler of its name', async () => {
    const route = jobRouter(handlers());
    expect(await route(job('import', { source: 'dubu', dir: '/x' }))).toBe('import dubu');
    expect(await route(job('pull-drop-folders'))).toBe('pull');
    expect(await route(job('retention-purge'))).toBe('purge');
    expect(await route(job('refresh-read-models'))).toBe('refresh');
  });

  it('fails a job outside the contract for good (not retried)', () => {
    const route = jobRouter(handlers());
    expect(() => route(job('no-such-job'))).toThrow(UnrecoverableError);
    expect(() => route(job('toString'))).toThrow(UnrecoverableError);
  });

  it("masks a failed job's message and stack as the queue keeps them, keeping its class", async () => {
    const route = jobRouter({
      ...handlers(),
      import: async () => {
        throw new UnrecoverableError('zip entry "barn 010203-1234.csv" unreadable');
      },
    });
    const error = (await route(job('import')).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe('zip entry "barn ******-****.csv" unreadable');
    expect(error.stack).not.toMatch(/010203/);
  });

  it('runs each job in a log context: its lines carry the job id', async () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', destination: { write: (line: string) => void lines.push(line) } });
    const route = jobRouter({
      ...handlers(),
      import: async () => {
        await new Promise((r) => setTimeout(r, 1));
        log.info('importing');
        return 'done';
      },
    });
    await route({ id: '42', name: 'import', data: {} } as unknown as Job<unknown, string>);
    log.info('after');
    expect(lines.map((l) => JSON.parse(l) as { msg: string; job?: string }).map(({ msg, job }) => ({ msg, job }))).toEqual([
      { msg: 'importing', job: '42' },
      { msg: 'after', job: undefined },
    ]);
  });
});

describe('reportJobRouter (the reports queue’s contract)', () => {
  const reportHandlers = (): ReportJobHandlers<string> => ({
    'committee-report': async (j) => `report ${j.data.municipality}`,
    'weekly-mail': async () => 'weekly',
  });

  it('throws at start-up when a report job has no handler, and routes the others by name', async () => {
    const incomplete = { ...reportHandlers(), 'weekly-mail': undefined } as unknown as ReportJobHandlers<string>;
    expect(() => reportJobRouter(incomplete)).toThrow('No handler for job "weekly-mail".');
    const route = reportJobRouter(reportHandlers());
    expect(await route(job('committee-report', { municipality: 461 }))).toBe('report 461');
    expect(await route(job('weekly-mail'))).toBe('weekly');
    // An ETL job sent to the reports queue is not retried.
    expect(() => route(job('import'))).toThrow(UnrecoverableError);
  });
});
