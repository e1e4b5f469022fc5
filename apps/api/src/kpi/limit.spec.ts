import { describe, expect, it } from 'vitest';
import { mapLimited, Slots } from './limit';

/** A task that ends when told, recording how many run at once. */
function gauge() {
  let running = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const task = <T>(result: T) =>
    new Promise<T>((resolve) => {
      most = Math.max(most, ++running);
      release.push(() => {
        running--;
        resolve(result);
      });
    });
  return { task, release, most: () => most, running: () => running };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapLimited', () => {
  it('runs at most the limit at once and gives the results in the order of the items', async () => {
    const g = gauge();
    const done = mapLimited([1, 2, 3, 4, 5], 2, (n) => g.task(n * 10));
    await tick();
    expect(g.running()).toBe(2);
    // The second ends first: the third starts, the order of the results is still the items'.
    g.release.splice(1, 1)[0]();
    await tick();
    expect(g.running()).toBe(2);
    while (g.release.length > 0) {
      g.release.shift()!();
      await tick();
    }
    expect(await done).toEqual([10, 20, 30, 40, 50]);
    expect(g.most()).toBe(2);
  });

  it('starts no more items after a failure and throws it once those running have ended', async () => {
    const started: number[] = [];
    const run = mapLimited([1, 2, 3, 4], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('one failed');
      return n;
    });
    await expect(run).rejects.toThrow('one failed');
    expect(started).toEqual([1, 2]);
  });
});

describe('Slots', () => {
  it('lets at most its size run and the waiting in, first come first served', async () => {
    const slots = new Slots(2);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string) => slots.run(() => g.task(name)).then((n) => order.push(n));
    const all = ['a', 'b', 'c', 'd'].map(ask);
    await tick();
    expect(g.running()).toBe(2);
    expect(slots.queued).toBe(2);
    g.release.shift()!();
    await tick();
    // a's slot went to c, the first waiting.
    expect(g.running()).toBe(2);
    expect(slots.queued).toBe(1);
    while (g.release.length > 0) {
      g.release.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(g.most()).toBe(2);
  });

  it("serves the waiting tasks by their request's turn, not by when each was queued", async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string) => slots.run(() => g.task(name)).then((n) => order.push(n));
    let goOn!: () => void;
    const later = new Promise<void>((resolve) => (goOn = resolve));
    // Request A holds the slot with its first task and asks for its second only later.
    const a = slots.request(async () => {
      const first = ask('a1');
      await later;
      await Promise.all([first, ask('a2')]);
    });
    await tick();
    // Request B, asked after A, queues two tasks before A queues its second.
    const b = slots.request(() => Promise.all([ask('b1'), ask('b2')]));
    await tick();
    goOn();
    await tick();
    expect(slots.queued).toBe(3);
    while (order.length < 4) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all([a, b]);
    // A's second task went before B's, though queued after them: A's answer is finished first.
    expect(order).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(g.most()).toBe(1);
  });

  it('gives a task outside any request the turn of its arrival', async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string) => slots.run(() => g.task(name)).then((n) => order.push(n));
    const first = ask('x1');
    await tick();
    const later = slots.request(() => ask('r1'));
    const outside = ask('x2');
    await tick();
    while (order.length < 3) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all([first, later, outside]);
    expect(order).toEqual(['x1', 'r1', 'x2']);
  });

  it('frees the slot of a task that fails', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await slots.run(async () => 'next')).toBe('next');
  });
});
