import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@bu/logger';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types';
import type { LoginStep } from '@bu/contracts';
import { LOGIN_STEP, PASSWORD_CHECK } from '../auth/auth.service';
import { createHmac } from 'crypto';
import { APP_CONFIG, type AppConfig } from '../config';
import { AuditService, auditContext } from './audit.service';
import { maskedPrefix } from '@bu/domain';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reads that show rejected import values (which may hold personal data even masked). */
const IMPORT_READS = /^\/api\/v1\/imports\/(?:\d+\/issues|jobs(?:\/[^/]+)?)$/;

/**
 * Set on `res.locals` by a single sign-on callback (OpenID Connect, SAML): the request is a login,
 * logged as one whatever its method (success: a redirect), by the name the provider gave once it
 * was verified ('-' before that).
 */
export const SSO_LOGIN = 'ssoLogin';
export type SsoLoginAttempt = { username?: string };

/**
 * What a finished request is in the audit log, or null when it is not logged. `signedIn`: the
 * request carried a valid session (a 404 is then logged: a guessed id, or one outside the user's
 * teams, which the API answers as not found).
 */
export function auditAction(method: string, requested: string, status: number, signedIn = false): string | null {
  // Classified as Express routes it: whatever the letters' case, with or without a trailing slash,
  // its ids percent-encoded or not (else /api/V1/users/x, /api/v1/auth/login/ or
  // /api/v1/imports/%31/issues would reach their route unlogged).
  const path = requested
    .split('/')
    .map(decodedSegment)
    .join('/')
    .toLowerCase()
    .replace(/(.)\/+$/, '$1');
  if (!path.startsWith('/api/')) return null;
  if (method === 'POST' && path === '/api/v1/auth/login') return status < 300 ? 'login' : 'login.failed';
  if (status === 401 || status === 403) return 'refused';
  if (CHANGES.has(method) && path.startsWith('/api/v1/')) return 'change';
  if (method === 'GET' && IMPORT_READS.test(path)) return path.endsWith('/issues') ? 'read:import-issues' : 'read:import-jobs';
  if (status === 404 && signedIn && path.startsWith('/api/v1/')) return 'not-found';
  return null;
}

/**
 * A request's path as the audit log keeps it: decoded as Express routes it, then masked, so that a
 * case number typed as a CPR number (the browser sends "010203 1234" as 010203%201234) never
 * reaches the log; at most 300 characters.
 */
export function loggedPath(requested: string): string {
  // A NUL cannot be stored in jsonb: it would fail the row, and the rows written with it.
  return maskedPrefix(requested.split('/').map(decodedSegment).join('/'), 300).replace(/\0/g, '\ufffd');
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding (Express does not route it either), yet its valid runs decoded, so
    // that a CPR number in it (010203%201234%) is masked all the same.
    return segment.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
  }
}

/**
 * Requests that cost an attacker nothing would fill a log kept for years behind one lock. Per kind
 * and client address (per process) only the first `allowed` rows of a minute are written, the next
 * row saying how many went unlogged since:
 * - a 401 of a request without a valid session (no token, or a forged, ended or expired one; the row
 *   names nobody either way): one a minute;
 * - a login refused without looking at the password (blocked by the login throttle, 429, or
 *   malformed, 400), and a single sign-on that failed before the provider's answer was verified (it
 *   has no name yet): LOGIN_ROWS_A_MINUTE a minute, so that a few real tries still show one by one.
 * Every other failed login is written: a wrong password (the throttle bounds those and then answers
 * 429), a right one refused (no second factor set up, a municipality that logs in through its
 * organisation), a wrong or blocked one-time code, a single sign-on refused by name.
 */
export class AnonymousRefusals {
  private readonly seen = new Map<string, { since: number; logged: number; unlogged: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** The count to write with this request's row, or null when it is not written. */
  take(key: string, now = Date.now(), allowed = 1): number | null {
    const entry = this.seen.get(key);
    if (entry && now - entry.since < this.windowMs) {
      if (entry.logged < allowed) {
        entry.logged++;
        return 0;
      }
      entry.unlogged++;
      return null;
    }
    if (this.seen.size >= this.maxAddresses) this.seen.clear();
    this.seen.set(key, { since: now, logged: 1, unlogged: 0 });
    return entry?.unlogged ?? 0;
  }
}

/** Rows a minute per address of logins refused without looking at the password (see AnonymousRefusals). */
export const LOGIN_ROWS_A_MINUTE = 10;

/**
 * How many rows a minute an address gets of a request without a valid session (AnonymousRefusals);
 * null: every one. `step`: the one-time code's step, set only after the right password (a wrong or
 * blocked code is always written).
 */
export function rowsAMinute(action: string, status: number, sso?: SsoLoginAttempt, step?: LoginStep): number | null {
  if (action === 'refused') return status === 401 ? 1 : null;
  // A change refused without a session (a made-up path answered 404, a bad ticket): as the logins
  // refused unread. One that succeeded (a single sign-on ticket exchanged) is written every time.
  if (action === 'change') return status >= 400 ? LOGIN_ROWS_A_MINUTE : null;
  if (action !== 'login.failed') return null;
  const unread = sso !== undefined ? !sso.username : (status === 429 || status === 400) && step === undefined;
  return unread ? LOGIN_ROWS_A_MINUTE : null;
}

/**
 * Logs every request the audit log must hold, for every controller, without code in them: logins
 * (success and failure, with the name tried), 401/403 refusals, a signed-in user's 404s, every change (POST/PUT/PATCH/DELETE
 * under /api/v1, whatever its outcome) and reads of import issues and jobs, each with user, role,
 * municipality, client IP (req.ip, through 'trust proxy'), time and status. Written when the
 * response has finished: its status is the outcome. Only the method and path (with its ids) are
 * kept, never a body or a query string: no password or value reaches the log.
 * Also runs each request in auditContext, so KPI access rows get the client IP too.
 */
export function auditRequests(app: INestApplication, log: Logger): void {
  const audit = app.get(AuditService);
  const db = app.get(DataSource);
  const unknownName = unknownNames(app.get<symbol, AppConfig>(APP_CONFIG).pseudonymSecret);
  const anonymous = new AnonymousRefusals();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const ip = req.ip ?? null;
    res.on('finish', () => {
      const requested = req.originalUrl.split('?')[0];
      const path = loggedPath(requested);
      const sso = res.locals[SSO_LOGIN] as SsoLoginAttempt | undefined;
      const step = res.locals[LOGIN_STEP] as LoginStep | undefined;
      let action = sso
        ? res.statusCode < 400
          ? 'login'
          : 'login.failed'
        : auditAction(req.method, requested, res.statusCode, signedIn(req));
      // The right password, the one-time code asked next: not a failure (a wrong code is one).
      if (action === 'login.failed' && step === 'code-needed') action = 'login.code';
      // A wrong current password at a password change (ADR 0117) is a failed login, by the session's user.
      if (res.locals[PASSWORD_CHECK] === 'wrong') action = 'login.failed';
      if (action === null) return;
      let unlogged: number | null = 0;
      const free = signedIn(req) ? null : rowsAMinute(action, res.statusCode, sso, step);
      if (free !== null) {
        unlogged = anonymous.take(`${action} ${ip ?? '-'}`, Date.now(), free);
        if (unlogged === null) return;
      }
      audit.track(
        write(audit, db, unknownName, req, action, path, res.statusCode, ip, unlogged, step).catch((e: Error) =>
          log.error({ err: e }, `Audit row not written (${action} ${req.method} ${path}): ${e.message}`),
        ),
      );
    });
    auditContext.run({ ip }, next);
  });
}

const signedIn = (req: Request): boolean => (req as Request & { user?: AuthUser }).user !== undefined;

/**
 * What a failed login's row says of a name that is no user's: `ukendt:` and a keyed hash of it, so
 * that one name tried again and again shows as one, while a password typed into the username field
 * (often followed by that user's login from the same address) is not kept in a log kept for years.
 */
export function unknownNames(secret: string): (tried: string) => string {
  const key = createHmac('sha256', secret).update('audit: a username that is no user').digest();
  return (tried) => `ukendt:${createHmac('sha256', key).update(tried).digest('hex').slice(0, 12)}`;
}

async function write(
  audit: AuditService,
  db: DataSource,
  unknownName: (tried: string) => string,
  req: Request,
  action: string,
  path: string,
  status: number,
  ip: string | null,
  unlogged: number,
  step: LoginStep | undefined,
): Promise<void> {
  let user = (req as Request & { user?: AuthUser }).user;
  let username = user?.username ?? '-';
  // (A signed-in user's failed password check is logged by that user, not by a name from the body.)
  if (!user && (action === 'login' || action === 'login.failed' || action === 'login.code')) {
    // The name tried: a user's, or a name an organisation's login verified, as it stands; a name
    // typed that is no user's by its keyed hash (unknownNames).
    const sso = req.res?.locals[SSO_LOGIN] as SsoLoginAttempt | undefined;
    const given = sso ? (sso.username ?? '-') : req.body?.username;
    const tried = typeof given === 'string' ? given.slice(0, 100) : '';
    // A CPR number typed as a username is not kept (the log is kept for years and cannot be corrected).
    username = typeof given === 'string' ? maskedPrefix(given, 100) : '';
    const [found] = await db.query(`SELECT role, municipality_code AS municipality FROM app_user WHERE username = $1`, [tried]);
    if (found) user = { username: tried, role: found.role, municipality: found.municipality, teams: [] };
    // Hashed after masking: no hash of a CPR number is kept, nor the rest of a password around one.
    else if (!sso && tried !== '') username = unknownName(username);
  }
  await audit.event({
    username,
    role: user?.role ?? '-',
    action,
    municipality: user?.municipality ?? null,
    detail: { method: req.method, path, ...(unlogged > 0 ? { unlogged } : {}), ...(step ? { secondFactor: step } : {}) },
    ip,
    status,
  });
}
