import { BadRequestException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { isRole } from '@bu/domain';
import { logger } from '@bu/logger';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config';
import type { SecondFactorPolicy } from '@bu/config';
import type { LoginStep } from '@bu/contracts';
import type { Credentials } from './auth.repository';
import { runInScope } from '../database/request-scope';
import { AuthRepository } from './auth.repository';
import type { AuthUser, UserVersion } from './auth.types';
import { LoginThrottle } from './login-throttle';
import { dummyHash, hashPassword, verifyPassword } from './password';
import { totpMatch } from './totp';
import { UserStateCache } from './user-state-cache';

export { hashPassword };

/** The user's current state, read for every token (through the cache). */
interface UserState {
  user: AuthUser;
  /** The row's id: never used again, so a token cannot outlive its user into a new one of the same name. */
  id: number;
  tokenVersion: number;
  /** A session of this user must have been made with a one-time code (ADR 0116). */
  needsCode: boolean;
}

/** Token claims: who, which token version, and when they logged in (the session's start). */
interface Claims {
  sub: string;
  /** The user row's id (see UserState.id). */
  uid: number;
  ver: number;
  auth: number;
  /** How the session was made (RFC 8176): `otp` when a one-time code was given; absent for single sign-on. */
  amr?: string[];
  iat: number;
  exp: number;
}

/** How and when the token's session was made: its `auth` (the login's time) and `amr`. */
export type SessionClaims = Pick<Claims, 'auth' | 'amr'>;

/** At logout: where the browser goes next to end the provider's session too, or undefined. */
export type LogoutStep = (username: string, origin: string) => Promise<string | undefined>;

const EXPIRED = 'Din session er udløbet. Log ind igen.';
const WRONG = 'Forkert brugernavn eller adgangskode';
const ORGANISATION_ONLY = 'Din kommune logger ind med organisationens konto. Brug knappen til log ind med din organisation.';

const CODE_NEEDED = 'Skriv engangskoden fra din godkendelses-app.';
const CODE_WRONG = 'Forkert engangskode, eller koden er brugt. Vent på den næste kode i appen, og prøv igen.';
const NO_SECOND_FACTOR =
  'Din konto skal logge ind med en engangskode fra en app (to-faktor-login), men har ingen endnu. Bed driften om at oprette den med: npm run admin -- user totp <brugernavn>.';

const CURRENT_WRONG = 'Den nuværende adgangskode er forkert.';

/**
 * The field of a password change's refusal, and the `res.locals` key the controller copies it to,
 * that says the current password was wrong: the audit hook logs it as a failed login.
 */
export const PASSWORD_CHECK = 'passwordCheck';

/** The `res.locals` key the login sets to its LoginStep (@bu/contracts) for the audit hook. */
export const LOGIN_STEP = 'loginStep';

/**
 * Whether a password user must have a second factor under the policy (LOGIN_SECOND_FACTOR, ADR 0116).
 * `demoUsers`: the embedded default's demo, whose demo logins are printed in the README.
 */
export function secondFactorRequired(
  policy: SecondFactorPolicy,
  demoUsers: boolean,
  user: Pick<Credentials, 'municipality' | 'demo'>,
): boolean {
  if ((demoUsers && user.demo) || policy === 'none') return false;
  return policy === 'all' || user.municipality === null;
}

/** The user's municipality logs in through its organisation only; a product administrator (no municipality) keeps the password. */
function organisationOnly(row: Pick<Credentials, 'municipality' | 'passwordLogin'>): boolean {
  return row.municipality !== null && !row.passwordLogin;
}

/** The audit row of a right password refused because the user is disabled (the answer says only "wrong"). */
export const LOGIN_DISABLED = 'login.disabled';

/**
 * Local users with argon2id-hashed passwords and signed tokens. A token names the user and the
 * user's token version; the role, municipality and teams come from the user's current row, so a
 * change, a disabled or deleted user, a new password or a logout ends the old tokens (within the
 * cache's TTL, ≤ 60 s). A token lives SESSION_IDLE_SECONDS and is renewed while in use (header
 * X-Renewed-Token), never beyond JWT_TTL_SECONDS after the login. Single sign-on (OIDC) plugs in
 * here by issuing the same token for a user row; controllers only see AuthUser.
 */
@Injectable()
export class AuthService {
  private readonly throttle: LoginThrottle;
  readonly users: UserStateCache<UserState>;
  private readonly previousKey: Buffer | undefined;
  private readonly logoutSteps: LogoutStep[] = [];

  constructor(
    @Inject(AuthRepository) private readonly repository: AuthRepository,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
  ) {
    this.throttle = new LoginThrottle(repository.query);
    this.users = new UserStateCache((username) => this.loadState(username), config.tokenCheckSeconds * 1000);
    this.previousKey = config.jwtPreviousSecret === undefined ? undefined : Buffer.from(config.jwtPreviousSecret, 'utf8');
  }

  async login(username: string, password: string, address: string, code?: string): Promise<{ token: string; user: AuthUser }> {
    const name = String(username);
    await this.throttle.check(name, address);
    // The national scope: the row carries its municipality's password-login switch (row-level security).
    const row = await runInScope('*', () => this.repository.credentials(name));
    // An unknown user costs the same time as a wrong password, so usernames cannot be probed.
    const { valid, rehash } = await verifyPassword(row?.passwordHash ?? (await dummyHash()), String(password));
    // A disabled user gets exactly a wrong password's answer and stays counted as a failure (the
    // username's counters are not reset): a guesser must not learn that the password was right.
    // The real reason goes to the audit log and the server log, not to the client.
    if (!row || !valid || row.disabled) {
      if (row?.disabled && valid) this.refusedDisabled(name, row.role, row.municipality);
      await this.throttle.fail();
      if (row && !row.disabled && organisationOnly(row)) throw new ForbiddenException(ORGANISATION_ONLY);
      throw new UnauthorizedException(WRONG);
    }
    // A municipality that logs in through its organisation's provider has turned passwords off.
    // Told whatever the password, and counted as a failed try either way: the answer must not
    // confirm a guessed password (one reused elsewhere), nor may a right one reset the counters.
    if (organisationOnly(row)) {
      await this.throttle.fail();
      throw new ForbiddenException(ORGANISATION_ONLY);
    }
    const coded = await this.secondFactor(name, row, code, address);
    await this.throttle.succeed(name, address);
    await runInScope('*', () => this.repository.loggedIn(name));
    // Same password, stronger hash: not a password change, so the user's other sessions stay.
    // A login has no request scope yet: the user's own row is written in the national one (RLS).
    if (rehash) {
      const hash = await hashPassword(String(password));
      await runInScope('*', () => this.repository.rehash(name, hash, row.passwordHash!));
    }
    // For the row as its password was checked: a change that committed meanwhile refuses the login.
    return this.session(name, row, coded ? ['pwd', 'otp'] : ['pwd']);
  }

  /**
   * The one-time code after a right password (ADR 0116): asked for when the user has a secret,
   * refused when wrong or used before (counted as a failed login), and a user the policy requires
   * to have one but who has none is refused outright (403: the operator sets it up). True when a
   * code was given and taken.
   */
  private async secondFactor(name: string, row: Credentials, code: string | undefined, address: string): Promise<boolean> {
    if (!row.totpSecret) {
      if (!secondFactorRequired(this.config.secondFactor, this.config.demoUsers, row)) return false;
      await this.throttle.succeed(name, address);
      throw new ForbiddenException(NO_SECOND_FACTOR);
    }
    if (code === undefined || code === null || String(code).trim() === '') {
      // The right password alone is no failure: the login page asks for the code and sends both again.
      await this.throttle.release(name, address);
      throw new UnauthorizedException({ statusCode: 401, message: CODE_NEEDED, secondFactor: 'code-needed' satisfies LoginStep });
    }
    // Counted before it is checked, per username: only someone with the password gets this far.
    await this.throttle.checkCode(name);
    const step = totpMatch(row.totpSecret, String(code));
    if (step === null || !(await runInScope('*', () => this.repository.useTotpStep(name, step)))) {
      await this.throttle.fail();
      throw new UnauthorizedException({ statusCode: 401, message: CODE_WRONG, secondFactor: 'code-wrong' satisfies LoginStep });
    }
    return true;
  }

  /**
   * A new session (token) for the user as the database has it now: after a password (`amr` says
   * whether a one-time code was given too), or a single sign-on ticket (no `amr`). `checked` is the
   * row and token version the password or the sign-in saw: if the row now differs (a new password,
   * `user add --replace`, password login turned off, a corrected group mapping, a name that now
   * belongs to another row), 401. Otherwise the token would carry the version the change made and
   * outlive the change it was meant to end.
   */
  async session(username: string, checked: UserVersion, amr?: string[], auth?: number): Promise<{ token: string; user: AuthUser }> {
    this.users.forget(username);
    const state = await this.users.get(username);
    if (!state || state.id !== checked.id || state.tokenVersion !== checked.tokenVersion) throw new UnauthorizedException(WRONG);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: username, uid: state.id, ver: state.tokenVersion, auth: auth ?? now, ...(amr ? { amr } : {}) };
    return { token: await this.sign(claims, now), user: state.user };
  }

  /**
   * The caller chooses a new password (ADR 0117): the current one is given again (a session left
   * open is not enough), counted by the login throttle as a login is; the new one ends every other
   * session of the user and clears an administrator's password. The browser's session goes on
   * under the new token version: as it was made (`amr`) and from when (`auth`), so a change of
   * password neither adds a code the session never gave nor lengthens it past JWT_TTL_SECONDS.
   */
  async changePassword(
    user: AuthUser,
    session: SessionClaims,
    current: string,
    next: string,
    address: string,
  ): Promise<{ token: string; user: AuthUser }> {
    const name = user.username;
    // Checked before the password, so they say nothing about it and leave the counters alone.
    if (next === current) throw new BadRequestException('Den nye adgangskode skal være en anden end den nuværende.');
    if (next.trim().toLowerCase() === name.toLowerCase()) throw new BadRequestException('Adgangskoden må ikke være dit brugernavn.');
    await this.throttle.check(name, address);
    const row = await runInScope('*', () => this.repository.credentials(name));
    if (!row?.passwordHash) {
      await this.throttle.release(name, address);
      throw new BadRequestException('Du logger ind med din organisations konto og har ingen adgangskode i Børneblik.');
    }
    if (!(await verifyPassword(row.passwordHash, String(current))).valid) {
      await this.throttle.fail();
      throw new BadRequestException({ statusCode: 400, message: CURRENT_WRONG, [PASSWORD_CHECK]: 'wrong' });
    }
    // Not `succeed`: that would also lift a block of wrong one-time codes (ADR 0116), which only a
    // password actually changed may do (setOwnPassword).
    await this.throttle.release(name, address);
    // The session is for the version this write made: a change after it (a logout elsewhere) ends it.
    const written = await runInScope('*', () => this.repository.setOwnPassword(name, row.passwordHash!, next));
    return this.session(name, written, session.amr, session.auth);
  }

  /**
   * The token's user as the database has it now, a renewed token when this one is getting old, and
   * how and when its session was made.
   */
  async verify(token: string): Promise<{ user: AuthUser; renewed?: string; session: SessionClaims }> {
    let claims: Claims;
    // A token signed with the key before a rotation is accepted while JWT_SECRET_PREVIOUS is set,
    // and renewed at once under the current key, so active sessions move over by themselves.
    let previousKey = false;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token);
    } catch {
      if (!this.previousKey) throw new UnauthorizedException(EXPIRED);
      claims = await this.jwt.verifyAsync<Claims>(token, { secret: this.previousKey }).catch(() => {
        throw new UnauthorizedException(EXPIRED);
      });
      previousKey = true;
    }
    const now = Math.floor(Date.now() / 1000);
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.uid !== 'number' ||
      typeof claims.ver !== 'number' ||
      typeof claims.auth !== 'number' ||
      claims.auth + this.config.jwtTtlSeconds <= now
    ) {
      throw new UnauthorizedException(EXPIRED);
    }
    let state = await this.users.get(claims.sub);
    // Ids and token versions only go up: a token newer than this process's copy of the user was made
    // in another process after a change (a new password), so the user is read again before refusing.
    // An older token is refused from the copy, without a read.
    if (state && (claims.uid > state.id || (claims.uid === state.id && claims.ver > state.tokenVersion))) {
      this.users.forget(claims.sub);
      state = await this.users.get(claims.sub);
    }
    if (!state || state.id !== claims.uid || state.tokenVersion !== claims.ver) throw new UnauthorizedException(EXPIRED);
    // A password session made without a code ends once the user must give one: LOGIN_SECOND_FACTOR
    // moved to `all`, or a national administrator's session from before the factor (ADR 0116).
    if (state.needsCode && !(Array.isArray(claims.amr) && claims.amr.includes('otp'))) throw new UnauthorizedException(EXPIRED);
    // Renewed at most once a minute (sooner with a short idle setting), so idle means idle.
    const renewAfter = Math.min(60, this.config.sessionIdleSeconds / 4);
    const session: SessionClaims = { auth: claims.auth, ...(claims.amr ? { amr: claims.amr } : {}) };
    const renewed =
      previousKey || now - claims.iat >= renewAfter
        ? await this.sign({ sub: claims.sub, uid: claims.uid, ver: claims.ver, ...session }, now)
        : undefined;
    return { user: state.user, renewed, session };
  }

  /**
   * Ends every session of the user (all tokens carry the version this bumps). A session that came
   * from a provider may end there too: the address to send the browser to (OIDC's end session).
   */
  async logout(username: string, origin = ''): Promise<{ redirect?: string }> {
    await this.repository.bumpTokenVersion(username);
    this.users.forget(username);
    for (const step of this.logoutSteps) {
      const redirect = await step(username, origin);
      if (redirect) return { redirect };
    }
    return {};
  }

  /** A sign-on protocol that ends its provider's session too at logout (OpenID Connect's RP-initiated logout). */
  onLogout(step: LogoutStep): void {
    this.logoutSteps.push(step);
  }

  /**
   * Records why a right password was refused: the server log, and an audit row of its own beside
   * the hook's `login.failed` (apps/api/src/audit/audit.hook.ts), which only sees the 401. Written
   * in the background, as the hook's rows are, so the answer takes no longer than a wrong password's.
   */
  private refusedDisabled(username: string, role: string, municipality: number | null): void {
    logger().warn({ user: username }, 'login refused: the user is disabled (answered as a wrong password)');
    let audit: AuditService;
    try {
      // AuditService belongs to AppModule, which does not export it; absent (a bare AuthModule), the server log has it.
      audit = this.modules.get(AuditService, { strict: false });
    } catch {
      return;
    }
    audit.track(
      audit
        .event({ username, role, action: LOGIN_DISABLED, municipality, detail: { reason: 'disabled' }, status: 401 })
        .catch((e: Error) => logger().error({ err: e }, `Audit row not written (${LOGIN_DISABLED}): ${e.message}`)),
    );
  }

  private sign(claims: Omit<Claims, 'iat' | 'exp'>, now: number): Promise<string> {
    const exp = Math.min(now + this.config.sessionIdleSeconds, claims.auth + this.config.jwtTtlSeconds);
    return this.jwt.signAsync({ ...claims, exp });
  }

  private async loadState(username: string): Promise<UserState | null> {
    const row = await this.repository.state(username);
    if (!row || !isRole(row.role)) return null;
    return {
      user: {
        username,
        role: row.role,
        municipality: row.municipality,
        teams: row.teams,
        ...(row.local && row.passwordTemporary ? { passwordChange: true as const } : {}),
      },
      id: row.id,
      tokenVersion: row.tokenVersion,
      needsCode:
        row.local &&
        (row.hasCode ||
          secondFactorRequired(this.config.secondFactor, this.config.demoUsers, { municipality: row.municipality, demo: row.demo })),
    };
  }
}
