import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '@bu/domain';
import type { UserVersion } from '../auth/auth.types';

export interface MappedGroup {
  municipality: number;
  role: Role;
  teams: string[];
}

export interface SsoUserRow {
  id: number;
  username: string;
  authSource: string;
  externalId: string | null;
  disabled: boolean;
}

export interface SsoUserValues {
  username: string;
  externalId: string;
  authSource: 'oidc' | 'saml';
  email: string | null;
  role: Role;
  municipality: number;
  teams: string[];
}

/** A ticket as taken: whose, for which row and token version, and the hash of the cookie it must come with. */
export interface TakenTicket {
  username: string;
  /** Null: written without them (an API process of an earlier release); the exchange refuses it. */
  user: UserVersion | null;
  bindingHash: string;
}

/** The sign-on flow's rows: mappings, the users it makes and the one-time tickets. Called in the national scope. */
@Injectable()
export class SsoRepository {
  constructor(@Inject(DataSource) private readonly db: Pick<EntityManager, 'query' | 'transaction'>) {}

  /** Runs `fn` with a repository whose statements are one transaction. */
  transaction<T>(fn: (tx: SsoRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => fn(new SsoRepository(manager)));
  }

  /**
   * The mappings of the groups, each held (FOR SHARE) until the transaction ends: a change or
   * deletion of one waits for the sign-in, and then ends the session it made (the change bumps the
   * municipality's SSO users' token version), or the sign-in waits and reads the mapping as changed.
   */
  mappedGroups(groups: string[]): Promise<MappedGroup[]> {
    return this.db.query(
      `SELECT municipality_code AS municipality, role, teams FROM sso_group_mapping WHERE group_id = ANY ($1::text[]) ORDER BY id FOR SHARE`,
      [groups],
    );
  }

  async userByExternalId(externalId: string): Promise<SsoUserRow | undefined> {
    const [row] = await this.db.query(`${USER_SELECT} WHERE external_id = $1`, [externalId]);
    return row;
  }

  async userByName(username: string): Promise<SsoUserRow | undefined> {
    const [row] = await this.db.query(`${USER_SELECT} WHERE username = $1`, [username]);
    return row;
  }

  /** Creates the user: its row and token version; undefined when the name was taken meanwhile. */
  async insertUser(v: SsoUserValues): Promise<UserVersion | undefined> {
    const [row]: UserVersion[] = await this.db.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, auth_source, external_id, email, last_login_at)
       VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, clock_timestamp()) ON CONFLICT DO NOTHING RETURNING id, token_version AS "tokenVersion"`,
      [v.username, v.role, v.municipality, v.teams, v.authSource, v.externalId, v.email],
    );
    return row;
  }

  /**
   * Role, scope, name and address as the provider says now (a change of role or teams ends old
   * tokens: the trigger); the row's token version after the write. The login's time is the
   * write's, not the transaction's start (clock_timestamp): a sign-in that waited for a mapping
   * change (FOR SHARE) and read it as changed comes after that change's grant_ended_at.
   */
  async updateUser(id: number, v: SsoUserValues): Promise<UserVersion> {
    // TypeORM answers an UPDATE with [rows, count].
    const [rows]: [UserVersion[], number] = await this.db.query(
      `UPDATE app_user SET username = $2, role = $3, municipality_code = $4, teams = $5, auth_source = $6, email = $7, last_login_at = clock_timestamp()
       WHERE id = $1 RETURNING id, token_version AS "tokenVersion"`,
      [id, v.username, v.role, v.municipality, v.teams, v.authSource, v.email],
    );
    return rows[0];
  }

  /**
   * No mapped group any more (or groups of several municipalities): the user's sessions end, and
   * the grant with them (grant_ended_at: the weekly e-mail stops until a login gives one again).
   * The row stays as it was, for the audit log's names.
   */
  async endSessions(id: number): Promise<void> {
    await this.db.query(`UPDATE app_user SET token_version = token_version + 1, grant_ended_at = clock_timestamp() WHERE id = $1`, [id]);
  }

  /**
   * A sign-in refused for another reason (disabled, the provider's name unusable or another user's):
   * the stored grant was not confirmed by this login, so nothing that acts without a session (the
   * weekly e-mail) goes on with it; the sessions are left as they are.
   */
  async grantNotConfirmed(id: number): Promise<void> {
    await this.db.query(`UPDATE app_user SET grant_ended_at = clock_timestamp() WHERE id = $1`, [id]);
  }

  /** The ticket, for the user row and token version its sign-in wrote. */
  async saveTicket(hash: string, bindingHash: string, username: string, user: UserVersion, ttlSeconds: number): Promise<void> {
    await this.db.query(`DELETE FROM sso_ticket WHERE expires_at < now()`);
    await this.db.query(
      `INSERT INTO sso_ticket (ticket_hash, binding_hash, username, user_id, token_version, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [hash, bindingHash, username, user.id, user.tokenVersion, ttlSeconds],
    );
  }

  /** The ticket, once: the row is gone after the first try, valid or not. */
  async takeTicket(hash: string): Promise<TakenTicket | undefined> {
    // TypeORM answers a DELETE with [rows, count].
    const [rows]: [{ username: string; bindingHash: string; id: number | null; tokenVersion: number | null; valid: boolean }[], number] =
      await this.db.query(
        `DELETE FROM sso_ticket WHERE ticket_hash = $1
       RETURNING username, binding_hash AS "bindingHash", user_id AS id, token_version AS "tokenVersion", expires_at > now() AS valid`,
        [hash],
      );
    const row = rows[0];
    if (!row?.valid) return undefined;
    const user = row.id === null || row.tokenVersion === null ? null : { id: row.id, tokenVersion: row.tokenVersion };
    return { username: row.username, user, bindingHash: row.bindingHash };
  }
}

const USER_SELECT = `SELECT id, username, auth_source AS "authSource", external_id AS "externalId", disabled FROM app_user`;
