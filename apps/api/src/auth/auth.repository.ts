import { ConflictException, Inject, Injectable } from '@nestjs/common';
import type { UserVersion } from './auth.types';
import { setPassword } from './users';
import { DataSource } from 'typeorm';

export interface Credentials {
  /** The row, and its token version when its password was read: the session is made only for these (AuthService.session). */
  id: number;
  tokenVersion: number;
  /** Null for a user made by single sign-on: no password logs in as it. */
  passwordHash: string | null;
  disabled: boolean;
  municipality: number | null;
  role: string;
  /** The one-time-code secret (ADR 0116); null: the user has no second factor. */
  totpSecret: Buffer | null;
  /** Made by the embedded default's demo (well-known passwords, this machine only). */
  demo: boolean;
  /** The user's municipality lets passwords log in (login_policy; yes unless turned off, and always for a product administrator). */
  passwordLogin: boolean;
}

export interface UserStateRow {
  id: number;
  role: string;
  municipality: number | null;
  teams: string[];
  tokenVersion: number;
  /** A password user, whose sessions the second-factor rules govern (not single sign-on). */
  local: boolean;
  /** Has a one-time-code secret (ADR 0116). */
  hasCode: boolean;
  demo: boolean;
  /** The password is an administrator's, to be replaced by the user (ADR 0117). */
  passwordTemporary: boolean;
}

/** app_user as logins and tokens read it, and login_attempt through `query` (the login throttle's SQL). */
@Injectable()
export class AuthRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** For LoginThrottle, which keeps its own SQL beside its rules. */
  readonly query = (sql: string, params: unknown[]) => this.db.query(sql, params);

  /**
   * The user as a login checks it, in one statement: the municipality's password-login switch is
   * read with the row, so a wrong password costs the same queries whether the name exists or not
   * (no extra read that would tell a guesser which names do). Called in the national scope:
   * login_policy has row-level security, and outside a scope its rows would not be seen.
   */
  async credentials(username: string): Promise<Credentials | undefined> {
    const [row] = await this.db.query(
      `SELECT u.id, u.token_version AS "tokenVersion",
         CASE WHEN u.auth_source = 'local' THEN u.password_hash END AS "passwordHash", u.disabled, u.municipality_code AS municipality, u.role,
         CASE WHEN u.auth_source = 'local' THEN u.totp_secret END AS "totpSecret", u.demo,
         COALESCE(p.password_login, true) AS "passwordLogin"
       FROM app_user u LEFT JOIN login_policy p ON p.municipality_code = u.municipality_code
       WHERE u.username = $1`,
      [username],
    );
    return row;
  }

  /** When the user last logged in: the administration shows it, the daily purge reads it (ADR 0118). */
  async loggedIn(username: string): Promise<void> {
    await this.db.query('UPDATE app_user SET last_login_at = now() WHERE username = $1', [username]);
  }

  /** A stronger hash of the same password, unless the password changed meanwhile. */
  async rehash(username: string, hash: string, previous: string): Promise<void> {
    await this.db.query('UPDATE app_user SET password_hash = $2 WHERE username = $1 AND password_hash = $3', [username, hash, previous]);
  }

  /**
   * Takes a one-time code's step as used: false when that step or a later one was used already
   * (the same code again, or an older one after a newer), decided by the UPDATE itself so that two
   * logins with one code at once cannot both pass.
   */
  async useTotpStep(username: string, step: number): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE app_user SET totp_last_step = $2 WHERE username = $1 AND totp_secret IS NOT NULL
         AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING username`,
      [username, step],
    );
    return count > 0;
  }

  /**
   * The user's own new password (ADR 0117): no longer an administrator's, every other token ends,
   * and wrong one-time codes start over (users.ts, setPassword). Written only if the password is
   * still the one just checked (`previous`), else 409: it changed meanwhile. The row and the token
   * version the write gave it: the new session is made for exactly those.
   */
  async setOwnPassword(username: string, previous: string, password: string): Promise<UserVersion> {
    const written = await setPassword(this.query, username, password, false, previous);
    if (!written) throw new ConflictException('Adgangskoden er ændret imens. Log ind igen.');
    return written;
  }

  /** Ends every token of the user (they carry the version this bumps). */
  async bumpTokenVersion(username: string): Promise<void> {
    await this.db.query('UPDATE app_user SET token_version = token_version + 1 WHERE username = $1', [username]);
  }

  /** The enabled user's role, scope, token version and second-factor state; undefined for an unknown or disabled user. */
  async state(username: string): Promise<UserStateRow | undefined> {
    const [row] = await this.db.query(
      `SELECT id, role, municipality_code AS municipality, teams, token_version AS "tokenVersion", auth_source = 'local' AS local,
         totp_secret IS NOT NULL AS "hasCode", demo, password_temporary AS "passwordTemporary"
       FROM app_user WHERE username = $1 AND NOT disabled`,
      [username],
    );
    return row;
  }
}
