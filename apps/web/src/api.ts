import type { CurrentUser, KpiList, KpiResponse, LoginResponse, MunicipalityInfo, SeriesResponse } from '@bu/contracts';

const TOKEN_KEY = 'boerneblik.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const token = getToken();
  const res = await fetch(path, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  // The API renews a token in use (idle timeout): keep the newest one.
  const renewed = res.headers.get('X-Renewed-Token');
  if (renewed && getToken() === token) sessionStorage.setItem(TOKEN_KEY, renewed);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: unknown };
    if (res.status === 401 && token) {
      clearToken();
      window.dispatchEvent(new Event('boerneblik:logout'));
    }
    throw new ApiError(res.status, typeof body.message === 'string' ? body.message : `Fejl ${res.status}`);
  }
  return res;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(path, init);
  return (res.status === 204 ? undefined : res.json()) as Promise<T>;
}

export async function login(username: string, password: string): Promise<CurrentUser> {
  const res = await call<LoginResponse>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
  sessionStorage.setItem(TOKEN_KEY, res.token);
  return res.user;
}

export const me = (): Promise<CurrentUser> => call('/api/v1/me');

/** Ends the session on the server (every token of the user) and forgets the token here, whatever the answer. */
export async function logout(): Promise<void> {
  try {
    if (getToken()) await send('/api/v1/auth/logout', { method: 'POST' });
  } catch {
    // Already expired or the server is unreachable: the token is forgotten below all the same.
  } finally {
    clearToken();
  }
}

export interface ImportRun {
  id: string;
  source: string;
  exportDate: string | null;
  status: string;
  startedAt: string;
  requestedBy: string | null;
  loaded: Record<string, number>;
  rejectedCount: number;
  error: string | null;
}

export const imports = (): Promise<ImportRun[]> => call('/api/v1/imports?limit=20');

export interface AdminComment {
  subjectType: 'budget' | 'goal';
  subjectKey: string;
  period: string;
  text: string;
  author: string;
}

export const comments = (municipality: number, period: string): Promise<AdminComment[]> =>
  call(`/api/v1/comments?municipality=${municipality}&period=${encodeURIComponent(period)}`);
/** Writes or replaces the comment on one budget line or goal for the period (chef and admin). */
export const saveComment = (municipality: number, comment: Omit<AdminComment, 'author'>): Promise<{ ok: true }> =>
  call('/api/v1/comments', { method: 'PUT', body: JSON.stringify({ municipality, ...comment }) });

/** Removes the comment on one budget line or goal for the period (chef and admin). */
export const deleteComment = (municipality: number, c: Pick<AdminComment, 'subjectType' | 'subjectKey' | 'period'>): Promise<void> =>
  call(
    `/api/v1/comments?${new URLSearchParams({ municipality: String(municipality), subjectType: c.subjectType, subjectKey: c.subjectKey, period: c.period })}`,
    { method: 'DELETE' },
  );

export const municipalities = (): Promise<MunicipalityInfo[]> => call('/api/v1/municipalities');

export interface ComparisonGroup {
  id: number;
  name: string;
  members: number[];
}

export const comparisonGroups = (municipality: number): Promise<ComparisonGroup[]> =>
  call(`/api/v1/comparison-groups?municipality=${municipality}`);
export const suggestedNeighbours = (municipality: number): Promise<{ code: number; name: string; distance: number }[]> =>
  call(`/api/v1/comparison-groups/suggested?municipality=${municipality}`);
/** Saves a group by name: the API replaces the members of an existing group with that name. */
export const saveComparisonGroup = (municipality: number, name: string, members: number[]): Promise<{ id: number }> =>
  call('/api/v1/comparison-groups', { method: 'POST', body: JSON.stringify({ municipality, name, members }) });
export const deleteComparisonGroup = (municipality: number, id: number): Promise<void> =>
  call(`/api/v1/comparison-groups/${id}?municipality=${municipality}`, { method: 'DELETE' });

/** Rows per page of a list (the API's most; a list asked without `limit` comes cut at it). */
const PAGE = 1000;
type PagedList = KpiList & { dueSoon?: KpiList };

export async function kpis(params: {
  municipality: number;
  asOf?: string;
  from?: string;
  ids: string[];
  groupId?: number | null;
}): Promise<KpiResponse> {
  const q = new URLSearchParams({ municipality: String(params.municipality), ids: params.ids.join(',') });
  if (params.asOf) q.set('asOf', params.asOf);
  if (params.from) q.set('from', params.from);
  if (params.groupId != null) q.set('groupId', String(params.groupId));
  const answer = await call<KpiResponse>(`/api/v1/kpis?${q}`);
  // The dashboard shows (and exports) whole lists: a list cut at one page is asked for page by page.
  for (const [id, value] of Object.entries(answer.kpis)) {
    const list = value as PagedList | null;
    if (!list || typeof list !== 'object' || list.truncated !== true) continue;
    const rows = [...list.rows];
    const dueSoon = list.dueSoon ? [...list.dueSoon.rows] : undefined;
    for (let offset = PAGE; ; offset += PAGE) {
      const pq = new URLSearchParams(q);
      pq.set('ids', id);
      pq.set('offset', String(offset));
      pq.set('limit', String(PAGE));
      const page = (await call<KpiResponse>(`/api/v1/kpis?${pq}`)).kpis[id] as PagedList;
      rows.push(...page.rows);
      if (dueSoon && page.dueSoon) dueSoon.push(...page.dueSoon.rows);
      if (page.rows.length < PAGE && (page.dueSoon?.rows.length ?? 0) < PAGE) break;
    }
    const whole: PagedList = { ...list, rows, ...(dueSoon && list.dueSoon ? { dueSoon: { ...list.dueSoon, rows: dueSoon } } : {}) };
    delete whole.truncated;
    delete (whole as { offset?: number }).offset;
    delete (whole as { limit?: number }).limit;
    answer.kpis[id] = whole;
  }
  return answer;
}

/** One KPI over time (per year or month up to D), for trend curves. */
export function series(params: { municipality: number; asOf?: string; id: string; by: 'year' | 'month' }): Promise<SeriesResponse> {
  const q = new URLSearchParams({ municipality: String(params.municipality), by: params.by });
  if (params.asOf) q.set('asOf', params.asOf);
  return call(`/api/v1/kpis/${encodeURIComponent(params.id)}/series?${q}`);
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/**
 * Lists come as Arrow streams unless switched off in this browser (localStorage
 * boerneblik.transport = "json"), which the browser benchmark uses to compare the two.
 */
export const arrowLists = (): boolean => localStorage.getItem('boerneblik.transport') !== 'json';

/**
 * One list KPI as an Apache Arrow IPC stream, decoded in the browser into the rows the JSON
 * answer has: numbers stay numbers, text stays text; an array column arrives joined with ", ".
 */
export async function kpiListArrow(params: { municipality: number; asOf?: string; from?: string; id: string }): Promise<KpiList> {
  const q = new URLSearchParams({ municipality: String(params.municipality), ids: params.id });
  if (params.asOf) q.set('asOf', params.asOf);
  if (params.from) q.set('from', params.from);
  const [res, { tableFromIPC }] = await Promise.all([
    send(`/api/v1/kpis?${q}`, { headers: { Accept: ARROW_STREAM } }),
    import('apache-arrow'),
  ]);
  const toRows = async (r: Response) =>
    tableFromIPC(new Uint8Array(await r.arrayBuffer()))
      .toArray()
      .map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON());
  const rows = await toRows(res);
  // Cut at one page (X-Rows-Truncated): the rest, page by page.
  if (res.headers.get('X-Rows-Truncated')) {
    for (let offset = PAGE; ; offset += PAGE) {
      const pq = new URLSearchParams(q);
      pq.set('offset', String(offset));
      pq.set('limit', String(PAGE));
      const page = await toRows(await send(`/api/v1/kpis?${pq}`, { headers: { Accept: ARROW_STREAM } }));
      rows.push(...page);
      if (page.length < PAGE) break;
    }
  }
  return { count: rows.length, rows };
}
