import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface Credentials {
  /** Null for a user made by single sign-on: no password logs in as it. */
  passwordHash: string | null;
  disabled: boolean;
  municipality: number | null;
  role: string;
}

export interface UserStateRow {
  id: number;
  role: string;
  municipality: number | null;
  teams: string[];
  tokenVersion: number;
}

/** app_user as logins and tokens read it, and login_attempt through `query` (the login throttle's SQL). */
@Injectable()
export class AuthRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** For LoginThrottle, which keeps its own SQL beside its rules. */
  readonly query = (sql: string, params: unknown[]) => this.db.query(sql, params);

  async credentials(username: string): Promise<Credentials | undefined> {
    const [row] = await this.db.query(
      `SELECT CASE WHEN auth_source = 'local' THEN password_hash END AS "passwordHash", disabled, municipality_code AS municipality, role
       FROM app_user WHERE username = $1`,
      [username],
    );
    return row;
  }

  /** Whether local passwords log in for the municipality (login_policy; yes unless turned off). */
  async passwordLogin(municipality: number): Promise<boolean> {
    const [row] = await this.db.query('SELECT password_login AS "passwordLogin" FROM login_policy WHERE municipality_code = $1', [
      municipality,
    ]);
    return row?.passwordLogin ?? true;
  }

  /** A stronger hash of the same password, unless the password changed meanwhile. */
  async rehash(username: string, hash: string, previous: string): Promise<void> {
    await this.db.query('UPDATE app_user SET password_hash = $2 WHERE username = $1 AND password_hash = $3', [username, hash, previous]);
  }

  /** Ends every token of the user (they carry the version this bumps). */
  async bumpTokenVersion(username: string): Promise<void> {
    await this.db.query('UPDATE app_user SET token_version = token_version + 1 WHERE username = $1', [username]);
  }

  /** The enabled user's role, scope and token version; undefined for an unknown or disabled user. */
  async state(username: string): Promise<UserStateRow | undefined> {
    const [row] = await this.db.query(
      `SELECT id, role, municipality_code AS municipality, teams, token_version AS "tokenVersion" FROM app_user WHERE username = $1 AND NOT disabled`,
      [username],
    );
    return row;
  }
}
