import { randomBytes } from 'crypto';
import type { QueueConfig } from '@bu/queue';

/** The shared Redis the queue tests use (CI starts it on this address). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A queue configuration on one backend: Redis, or BullMQ's PostgreSQL backend in the test's own
 * database (the embedded default). The prefix is the test's own, so tests sharing Redis never see
 * each other's jobs.
 */
export function testQueueConfig(databaseUrl: string, backend: 'redis' | 'postgres', prefix: string): QueueConfig {
  return {
    databaseUrl,
    redisUrl: backend === 'redis' ? TEST_REDIS_URL : undefined,
    queuePrefix: `${prefix}-${randomBytes(4).toString('hex')}`,
  };
}
