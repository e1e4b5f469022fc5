import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { compareLsn } from '../database/lsn';
import { KpiCache, PER_CALLER_BYTES, Versions } from './kpi-cache.service';

describe(Versions.name, () => {
  // '*' 3, Odense (461) 7, the statistics 2, learnt at three WAL positions; Copenhagen (101) never moved.
  const versions = new Versions(
    new Map([
      ['*', 3n],
      ['461', 7n],
      ['national', 2n],
    ]),
    new Map([
      ['*', '0/100'],
      ['461', '0/A00'],
      ['national', '1/0'],
    ]),
  );

  it('keeps a value under its municipality and everything, and the statistics only when it reads them', () => {
    expect(versions.stamp({ municipality: 461 })).toBe('3.7');
    expect(versions.stamp({ municipality: 461, national: true })).toBe('3.7.2');
    // A municipality without a row reads as version 0.
    expect(versions.stamp({ municipality: 101 })).toBe('3.0');
    // Every municipality: 3 + 7 + 2 = 12, which grows whenever any of them does.
    expect(versions.stamp({ municipality: 'any' })).toBe('12');
  });

  it('needs the WAL position of the newest version a value depends on', () => {
    expect(versions.lsn({ municipality: 461 })).toBe('0/A00');
    expect(versions.lsn({ municipality: 461, national: true })).toBe('1/0');
    // Copenhagen has no position of its own: that of the first read (with '*').
    expect(versions.lsn({ municipality: 101 })).toBe('0/100');
  });

  it('moves only the scopes given, at the new position', () => {
    const moved = versions.with(new Map([['101', 1n]]), '1/10');
    expect(moved.stamp({ municipality: 101 })).toBe('3.1');
    expect(moved.lsn({ municipality: 101 })).toBe('1/10');
    expect(moved.stamp({ municipality: 461 })).toBe('3.7');
    expect(moved.lsn({ municipality: 461 })).toBe('0/A00');
    expect(versions.stamp({ municipality: 101 })).toBe('3.0');
  });
});

describe(compareLsn.name, () => {
  it('orders WAL positions by their high then low 32 bits, in hexadecimal', () => {
    expect(compareLsn('0/A00', '0/9FF')).toBe(1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
    expect(compareLsn('16/B374D848', '16/B374D848')).toBe(0);
    expect(compareLsn('0/0', '0/1')).toBe(-1);
  });
});

describe(KpiCache.name, () => {
  /** A cache whose database has one version ('*' 1); it listens to nothing. */
  const cacheOnItsOwn = () =>
    new KpiCache({
      options: {},
      driver: { master: { query: async () => ({ rows: [{ scope: '*', version: '1', lsn: '0/1' }] }) } },
    } as unknown as DataSource);

  it("keeps one user's values within an eighth of the cache, their own oldest going first", async () => {
    const cache = cacheOnItsOwn();
    const at = await cache.read();
    // Three such values fit in a user's share, a fourth does not (one buffer, counted for each).
    const value = Buffer.alloc(Math.floor(PER_CALLER_BYTES / 3.5));
    const ask = (user: string, key: string) =>
      cache.chargedTo(user, () => cache.lookup(at, { municipality: 461 }, key, async () => value)).then((r) => r.hit);
    expect(await ask('chef', 'the view')).toBe(false);
    // A team leader asks for page after page: 40 values, each new, more than the whole cache holds.
    for (let page = 1; page <= 40; page++) expect(await ask('teamleder', `page ${page}`)).toBe(false);
    expect(cache.bytesOf('teamleder')).toBeLessThanOrEqual(PER_CALLER_BYTES);
    expect(cache.bytesOf('teamleder')).toBeGreaterThan(2 * value.length);
    // The chief's value is still there; of the team leader's only the newest three.
    expect(await ask('chef', 'the view')).toBe(true);
    for (const page of [38, 39, 40]) expect(await ask('teamleder', `page ${page}`)).toBe(true);
    expect(await ask('teamleder', 'page 37')).toBe(false);
  });

  it('charges what the re-warm computes to nobody, not to the user who last asked it', async () => {
    const cache = cacheOnItsOwn();
    const at = await cache.read();
    const value = Buffer.alloc(Math.floor(PER_CALLER_BYTES / 3.5));
    // A team leader asks the municipality's answer last: noted for the re-warm in their request.
    await cache.chargedTo('teamleder', async () =>
      cache.remember('answer', { municipality: 461 }, async (versions) => {
        await cache.lookup(versions, { municipality: 461 }, 'answer', async () => value);
      }),
    );
    // The re-warm after a change computes it (run here directly, as rewarm() does).
    const recent = (cache as unknown as { recent: Map<string, { recompute: (at: unknown) => Promise<void> }> }).recent;
    await recent.get('answer')!.recompute(at);
    expect(await cache.lookup(at, { municipality: 461 }, 'answer', async () => Buffer.alloc(1)).then((r) => r.hit)).toBe(true);
    // Not in the team leader's share: their own pages cannot push it out.
    expect(cache.bytesOf('teamleder')).toBe(0);
  });

  it("marks a user's value as recently used when anyone reads it", async () => {
    const cache = cacheOnItsOwn();
    const at = await cache.read();
    const value = Buffer.alloc(Math.floor(PER_CALLER_BYTES / 3.5));
    const ask = (user: string, key: string) =>
      cache.chargedTo(user, () => cache.lookup(at, { municipality: 461 }, key, async () => value)).then((r) => r.hit);
    for (const page of [1, 2, 3]) await ask('teamleder', `page ${page}`);
    // Page 1 read again (by another user): page 2 is now the oldest and goes first.
    expect(await ask('chef', 'page 1')).toBe(true);
    await ask('teamleder', 'page 4');
    expect(await ask('chef', 'page 1')).toBe(true);
    expect(await ask('chef', 'page 3')).toBe(true);
    expect(cache.bytesOf('chef')).toBe(0);
    expect(await ask('teamleder', 'page 2')).toBe(false);
  });
});
