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

// A list longer than a page is asked page by page (issue 13); an import that commits between two
// pages would join rows of two data versions into one list. The pages carry X-Data-Version: a page
// of another version than the first asks for the whole answer again.
describe('a long list asked page by page while an import commits', () => {
  const LIST = 'deadline.followup_overdue';
  let asked: { offset: number; version: string }[] = [];

  /** The API as stood in for: the list has 1500 rows; the n-th request answers from versions[n]. */
  function api(versions: string[]): void {
    asked = [];
    vi.stubGlobal('fetch', async (path: string) => {
      const offset = Number(new URL(path, 'http://x').searchParams.get('offset') ?? 0);
      const version = versions[Math.min(asked.length, versions.length - 1)];
      asked.push({ offset, version });
      const rows = Array.from({ length: offset === 0 ? 1000 : 500 }, (_, i) => ({ case: `${version}-${offset + i}` }));
      const list = offset === 0 ? { count: 1500, rows, truncated: true } : { count: 1500, rows, offset, limit: 1000 };
      return new Response(JSON.stringify({ kpis: { [LIST]: list } }), {
        headers: { 'content-type': 'application/json', 'X-Data-Version': version },
      });
    });
  }

  beforeEach(() => {
    vi.resetModules();
    const stored = new Map<string, string>([['boerneblik.token', 'token']]);
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
      removeItem: (k: string) => stored.delete(k),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  const ask = async () => (await import('./api')).kpis({ municipality: 461, ids: [LIST] });

  it('joins the pages of one version', async () => {
    api(['7.1']);
    const rows = ((await ask()).kpis[LIST] as { rows: { case: string }[] }).rows;
    expect(rows).toHaveLength(1500);
    expect(asked.map((a) => a.offset)).toEqual([0, 1000]);
  });

  it('asks again, whole, when a page came from newer data, and gives one version’s rows', async () => {
    api(['7.1', '7.2']);
    const answer = (await ask()).kpis[LIST] as { rows: { case: string }[]; truncated?: boolean };
    expect(asked).toEqual([
      { offset: 0, version: '7.1' },
      { offset: 1000, version: '7.2' },
      { offset: 0, version: '7.2' },
      { offset: 1000, version: '7.2' },
    ]);
    expect(answer.rows).toHaveLength(1500);
    expect(answer.rows.every((r) => r.case.startsWith('7.2-'))).toBe(true);
    expect(answer.truncated).toBeUndefined();
  });

  it('gives up with a Danish message when the data changes on every attempt', async () => {
    api(['1', '2', '3', '4', '5', '6']);
    const { LIST_CHANGED_MESSAGE } = await import('./api');
    await expect(ask()).rejects.toThrow(LIST_CHANGED_MESSAGE);
    expect(asked).toHaveLength(6);
  });
});

// A user with too many KPI requests in progress is refused with 429 (ADR 0121): the view shows
// the API's Danish message; a 429 whose body says nothing (a proxy's) gets a Danish one too. The
// session goes on.
describe('a KPI request refused with 429', () => {
  const stored = new Map<string, string>();
  beforeEach(() => {
    vi.resetModules();
    stored.clear();
    stored.set('boerneblik.token', 'token');
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
      removeItem: (k: string) => stored.delete(k),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  const refuse = (body: string, headers: Record<string, string>) =>
    vi.stubGlobal('fetch', async () => new Response(body, { status: 429, headers }));
  const ask = async () => (await import('./api')).kpis({ municipality: 461, ids: ['caseload.open_cases'] });

  it("shows the API's message, and keeps the session", async () => {
    const message = 'For mange nøgletal under beregning på én gang (højst 64 pr. bruger). Prøv igen om 5 sekunder.';
    refuse(JSON.stringify({ statusCode: 429, message, retryAfter: 5 }), { 'content-type': 'application/json', 'Retry-After': '5' });
    await expect(ask()).rejects.toMatchObject({ status: 429, message });
    expect(stored.get('boerneblik.token')).toBe('token');
  });

  it('says it in Danish when the answer says nothing', async () => {
    refuse('<html>Too Many Requests</html>', { 'content-type': 'text/html', 'Retry-After': '7' });
    await expect(ask()).rejects.toMatchObject({ status: 429, message: 'For mange forespørgsler på én gang. Prøv igen om 7 sekunder.' });
    refuse('', {});
    await expect(ask()).rejects.toMatchObject({ message: 'For mange forespørgsler på én gang. Prøv igen om lidt.' });
  });
});
