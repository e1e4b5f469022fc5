import { Writable } from 'stream';
import type { PoolClient } from 'pg';
import { describe, expect, it } from 'vitest';
import { CopyWriter } from './copy';

/** A client whose COPY stream keeps what it is sent (slowly, so the writer has to wait for it). */
function fakeClient(): { client: PoolClient; sent: () => string; bytes: () => Buffer; pieces: () => number } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1 << 16,
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.from(chunk));
      setImmediate(done);
    },
  });
  return {
    client: { query: () => stream } as unknown as PoolClient,
    sent: () => Buffer.concat(chunks).toString('utf8'),
    bytes: () => Buffer.concat(chunks),
    pieces: () => chunks.length,
  };
}

const columns = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('CopyWriter (COPY text format)', () => {
  it('escapes, writes NULL as \\N, and sends every row in order across pieces, a row longer than a piece too', async () => {
    const { client, sent, pieces } = fakeClient();
    const huge = 'æ'.repeat(600_000);
    const rows: unknown[][] = [];
    for (let i = 0; i < 60_000; i++) rows.push([461, 'dubu', `Y${i}`, i % 7 ? null : 'a\tb\\c\nd\re', i % 2 === 0, 'Leverandør ø']);
    rows.splice(30_000, 0, [461, 'dubu', 'HUGE', huge, true, 'x']);
    const count = await CopyWriter.run(client, 'stg', columns(6), async (writer) => {
      for (const row of rows) {
        const wait = writer.write(row);
        if (wait) await wait;
      }
    });
    expect(count).toBe(rows.length);
    expect(pieces()).toBeGreaterThan(3);
    const expected = rows
      .map(
        (r) =>
          r
            .map((v) =>
              v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'),
            )
            .join('\t') + '\n',
      )
      .join('');
    expect(sent()).toBe(expected);
  });

  it('writes a plain row (no string needs escaping, the caller says) exactly as the checked path would', async () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 20_000; i++)
      rows.push([461, 'dubu', `Y${i}`, i % 3 ? null : `Leverandør ${i % 50} æøå €`, i % 2 === 0, 1.5, undefined, i]);
    const checked = fakeClient();
    const plain = fakeClient();
    await CopyWriter.run(checked.client, 'stg', columns(8), async (writer) => {
      for (const row of rows) await writer.write(row);
    });
    await CopyWriter.run(plain.client, 'stg', columns(8), async (writer) => {
      for (const row of rows) await writer.write(row, true);
    });
    expect(plain.sent()).toBe(checked.sent());
    expect(plain.sent().split('\n')[3]).toBe('461\tdubu\tY3\tLeverandør 3 æøå €\tfalse\t1.5\t\\N\t3');
  });

  it('encodes UTF-8 byte for byte as Buffer does: one to four bytes, lone surrogates, short and long texts', async () => {
    const texts = [
      '',
      'a',
      'æøå ÆØÅ',
      'é ß ü',
      '§ ° ½ Ω ж \u0080 \u07ff',
      '€ 漢字',
      '😀 x',
      'lone \ud800 surrogate',
      'end \udc00',
      'ø'.repeat(64),
      'ø'.repeat(65),
      '€'.repeat(70),
      'x'.repeat(63) + 'ø',
      'x'.repeat(64) + '€',
    ];
    const rows: unknown[][] = [];
    for (let i = 0; i < 5_000; i++)
      rows.push([i, texts[i % texts.length], texts[(i * 7) % texts.length] + texts[(i * 3) % texts.length], null]);
    const { client, bytes } = fakeClient();
    await CopyWriter.run(client, 'stg', columns(4), async (writer) => {
      for (const row of rows) await writer.write(row, true);
    });
    const expected = rows.map((r) => r.map((v) => (v === null ? '\\N' : String(v))).join('\t') + '\n').join('');
    expect(bytes().equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it("leaves out the values of omitted columns (the table's defaults), in the statement and in every row", async () => {
    const chunks: Buffer[] = [];
    let statement = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    const client = { query: (q: { text: string }) => ((statement = q.text), stream) } as unknown as PoolClient;
    await CopyWriter.run(
      client,
      'stg',
      ['municipality_code', 'source', 'measure_id', '_file', '_line'],
      async (writer) => {
        await writer.write([461, 'dubu', 'Y1', 'ydelser.csv', 2]);
        await writer.write([461, 'dubu', 'Y\t2', 'ydelser.csv', 3]);
      },
      { omit: [0, 1, 3] },
    );
    expect(statement).toBe('COPY stg (measure_id, _line) FROM STDIN');
    expect(Buffer.concat(chunks).toString('utf8')).toBe('Y1\t2\nY\\t2\t3\n');
  });
});

describe('CopyWriter when the connection dies', () => {
  /** A COPY stream like pg-copy-streams' on a dead socket: it reports the error once (an 'error' event, not destroy) and never drains. */
  function deadClient(): { client: PoolClient; die: () => void } {
    const stream = new Writable({ highWaterMark: 1 << 16, write: () => undefined });
    return {
      client: { query: () => stream } as unknown as PoolClient,
      die: () => stream.emit('error', new Error('Connection terminated unexpectedly')),
    };
  }
  const row = (i: number) => [461, 'dubu', `Y${i}`, 'Leverandør ø'.repeat(8), i % 2 === 0];

  it('fails the rows written after the error, also when the error came before the writer had to wait', async () => {
    const { client, die } = deadClient();
    const copied = CopyWriter.run(client, 'stg', columns(5), async (writer) => {
      void writer.write(row(0));
      die();
      for (let i = 1; i < 100_000; i++) {
        const wait = writer.write(row(i));
        if (wait) await wait;
      }
    });
    await expect(copied).rejects.toThrow('Connection terminated unexpectedly');
  });

  it('fails the wait of a writer already waiting when the error comes', async () => {
    const { client, die } = deadClient();
    const copied = CopyWriter.run(client, 'stg', columns(5), async (writer) => {
      for (let i = 0; i < 100_000; i++) {
        const wait = writer.write(row(i));
        if (wait) {
          setImmediate(die);
          await wait;
        }
      }
    });
    await expect(copied).rejects.toThrow('Connection terminated unexpectedly');
  });
});
