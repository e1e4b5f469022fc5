import { describe, expect, it } from 'vitest';
import { mapLimited, Slots, TooManyRequests } from './limit';

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

  it('serves the tasks of users with one request each request by request (ADR 0091), not as they were queued', async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string) => slots.run(() => g.task(name)).then((n) => order.push(n));
    let goOn!: () => void;
    const later = new Promise<void>((resolve) => (goOn = resolve));
    // User a's request holds the slot with its first task and asks for its second only later.
    const a = slots.request(async () => {
      const first = ask('a1');
      await later;
      await Promise.all([first, ask('a2')]);
    }, 'a');
    await tick();
    // User b's request, of the same turn but asked after a's, queues two tasks before a's second.
    const b = slots.request(() => Promise.all([ask('b1'), ask('b2')]), 'b');
    await tick();
    goOn();
    await tick();
    while (order.length < 4) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all([a, b]);
    expect(order).toEqual(['a1', 'a2', 'b1', 'b2']);
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

  it("serves a newcomer's request after at most one of each busy user's, and each user's in the order asked", async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string, caller: string) => slots.request(() => slots.run(() => g.task(name)), caller).then((n) => order.push(n));
    const hold = slots.run(() => g.task('hold')).then((n) => order.push(n));
    // Two busy users ask for many at once, then a third for one.
    const asked = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => ask(n, 'a')),
      ...['c1', 'c2', 'c3'].map((n) => ask(n, 'c')),
      ask('b1', 'b'),
    ];
    await tick();
    expect(slots.queued).toBe(9);
    while (order.length < 10) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all([hold, ...asked]);
    // In arrival order b1 would have come last, behind all eight.
    expect(order).toEqual(['hold', 'a1', 'c1', 'b1', 'a2', 'c2', 'a3', 'c3', 'a4', 'a5']);
  });

  it('gives a newcomer the turn of the oldest request in progress, not one before those still waiting', async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string, caller: string) => slots.request(() => slots.run(() => g.task(name)), caller).then((n) => order.push(n));
    // a's turns 0, 1, 2 and d's 0, 1: a1 runs, then d1, a2, d2, a3 by turn.
    const asked = [ask('a1', 'a'), ask('a2', 'a'), ask('a3', 'a'), ask('d1', 'd'), ask('d2', 'd')];
    await tick();
    for (let i = 0; i < 2; i++) {
      g.release.shift()!();
      await tick();
    }
    // a2 runs: the oldest turn in progress is 1. b takes it, behind d2 (turn 1, waiting), before a3.
    expect(order).toEqual(['a1', 'd1']);
    asked.push(ask('b1', 'b'));
    while (order.length < 6) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all(asked);
    expect(order).toEqual(['a1', 'd1', 'a2', 'd2', 'b1', 'a3']);
  });

  it('does not let users who ask one at a time pass a user with several waiting again and again', async () => {
    const slots = new Slots(1);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string, caller: string) => slots.request(() => slots.run(() => g.task(name)), caller).then((n) => order.push(n));
    const hold = slots.run(() => g.task('hold')).then((n) => order.push(n));
    const chief = ['c1', 'c2', 'c3'].map((n) => ask(n, 'c'));
    // Two users each ask again as soon as their answer has come.
    const oneAtATime = (caller: string) =>
      (async () => {
        for (let i = 1; i <= 3; i++) await ask(`${caller}${i}`, caller);
      })();
    const others = [oneAtATime('u'), oneAtATime('w')];
    while (order.length < 10) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all([hold, ...chief, ...others]);
    // One request of each user per round: the chief's are not pushed back by each new one of theirs.
    expect(order).toEqual(['hold', 'c1', 'u1', 'w1', 'c2', 'u2', 'w2', 'c3', 'u3', 'w3']);
  });

  it('refuses a user at once past their requests in progress, and neither another user nor the background', async () => {
    const slots = new Slots(1, 2);
    const g = gauge();
    const order: string[] = [];
    const ask = (name: string, caller?: string) => slots.request(() => slots.run(() => g.task(name)), caller).then((n) => order.push(n));
    const asked = [ask('a1', 'a'), ask('a2', 'a')];
    expect(slots.inProgress('a')).toBe(2);
    // Thrown, not a rejected promise: nothing is queued for it.
    expect(() => slots.request(() => slots.run(() => g.task('a3')), 'a')).toThrow(TooManyRequests);
    expect(slots.inProgress('a')).toBe(2);
    asked.push(ask('b1', 'b'), ask('x1'), ask('x2'), ask('x3'));
    await tick();
    expect(slots.queued).toBe(5);
    while (order.length < 6) {
      g.release.shift()?.();
      await tick();
    }
    await Promise.all(asked);
    expect(order).toEqual(['a1', 'b1', 'x1', 'a2', 'x2', 'x3']);
    // Done: a may ask again.
    expect(slots.inProgress('a')).toBe(0);
    expect(await slots.request(async () => 'again', 'a')).toBe('again');
  });

  it('frees the slot of a task that fails', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await slots.run(async () => 'next')).toBe('next');
  });
});
