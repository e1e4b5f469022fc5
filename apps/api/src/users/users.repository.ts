import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PURGED_IMPORTER, type Role, type User } from '@bu/contracts';
import { saveUser, setPassword, type NewUser } from '../auth/users';

/** The columns of one user the administrator changes (undefined: unchanged; email null: none). */
export interface UserChange {
  role?: Role;
  municipality?: number | null;
  teams?: string[];
  email?: string | null;
  disabled?: boolean;
}

/** What the rules of a change need to know of the user as stored. */
export interface StoredUser {
  municipality: number | null;
  role: Role;
  teams: string[];
  authSource: 'local' | 'oidc' | 'saml';
  disabled: boolean;
}

const LOCAL_TIME = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI')`;

/** app_user as the administration sees it (the insert and the rules are shared with `npm run admin`). */
@Injectable()
export class UsersRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Every non-demo user, or the municipality's. grantEnded: a single sign-on user whose grant
   * Børneblik withdrew (grant_ended_at, ADR 0115) with no login since; the stored role is not current.
   */
  list(municipality: number | null): Promise<User[]> {
    return this.db.query(
      `SELECT username, role, municipality_code AS municipality, teams, ${LOCAL_TIME('created_at')} AS "createdAt", disabled,
              email, auth_source AS "authSource", ${LOCAL_TIME('last_login_at')} AS "lastLoginAt",
              auth_source = 'local' AND totp_secret IS NOT NULL AS "secondFactor",
              auth_source <> 'local' AND grant_ended_at IS NOT NULL AND (last_login_at IS NULL OR last_login_at <= grant_ended_at) AS "grantEnded"
       FROM app_user WHERE NOT demo AND ($1::smallint IS NULL OR municipality_code = $1) ORDER BY username`,
      [municipality],
    );
  }

  /** The user's municipality, role, teams and where it logs in; undefined when there is no such user. */
  async find(username: string): Promise<StoredUser | undefined> {
    const [row] = await this.db.query(
      `SELECT municipality_code AS municipality, role, teams, auth_source AS "authSource", disabled FROM app_user WHERE username = $1`,
      [username],
    );
    return row;
  }

  /** False when nothing was written (`only`, as saveUser's). */
  save(user: NewUser, only?: 'new' | 'password-user'): Promise<boolean> {
    return saveUser((sql, params) => this.db.query(sql, params), user, only);
  }

  /** Deletes the user; an action area it made is no longer its to change, nor a later user's of that name. */
  async delete(username: string): Promise<void> {
    await this.db.query(
      `WITH gone AS (DELETE FROM app_user WHERE username = $1 RETURNING username, municipality_code)
       UPDATE review_action_area a SET created_by = $2 FROM gone g WHERE a.created_by = g.username AND a.municipality_code = g.municipality_code`,
      [username, PURGED_IMPORTER],
    );
  }

  /**
   * Changes the given columns; the token_version trigger ends the user's tokens when role,
   * municipality, teams or disabled change. An administrator's change gives access anew: the
   * idle-account purge counts from now (ADR 0118).
   */
  async update(username: string, change: UserChange): Promise<void> {
    await this.db.query(
      `UPDATE app_user SET
         role = CASE WHEN $2 THEN $3 ELSE role END,
         municipality_code = CASE WHEN $4 THEN $5::smallint ELSE municipality_code END,
         teams = CASE WHEN $6 THEN $7::text[] ELSE teams END,
         email = CASE WHEN $8 THEN $9 ELSE email END,
         disabled = CASE WHEN $10 THEN $11 ELSE disabled END,
         access_granted_at = now()
       WHERE username = $1`,
      [
        username,
        change.role !== undefined,
        change.role ?? null,
        change.municipality !== undefined,
        change.municipality ?? null,
        change.teams !== undefined,
        change.teams ?? null,
        change.email !== undefined,
        change.email ?? null,
        change.disabled !== undefined,
        change.disabled ?? null,
      ],
    );
  }

  /** A new password for a local user (ends its tokens); false when there is no local user by that name. */
  async setPassword(username: string, password: string, temporary: boolean): Promise<boolean> {
    return (await setPassword((sql, params) => this.db.query(sql, params), username, password, temporary)) !== null;
  }
}
