import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'stream';

// COPY ... FROM STDIN in text format, written in ~1 MB pieces with backpressure.

function escapeCopy(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const s = typeof value === 'string' ? value : String(value);
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

export class CopyWriter {
  private buffer: string[] = [];
  private size = 0;
  private readonly stream: Writable;
  private readonly done: Promise<void>;
  rows = 0;

  constructor(client: PoolClient, table: string, columns: string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    this.done = new Promise((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', reject);
    });
    // An early error must not surface as an unhandled rejection before end() awaits it.
    this.done.catch(() => undefined);
  }

  async write(values: unknown[]): Promise<void> {
    const line = values.map(escapeCopy).join('\t') + '\n';
    this.buffer.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => reject(e);
        this.stream.once('error', onError);
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          resolve();
        });
      });
    }
  }

  /** Abandons the COPY (CopyFail), so the connection can roll back instead of waiting for more rows. */
  async abort(reason: Error): Promise<void> {
    this.buffer = [];
    this.stream.destroy(reason);
    await this.done.catch(() => undefined);
  }

  /** Streams rows from `produce` into the table; on any error the COPY is abandoned and the error rethrown. */
  static async run(client: PoolClient, table: string, columns: string[], produce: (writer: CopyWriter) => Promise<void>): Promise<number> {
    const writer = new CopyWriter(client, table, columns);
    try {
      await produce(writer);
    } catch (error) {
      await writer.abort(error as Error);
      throw error;
    }
    return writer.end();
  }

  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}
