import createClient from 'openapi-fetch';
import { isLoginStep, type LoginStep } from '@bu/contracts';
import type { CurrentUser, KpiList, KpiResponse, KpisQuery, MunicipalityInfo, SeriesResponse } from '@bu/contracts';
import type { components, paths } from './api/schema';
import { tokenClaims, tokenEnds } from './session';

const TOKEN_KEY = 'boerneblik.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A login whose one-time code is asked for, was wrong, or waits (ADR 0116). */
    readonly secondFactor?: LoginStep,
  ) {
    super(message);
  }
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
/** Forgets the token, and the answers asked early with it (ADR 0112). */
export const clearToken = (): void => {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(TOKEN_ENDS_KEY);
  clearTimeout(expiryTimer);
  forgetEarly();
};
/**
 * A new login's token. Whatever was asked early was asked for whoever was signed in before
 * (ADR 0080, 0112): forgotten, so the new user's app asks for its own.
 */
function signedIn(token: string): void {
  forgetEarly();
  early = {};
  storeToken(token);
}

// The session ends on the page too (not only at the next request): at the token's end (the idle
// timeout, or the session's lifetime), and in every tab of the user who logs out in one.

/** When the stored token ends, on this computer's clock (ms since 1970), beside the token. */
const TOKEN_ENDS_KEY = 'boerneblik.tokenEnds';
/** Checked again at least this often: a timer stands still while the computer sleeps. */
const EXPIRY_CHECK_MS = 15_000;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

/** Keeps a new or renewed token and (re)schedules its end. */
function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  const ends = tokenEnds(tokenClaims(token), Date.now());
  if (ends === null) sessionStorage.removeItem(TOKEN_ENDS_KEY);
  else sessionStorage.setItem(TOKEN_ENDS_KEY, String(ends));
  checkExpiry();
}

/** Why the session ended, until the app has shown it (it may end before the app listens: a reload after the token's end). */
let logoutNotice: string | null = null;

/** The notice of a session that ended, once: the app's login form shows it. */
export function takeLogoutNotice(): string | null {
  const notice = logoutNotice;
  logoutNotice = null;
  return notice;
}

/** Forgets the token and tells the app, which shows the login form (with the notice). */
function endSession(notice: string): void {
  clearToken();
  logoutNotice = notice;
  window.dispatchEvent(new CustomEvent('boerneblik:logout', { detail: { notice } }));
}

function checkExpiry(): void {
  clearTimeout(expiryTimer);
  const token = getToken();
  if (!token) return;
  const stored = sessionStorage.getItem(TOKEN_ENDS_KEY);
  // A token stored by the page before this release has no end kept beside it: its exp as it stands.
  const ends = stored ? Number(stored) : tokenEnds({ exp: tokenClaims(token)?.exp }, 0);
  if (!ends) return;
  const wait = ends - Date.now();
  if (wait <= 0) endSession('Din session er udløbet. Log ind igen.');
  else expiryTimer = setTimeout(checkExpiry, Math.min(wait, EXPIRY_CHECK_MS));
}

/**
 * The tabs of this browser. "Log ud" ends every token of the user on the server, so each tab
 * holding one of that user's tokens (a duplicated tab, or a renewed copy) logs out too; a tab
 * where another user is signed in (sessionStorage is per tab) is left alone. Only the username
 * goes over the channel, never a token.
 */
const tabs = typeof window !== 'undefined' && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('boerneblik') : null;

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const token = getToken();
  // Headers, not an object spread: the typed client's `content-type` must replace the default, not join it.
  // A form (an upload) gets the browser's multipart type with its boundary.
  const headers = new Headers(token ? { Authorization: `Bearer ${token}` } : {});
  if (!(init.body instanceof FormData)) headers.set('Content-Type', 'application/json');
  new Headers(init.headers).forEach((value, name) => headers.set(name, value));
  const res = await fetch(path, { ...init, headers });
  // The API renews a token in use (idle timeout): keep the newest one.
  const renewed = res.headers.get('X-Renewed-Token');
  if (renewed && getToken() === token) storeToken(renewed);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: unknown; secondFactor?: unknown };
    // Refused: the token this request was sent with has ended. A newer one (another login since)
    // is not.
    if (res.status === 401 && token && getToken() === token) {
      clearToken();
      window.dispatchEvent(new Event('boerneblik:logout'));
    }
    const step = isLoginStep(body.secondFactor) ? body.secondFactor : undefined;
    throw new ApiError(res.status, typeof body.message === 'string' ? body.message : unexplained(res), step);
  }
  return res;
}

/**
 * What the view says of a refusal whose body says nothing (a proxy's page, say). A 429 (too many
 * requests; the API's own says why, ADR 0121) is something to wait out, not a fault.
 */
function unexplained(res: Response): string {
  if (res.status !== 429) return `Fejl ${res.status}`;
  const seconds = Number(res.headers.get('Retry-After'));
  const wait = Number.isInteger(seconds) && seconds > 0 ? `${seconds} ${seconds === 1 ? 'sekund' : 'sekunder'}` : 'lidt';
  return `For mange forespørgsler på én gang. Prøv igen om ${wait}.`;
}

/**
 * A stand-in for fetch's Request in the typed client: openapi-fetch builds one per call, and the
 * browser's would need an absolute URL (and a Request object would hide the path from `send`).
 */
class PathRequest {
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  constructor(
    readonly url: string,
    init: RequestInit = {},
  ) {
    this.method = init.method ?? 'GET';
    this.headers = new Headers(init.headers);
    this.body = init.body;
  }
}

/**
 * The typed client: paths, parameters, bodies and answers from the API's OpenAPI description
 * (api/schema.ts, made by `npm run generate:api`). Every call goes through `send`: the token, its
 * renewal, the logout on 401 and the Danish error message stay in one place.
 */
const client = createClient<paths>({
  Request: PathRequest as unknown as typeof Request,
  fetch: (request: Request) => send(request.url, { method: request.method, headers: request.headers, body: request.body }),
});

/** The answer of a typed call (an error never gets here: `send` has thrown it as an ApiError). */
async function data<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/** A password login; `code`: the authenticator app's one-time code, once the API has asked for it. */
export async function login(username: string, password: string, code?: string): Promise<CurrentUser> {
  const res = await data(client.POST('/api/v1/auth/login', { body: { username, password, ...(code === undefined ? {} : { code }) } }));
  signedIn(res.token);
  return res.user;
}

/**
 * The user's own new password (ADR 0117): required after an administrator gave one. The answer is a
 * new session; the user's other sessions end.
 */
export async function changePassword(password: string, newPassword: string): Promise<CurrentUser> {
  const res = await data(client.POST('/api/v1/auth/password', { body: { password, newPassword } }));
  signedIn(res.token);
  return res.user;
}

/** The organisation's login buttons (OpenID Connect, SAML) that are set up; none otherwise. */
export type AuthProvider = components['schemas']['AuthProviders']['providers'][number];
export const authProviders = async (): Promise<AuthProvider[]> => (await data(client.GET('/api/v1/auth/providers'))).providers;

/** Single sign-on's last step: the one-time ticket from the provider's callback, for a session like a password login's. */
export async function exchangeSsoTicket(ticket: string): Promise<CurrentUser> {
  const res = await data(client.POST('/api/v1/auth/sso/exchange', { body: { ticket } }));
  signedIn(res.token);
  return res.user;
}

export const me = (): Promise<CurrentUser> => data(client.GET('/api/v1/me'));

/**
 * Ends the session on the server (every token of the user) and forgets the token here, whatever the
 * answer. After a login through the organisation's OpenID Connect provider: the provider's logout
 * address, where the browser goes next so that session ends too.
 */
export async function logout(): Promise<string | undefined> {
  const token = getToken();
  const user = token ? tokenClaims(token)?.sub : undefined;
  try {
    if (token) return (await client.POST('/api/v1/auth/logout')).data?.redirect;
  } catch {
    // Already expired or the server is unreachable: the token is forgotten below all the same.
  } finally {
    clearToken();
    if (user) tabs?.postMessage({ logout: user });
  }
  return undefined;
}

export type ImportRun = components['schemas']['ImportRun'];

export const imports = (): Promise<ImportRun[]> => data(client.GET('/api/v1/imports', { params: { query: { limit: '20' } } }));

export type AdminComment = components['schemas']['AdminComment'];
type CommentKey = Pick<AdminComment, 'subjectType' | 'subjectKey' | 'period'>;

export const comments = (municipality: number, period: string): Promise<AdminComment[]> =>
  data(client.GET('/api/v1/comments', { params: { query: { municipality: String(municipality), period } } }));
/** Writes or replaces the comment on one budget line or goal for the period (chef and admin). */
export const saveComment = (municipality: number, comment: CommentKey & { text: string }): Promise<{ ok: true }> =>
  data(client.PUT('/api/v1/comments', { body: { municipality, ...comment } }));

/** Removes the comment on one budget line or goal for the period (chef and admin). */
export const deleteComment = async (municipality: number, c: CommentKey): Promise<void> => {
  await client.DELETE('/api/v1/comments', {
    params: { query: { municipality: String(municipality), subjectType: c.subjectType, subjectKey: c.subjectKey, period: c.period } },
  });
};

export const municipalities = (): Promise<MunicipalityInfo[]> => data(client.GET('/api/v1/municipalities'));

/**
 * Who the user is and the municipalities they may see, asked for as soon as the page runs with a
 * token, while the dashboard's own code still loads (ADR 0080). Each answer is taken once; asked
 * again after that (a new login, a reload of the list), they are fetched anew.
 */
let early: { me?: Promise<CurrentUser>; places?: Promise<MunicipalityInfo[]> } = {};
/** Both early answers as asked, for the first screen's early requests (first-screen.ts); not taken. */
let earlyBoth: { me: Promise<CurrentUser>; places: Promise<MunicipalityInfo[]> } | undefined;
export function askEarly(): void {
  if (!getToken()) return;
  const asked = { me: me(), places: municipalities() };
  early = { ...asked };
  earlyBoth = asked;
  // Taken later, or never (the token had expired: refused, and forgotten, so the login that follows
  // asks anew). A refusal here is no unhandled rejection.
  asked.me.catch(() => undefined);
  asked.places.catch(() => {
    if (early.places === asked.places) early.places = undefined;
  });
}
export function earlyMe(): Promise<CurrentUser> {
  const asked = early.me;
  early.me = undefined;
  return asked ?? me();
}
export function earlyMunicipalities(): Promise<MunicipalityInfo[]> {
  const asked = early.places;
  early.places = undefined;
  return asked ?? municipalities();
}
/** The early answers of askEarly without taking them, or undefined when none were asked. */
export const peekEarly = (): typeof earlyBoth => earlyBoth;

/**
 * The first screen's answers asked for before the view's code ran (ADR 0112), by request (path and
 * query in a fixed order); each is taken once by the view's own request for the same, which then
 * is not sent. A refused one is refused to the view as its own request would have been.
 */
const earlyAnswers = new Map<string, Promise<unknown>>();
/** Whether the view has asked for figures itself: from then on nothing more is asked early. */
let viewAsked = false;
export const earlyAsked = (): boolean => viewAsked;

const requestKey = (path: string, query: object): string =>
  `${path}?${Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')}`;

/**
 * How long an early answer is kept once it has come, for the view to take. The view takes its
 * first screen's within a second or two; one not taken by then (the user went elsewhere first)
 * would only be older than the data when the view next asks, and holds figures, for a team leader
 * person-level lists, in the page for nothing.
 */
export const EARLY_ANSWER_KEPT_MS = 30_000;

function askEarlyOnce(key: string, ask: () => Promise<unknown>): void {
  if (viewAsked || earlyAnswers.has(key)) return;
  const answer = ask();
  earlyAnswers.set(key, answer);
  // Not taken (the user went elsewhere first): no unhandled rejection, and forgotten after a while.
  const forgetLater = () =>
    setTimeout(() => {
      if (earlyAnswers.get(key) === answer) earlyAnswers.delete(key);
    }, EARLY_ANSWER_KEPT_MS);
  answer.then(forgetLater, forgetLater);
}

/** The answer asked early for this request, taken (the view asks for it now), or undefined. */
function takeEarly<T>(key: string): Promise<T> | undefined {
  viewAsked = true;
  const answer = earlyAnswers.get(key);
  earlyAnswers.delete(key);
  return answer as Promise<T> | undefined;
}

/** Forgets the answers asked early (a logout: they were asked with the token that ends). */
export function forgetEarly(): void {
  earlyAnswers.clear();
  earlyBoth = undefined;
}

export type ComparisonGroup = components['schemas']['ComparisonGroup'];

export const comparisonGroups = (municipality: number): Promise<ComparisonGroup[]> =>
  data(client.GET('/api/v1/comparison-groups', { params: { query: { municipality: String(municipality) } } }));
export const suggestedNeighbours = (municipality: number): Promise<{ code: number; name: string; distance: number }[]> =>
  data(client.GET('/api/v1/comparison-groups/suggested', { params: { query: { municipality: String(municipality) } } }));
/** Saves a group by name: the API replaces the members of an existing group with that name. */
export const saveComparisonGroup = (municipality: number, name: string, members: number[]): Promise<{ id: number }> =>
  data(client.POST('/api/v1/comparison-groups', { body: { municipality, name, members } }));
export const deleteComparisonGroup = async (municipality: number, id: number): Promise<void> => {
  await client.DELETE('/api/v1/comparison-groups/{id}', { params: { path: { id }, query: { municipality: String(municipality) } } });
};

/** Rows per page of a list (the API's most; a list asked without `limit` comes cut at it). */
const PAGE = 1000;
type PagedList = KpiList & { dueSoon?: KpiList };

export interface KpisParams {
  municipality: number;
  asOf?: string;
  from?: string;
  ids: string[];
  groupId?: number | null;
  /** Each KPI also at the same date last year, with the change (KPIs with one number only). */
  compare?: 'lastYear';
}

function kpisQuery(params: KpisParams): KpisQuery {
  const q: KpisQuery = { municipality: String(params.municipality), ids: params.ids.join(',') };
  if (params.compare) q.compare = params.compare;
  if (params.asOf) q.asOf = params.asOf;
  if (params.from) q.from = params.from;
  if (params.groupId != null) q.groupId = String(params.groupId);
  return q;
}

/** The data version each KPI answer was computed from (its X-Data-Version header). */
const dataVersions = new WeakMap<object, string | null>();

// A KPI's value is documented as any JSON; its TypeScript type is KpiValue's (@bu/contracts).
const askKpis = async (query: KpisQuery): Promise<KpiResponse> => {
  const { data: answer, response } = await client.GET('/api/v1/kpis', { params: { query } });
  dataVersions.set(answer as object, response.headers.get('X-Data-Version'));
  return answer as KpiResponse;
};

/** Asked again when an import committed while a long list was asked page by page, at most this often. */
const LIST_ATTEMPTS = 3;

/** An import committed each time a long list was asked page by page: its pages would not belong together. */
export const LIST_CHANGED_MESSAGE = 'Tallene blev opdateret, mens listen blev hentet. Prøv igen om lidt.';

/** The figures of `kpis(params)` asked for now, for the view to take when it asks (ADR 0112). */
export function askKpisEarly(params: KpisParams): void {
  const q = kpisQuery(params);
  askEarlyOnce(requestKey('/api/v1/kpis', q), () => askKpis(q));
}

export async function kpis(params: KpisParams): Promise<KpiResponse> {
  const q = kpisQuery(params);
  let answer = await (takeEarly<KpiResponse>(requestKey('/api/v1/kpis', q)) ?? askKpis(q));
  for (let attempt = 1; !(await wholeLists(q, answer)); attempt++) {
    if (attempt === LIST_ATTEMPTS) throw new ApiError(409, LIST_CHANGED_MESSAGE);
    answer = await askKpis(q);
  }
  return answer;
}

/**
 * The dashboard shows (and exports) whole lists: a list cut at one page is asked for page by page,
 * into `answer`. False when a page came from other data than the answer (an import committed
 * meanwhile): then the answer is to be asked again, whole.
 */
async function wholeLists(q: KpisQuery, answer: KpiResponse): Promise<boolean> {
  const version = dataVersions.get(answer);
  for (const [id, value] of Object.entries(answer.kpis)) {
    const list = value as PagedList | null;
    if (!list || typeof list !== 'object' || list.truncated !== true) continue;
    const rows = [...list.rows];
    const dueSoon = list.dueSoon ? [...list.dueSoon.rows] : undefined;
    for (let offset = PAGE; ; offset += PAGE) {
      const asked = await askKpis({ ...q, ids: id, offset: String(offset), limit: String(PAGE) });
      if (dataVersions.get(asked) !== version) return false;
      const page = asked.kpis[id] as PagedList;
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
  return true;
}

export interface SeriesParams {
  municipality: number;
  asOf?: string;
  id: string;
  by: 'year' | 'month';
}

const seriesQuery = (params: SeriesParams) => ({
  municipality: String(params.municipality),
  by: params.by,
  ...(params.asOf ? { asOf: params.asOf } : {}),
});

const askSeries = async (params: SeriesParams): Promise<SeriesResponse> =>
  (await data(
    client.GET('/api/v1/kpis/{id}/series', { params: { path: { id: params.id }, query: seriesQuery(params) } }),
  )) as SeriesResponse;

const seriesKey = (params: SeriesParams) => requestKey(`/api/v1/kpis/${encodeURIComponent(params.id)}/series`, seriesQuery(params));

/** The series of `series(params)` asked for now, for the view to take when it asks (ADR 0112). */
export function askSeriesEarly(params: SeriesParams): void {
  askEarlyOnce(seriesKey(params), () => askSeries(params));
}

/** One KPI over time (per year or month up to D), for trend curves. */
export async function series(params: SeriesParams): Promise<SeriesResponse> {
  return takeEarly<SeriesResponse>(seriesKey(params)) ?? askSeries(params);
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
  const q: KpisQuery = { municipality: String(params.municipality), ids: params.id };
  if (params.asOf) q.asOf = params.asOf;
  if (params.from) q.from = params.from;
  const ask = (query: KpisQuery) =>
    client.GET('/api/v1/kpis', { params: { query }, headers: { Accept: ARROW_STREAM }, parseAs: 'arrayBuffer' }) as Promise<{
      data?: ArrayBuffer;
      response: Response;
    }>;
  const { tableFromIPC } = await import('apache-arrow');
  const toRows = (buffer: ArrayBuffer | undefined) =>
    tableFromIPC(new Uint8Array(buffer ?? new ArrayBuffer(0)))
      .toArray()
      .map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON());
  const version = (answer: { response: Response }) => answer.response.headers.get('X-Data-Version');
  attempts: for (let attempt = 1; attempt <= LIST_ATTEMPTS; attempt++) {
    const first = await ask(q);
    const rows = toRows(first.data);
    // Cut at one page (X-Rows-Truncated): the rest, page by page, from the same data.
    if (first.response.headers.get('X-Rows-Truncated')) {
      for (let offset = PAGE; ; offset += PAGE) {
        const answer = await ask({ ...q, offset: String(offset), limit: String(PAGE) });
        if (version(answer) !== version(first)) continue attempts;
        const page = toRows(answer.data);
        rows.push(...page);
        if (page.length < PAGE) break;
      }
    }
    return { count: rows.length, rows };
  }
  throw new ApiError(409, LIST_CHANGED_MESSAGE);
}

// The committee's monthly report (archive, schedule, "make one now") and the user's own preferences.

export type Report = components['schemas']['Report'];
export type ReportSchedule = components['schemas']['ReportSchedule'];
export type ReportScheduleBody = components['schemas']['ReportScheduleBody'];
export type Preferences = components['schemas']['Preferences'];

export const reports = (municipality: number): Promise<Report[]> =>
  data(client.GET('/api/v1/reports', { params: { query: { municipality: String(municipality) } } }));

/** The report's PDF, fetched with the session's token (a plain link would carry none). */
export async function reportPdf(id: string): Promise<Blob> {
  return (await send(`/api/v1/reports/${encodeURIComponent(id)}/pdf`, { headers: { Accept: 'application/pdf' } })).blob();
}

export const reportSchedule = (municipality: number): Promise<ReportSchedule> =>
  data(client.GET('/api/v1/reports/schedule', { params: { query: { municipality: String(municipality) } } }));
export const saveReportSchedule = (body: ReportScheduleBody): Promise<ReportSchedule> =>
  data(client.PUT('/api/v1/reports/schedule', { body }));
/** Queues the committee's report now (the administrator). */
export const makeReport = (municipality: number): Promise<{ jobId: string }> =>
  data(client.POST('/api/v1/reports', { body: { municipality } }));

export const preferences = (): Promise<Preferences> => data(client.GET('/api/v1/me/preferences'));
export const savePreferences = (weeklyMail: boolean): Promise<Preferences> =>
  data(client.PUT('/api/v1/me/preferences', { body: { weeklyMail } }));
// The administration area (#/admin/…): users, goals, settings, drop folders, imports, audit log.

export type User = components['schemas']['User'];
export type UserPatch = components['schemas']['UserPatchBody'];
export type Goal = components['schemas']['Goal'];
export type GoalBody = components['schemas']['GoalBody'];
export type SettingView = components['schemas']['SettingView'];
export type DropFolders = components['schemas']['DropFolders'];
export type ImportIssues = components['schemas']['ImportIssues'];
export type AuditPage = components['schemas']['AuditPage'];
export type AuditRow = components['schemas']['AuditRow'];
export interface NewUserBody {
  username: string;
  password: string;
  role: string;
  municipality?: number | null;
  teams?: string[];
  email?: string;
}
export interface FailedJob {
  id: string;
  data: { source?: string; municipality?: number; requestedBy?: string; zip?: string; delivery?: boolean };
  attempts: number;
  failedReason: string | null;
  finishedOn: number | null;
}

export const users = (): Promise<User[]> => data(client.GET('/api/v1/users'));
export const createUser = (body: NewUserBody): Promise<{ username: string }> => data(client.POST('/api/v1/users', { body }));
export const updateUser = (username: string, body: UserPatch): Promise<{ username: string; disabled: boolean }> =>
  data(client.PATCH('/api/v1/users/{username}', { params: { path: { username } }, body }));
export const resetPassword = (username: string): Promise<{ username: string; password: string }> =>
  data(client.POST('/api/v1/users/{username}/password', { params: { path: { username } } }));
export const deleteUser = async (username: string): Promise<void> => {
  await client.DELETE('/api/v1/users/{username}', { params: { path: { username } } });
};

export const goals = (municipality: number): Promise<Goal[]> =>
  data(client.GET('/api/v1/goals', { params: { query: { municipality: String(municipality) } } }));
export const createGoal = (body: GoalBody): Promise<{ id: number }> => data(client.POST('/api/v1/goals', { body }));
export const updateGoal = (id: number, body: GoalBody): Promise<{ id: number }> =>
  data(client.PUT('/api/v1/goals/{id}', { params: { path: { id } }, body }));
export const deleteGoal = async (id: number): Promise<void> => {
  await client.DELETE('/api/v1/goals/{id}', { params: { path: { id } } });
};

export const settings = (municipality: number): Promise<SettingView[]> =>
  data(client.GET('/api/v1/settings', { params: { query: { municipality: String(municipality) } } }));
/** municipality 0: the product-wide value (a product administrator only). */
export const putSetting = (key: string, municipality: number, value: unknown): Promise<{ key: string; municipality: number }> =>
  data(client.PUT('/api/v1/settings/{key}', { params: { path: { key } }, body: { municipality, value } }));
export const deleteSetting = async (key: string, municipality: number): Promise<void> => {
  await client.DELETE('/api/v1/settings/{key}', { params: { path: { key }, query: { municipality: String(municipality) } } });
};

export const dropFolders = (): Promise<DropFolders> => data(client.GET('/api/v1/drop-folders'));

export interface ImportFilter {
  source?: string;
  status?: string;
  from?: string;
  to?: string;
}
export const importRuns = (filter: ImportFilter, limit = 100): Promise<ImportRun[]> =>
  data(client.GET('/api/v1/imports', { params: { query: { limit: String(limit), ...filter } } }));
export const importIssues = (id: string, offset = 0, limit = 200): Promise<ImportIssues> =>
  data(
    client.GET('/api/v1/imports/{id}/issues', {
      params: { path: { id: Number(id) }, query: { offset: String(offset), limit: String(limit) } },
    }),
  );
export const jobs = async (state: 'failed' | 'waiting' | 'delayed'): Promise<FailedJob[]> =>
  (await data<unknown>(client.GET('/api/v1/imports/jobs', { params: { query: { state } } }))) as FailedJob[];
/** An upload of an export (a zip) for the import job; its id. Through `send`: the token's renewal and the logout on 401. */
export async function uploadExport(form: FormData): Promise<string> {
  return ((await (await send('/api/v1/imports', { method: 'POST', body: form })).json()) as { jobId: string }).jobId;
}
/** An import job as the upload watches it (state, progress, result or failure). */
export const importJob = async <T>(id: string): Promise<T> =>
  (await send(`/api/v1/imports/jobs/${encodeURIComponent(id)}`)).json() as Promise<T>;
export const retryJob = (id: string): Promise<{ id: string; state: string }> =>
  data(client.POST('/api/v1/imports/jobs/{id}/retry', { params: { path: { id } } }));
export const cancelJob = (id: string): Promise<{ id: string; state: string }> =>
  data(client.POST('/api/v1/imports/jobs/{id}/cancel', { params: { path: { id } } }));

export interface AuditFilter {
  user?: string;
  case?: string;
  from?: string;
  to?: string;
}
export const auditLog = (filter: AuditFilter, page: number, pageSize = 50): Promise<AuditPage> =>
  data(client.GET('/api/v1/audit', { params: { query: { ...filter, page: String(page), pageSize: String(pageSize) } } }));

export type GroupMapping = components['schemas']['GroupMapping'];
export type GroupMappingBody = components['schemas']['GroupMappingBody'];
export type LoginPolicy = components['schemas']['LoginPolicy'];
export const groupMappings = (municipality: number): Promise<GroupMapping[]> =>
  data(client.GET('/api/v1/sso/group-mappings', { params: { query: { municipality: String(municipality) } } }));
export const createGroupMapping = (body: GroupMappingBody): Promise<GroupMapping> =>
  data(client.POST('/api/v1/sso/group-mappings', { body }));
export const updateGroupMapping = (id: number, body: GroupMappingBody): Promise<GroupMapping> =>
  data(client.PUT('/api/v1/sso/group-mappings/{id}', { params: { path: { id } }, body }));
export const deleteGroupMapping = async (id: number): Promise<void> => {
  await client.DELETE('/api/v1/sso/group-mappings/{id}', { params: { path: { id } } });
};
export const loginPolicy = (municipality: number): Promise<LoginPolicy> =>
  data(client.GET('/api/v1/sso/login-policy', { params: { query: { municipality: String(municipality) } } }));
export const setLoginPolicy = (municipality: number, passwordLogin: boolean): Promise<LoginPolicy> =>
  data(client.PUT('/api/v1/sso/login-policy', { body: { municipality, passwordLogin } }));

// Case review (issue 16): rounds, one case's review, meetings, action areas, results.
export type Review = components['schemas']['Review'];
export type ReviewBody = components['schemas']['ReviewBody'];
export type ReviewSummary = components['schemas']['ReviewSummary'];
export type ReviewCase = components['schemas']['ReviewCase'];
export type ReviewCaseBody = components['schemas']['ReviewCaseBody'];
export type ReviewCaseDetail = components['schemas']['ReviewCaseDetail'];
export type ReviewMeeting = components['schemas']['ReviewMeeting'];
export type ReviewMeetingBody = components['schemas']['ReviewMeetingBody'];
export type ActionArea = components['schemas']['ActionArea'];
export type ActionAreaBody = components['schemas']['ActionAreaBody'];
export type ReviewResults = components['schemas']['ReviewResults'];
export type Checklist = components['schemas']['Checklist'];
export type ChecklistBody = components['schemas']['ChecklistBody'];
export type ReviewExample = components['schemas']['ReviewExample'];
export type ReviewExampleBody = components['schemas']['ReviewExampleBody'];

export const reviews = (municipality: number): Promise<ReviewSummary[]> =>
  data(client.GET('/api/v1/reviews', { params: { query: { municipality: String(municipality) } } }));
export const review = (id: number): Promise<Review> => data(client.GET('/api/v1/reviews/{id}', { params: { path: { id } } }));
export const createReview = (body: ReviewBody): Promise<Review> => data(client.POST('/api/v1/reviews', { body }));
export const deleteReview = async (id: number): Promise<void> => {
  await client.DELETE('/api/v1/reviews/{id}', { params: { path: { id } } });
};
export const reviewCase = (id: number, caseId: string): Promise<ReviewCaseDetail> =>
  data(client.GET('/api/v1/reviews/{id}/cases/{case}', { params: { path: { id, case: caseId } } }));
export const saveReviewCase = (id: number, caseId: string, body: ReviewCaseBody): Promise<ReviewCase> =>
  data(client.PUT('/api/v1/reviews/{id}/cases/{case}', { params: { path: { id, case: caseId } }, body }));
export const reviewMeetings = (id: number): Promise<ReviewMeeting[]> =>
  data(client.GET('/api/v1/reviews/{id}/meetings', { params: { path: { id } } }));
export const createReviewMeeting = (id: number, body: ReviewMeetingBody): Promise<ReviewMeeting> =>
  data(client.POST('/api/v1/reviews/{id}/meetings', { params: { path: { id } }, body }));
export const updateReviewMeeting = (id: number, meeting: number, body: ReviewMeetingBody): Promise<ReviewMeeting> =>
  data(client.PUT('/api/v1/reviews/{id}/meetings/{meeting}', { params: { path: { id, meeting } }, body }));
export const actionAreas = (municipality: number): Promise<ActionArea[]> =>
  data(client.GET('/api/v1/reviews/actions', { params: { query: { municipality: String(municipality) } } }));
export const createActionArea = (body: ActionAreaBody): Promise<ActionArea> => data(client.POST('/api/v1/reviews/actions', { body }));
export const updateActionArea = (id: number, body: ActionAreaBody): Promise<ActionArea> =>
  data(client.PUT('/api/v1/reviews/actions/{action}', { params: { path: { action: id } }, body }));
export const reviewResults = (municipality: number, from?: string, to?: string): Promise<ReviewResults> =>
  data(
    client.GET('/api/v1/reviews/results', {
      params: { query: { municipality: String(municipality), ...(from ? { from } : {}), ...(to ? { to } : {}) } },
    }),
  );
export const checklists = (municipality: number): Promise<Checklist[]> =>
  data(client.GET('/api/v1/reviews/checklists', { params: { query: { municipality: String(municipality) } } }));
export const createChecklist = (body: ChecklistBody): Promise<Checklist> => data(client.POST('/api/v1/reviews/checklists', { body }));
export const reviewExamples = (municipality: number): Promise<ReviewExample[]> =>
  data(client.GET('/api/v1/reviews/examples', { params: { query: { municipality: String(municipality) } } }));
export const createReviewExample = (body: ReviewExampleBody): Promise<ReviewExample> =>
  data(client.POST('/api/v1/reviews/examples', { body }));
export const updateReviewExample = (id: number, body: ReviewExampleBody): Promise<ReviewExample> =>
  data(client.PUT('/api/v1/reviews/examples/{example}', { params: { path: { example: id } }, body }));
export const deleteReviewExample = async (id: number): Promise<void> => {
  await client.DELETE('/api/v1/reviews/examples/{example}', { params: { path: { example: id } } });
};

// Last in the module: ending a session forgets the early answers, declared above.
if (typeof window !== 'undefined') {
  checkExpiry();
  document.addEventListener('visibilitychange', checkExpiry);
  tabs?.addEventListener('message', (event: MessageEvent<{ logout?: unknown }>) => {
    const token = getToken();
    if (token && typeof event.data?.logout === 'string' && tokenClaims(token)?.sub === event.data.logout)
      endSession('Du er logget ud i en anden fane.');
  });
}
