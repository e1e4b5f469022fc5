import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyWriter } from '../../etl/src/load/copy';
import { createTestDatabase, TEST_APPLICATION_NAME, type TestDatabase } from '../support/database';

// A COPY whose connection dies (the server stopped or restarted, the backend was terminated) must
// fail the rows still being written, not wait for a 'drain' that never comes: a hung COPY kept its
// import, and its ETL job, active for good (seen when CI stopped PostgreSQL under an import).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('COPY on a connection that dies', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query('CREATE TABLE copied (id int, label text)');
  });
  afterAll(async () => db?.drop());

  it("fails with the connection's own error when it dies after the last row", async () => {
    const client = new Client({ connectionString: db.url, application_name: TEST_APPLICATION_NAME });
    client.on('error', () => undefined);
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    try {
      const copied = CopyWriter.run(client, 'copied', ['id', 'label'], async (writer) => {
        for (let i = 0; i < 1000; i++) await writer.write([i, `række ${i}`]);
        await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await sleep(500);
      });
      // Not pg-copy-streams' "Cannot read properties of null" from a stream whose connection is gone.
      await expect(copied).rejects.toThrow(/terminat/i);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  for (const moment of ['between two writes', 'while the writer waits for the server'] as const) {
    it(`fails the import's rows when the backend is terminated ${moment}`, async () => {
      const client = new Client({ connectionString: db.url, application_name: TEST_APPLICATION_NAME });
      client.on('error', () => undefined);
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const terminate = () => db.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      let written = 0;
      try {
        const copied = CopyWriter.run(client, 'copied', ['id', 'label'], async (writer) => {
          for (let i = 0; i < 50_000_000; i++) {
            if (i === 1000) {
              if (moment === 'between two writes') {
                await terminate();
                // The error reaches the COPY stream before the next row.
                await sleep(500);
              } else {
                void terminate();
              }
            }
            const wait = writer.write([i, `række ${i} `.repeat(20)]);
            written++;
            if (wait) await wait;
          }
        });
        const outcome = await Promise.race([
          copied.then(
            () => 'finished',
            (e: Error) => e.message,
          ),
          sleep(60_000).then(() => 'hung'),
        ]);
        expect(outcome).not.toMatch(/^(finished|hung)$/);
        // It stopped near the termination, not at the end of its rows.
        expect(written).toBeLessThan(50_000_000);
      } finally {
        await client.end().catch(() => undefined);
      }
      expect((await db.pool.query('SELECT count(*)::int AS n FROM copied')).rows[0].n).toBe(0);
    });
  }
});
