import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The answers asked for before the view's code runs (ADR 0112): taken once by the view's own
// request, and forgotten when not taken soon after they came. The page's sessionStorage and fetch
// are stood in for; api.ts is loaded anew for each test (its early answers are the module's own).
describe('the first screen asked early', () => {
  let sent: string[] = [];

  beforeEach(() => {
    vi.resetModules();
    vi.useFakeTimers();
    sent = [];
    const stored = new Map<string, string>([['boerneblik.token', 'token']]);
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
      removeItem: (k: string) => stored.delete(k),
    });
    vi.stubGlobal('fetch', async (path: string) => {
      sent.push(path);
      return new Response(JSON.stringify({ kpis: { 'caseload.open_cases': sent.length } }), {
        headers: { 'content-type': 'application/json' },
      });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const chief = (ids: string[]) => ({ municipality: 101, asOf: '2026-11-30', ids });

  it('gives the view the answer asked early, once, and forgets one not taken 30 s after it came', async () => {
    const api = await import('./api');
    api.askKpisEarly(chief(['caseload.open_cases']));
    api.askKpisEarly(chief(['activity.placed_children']));
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(0);

    // The view asks for the first: taken, nothing sent; asked again, it is sent.
    expect((await api.kpis(chief(['caseload.open_cases']))).kpis['caseload.open_cases']).toBe(1);
    expect(sent).toHaveLength(2);
    await api.kpis(chief(['caseload.open_cases']));
    expect(sent).toHaveLength(3);

    // The second is kept for the view while it is fresh, not after.
    await vi.advanceTimersByTimeAsync(api.EARLY_ANSWER_KEPT_MS - 1000);
    expect(sent).toHaveLength(3);
    api.askKpisEarly(chief(['activity.placed_children'])); // the view has asked: nothing more early
    expect(sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1000);
    const later = await api.kpis(chief(['activity.placed_children']));
    expect(sent).toHaveLength(4);
    expect(later.kpis['caseload.open_cases']).toBe(4);
  });

  it('keeps an answer still under way however long it takes, and 30 s from when it comes', async () => {
    let answer = (_: Response) => undefined as void;
    vi.stubGlobal('fetch', (path: string) => {
      sent.push(path);
      return new Promise<Response>((r) => (answer = r));
    });
    const api = await import('./api');
    api.askKpisEarly(chief(['caseload.open_cases']));
    await vi.advanceTimersByTimeAsync(2 * api.EARLY_ANSWER_KEPT_MS);
    answer(new Response(JSON.stringify({ kpis: { 'caseload.open_cases': 7 } }), { headers: { 'content-type': 'application/json' } }));
    await vi.advanceTimersByTimeAsync(api.EARLY_ANSWER_KEPT_MS - 1000);
    expect((await api.kpis(chief(['caseload.open_cases']))).kpis['caseload.open_cases']).toBe(7);
    expect(sent).toHaveLength(1);
  });
});
