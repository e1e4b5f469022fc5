import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { JOB_NAMES, jobRouter, type EtlJobData } from '@bu/jobs';
import type { Queue } from '@bu/queue';
import { etlJobHandlers } from './etl-job';

describe('the ETL worker and the job contract', () => {
  it('has a handler for every job of the contract, so starting it does not throw', () => {
    const handlers = etlJobHandlers({} as Pool, 'secret', () => ({}) as Queue<EtlJobData>);
    expect(Object.keys(handlers).sort()).toEqual([...JOB_NAMES].sort());
    expect(() => jobRouter(handlers)).not.toThrow();
  });
});
