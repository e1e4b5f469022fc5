import { readFileSync, rmSync } from 'fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IssueLog } from './issues';

// The spill file of rejected rows is written with writeSync, which may take only part of what it is
// given (a disk filling up): the rest must be written, not lost without a word.
vi.mock('fs', async (original) => {
  const real = await original<typeof import('fs')>();
  let calls = 0;
  // Every other write takes half of what it is given, and says so in the number it returns.
  const write = (fd: number, data: string | Buffer, offset?: number, length?: number): number => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const from = typeof data === 'string' ? 0 : (offset ?? 0);
    const size = typeof data === 'string' ? bytes.length : (length ?? bytes.length - from);
    return real.writeSync(fd, bytes, from, ++calls % 2 === 1 ? Math.max(1, Math.floor(size / 2)) : size);
  };
  return { ...real, writeSync: write };
});

describe('the spill file of rejected rows', () => {
  let spill: string | null = null;
  afterEach(() => {
    if (spill) rmSync(spill, { force: true });
  });

  it('holds every row also when a write takes only part of it', () => {
    const log = new IssueLog();
    const rows = 40_000;
    for (let line = 1; line <= rows; line++) log.add('FILE_ABSENT', 'ydelser.csv', line, `værdi ${line}`, `Række ${line} mangler et felt`);
    const handed = log.handOver();
    spill = handed.spill;
    expect(spill).not.toBeNull();
    const lines = readFileSync(spill!, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(rows);
    expect(lines[rows - 1]).toContain(`\t${rows}\t`);
    expect(lines[rows - 1]).toContain(`Række ${rows} mangler et felt`);
  });
});
