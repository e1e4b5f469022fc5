import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@bu/domain';

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

/** The sign-on flow's rows: mappings, the users it makes and the one-time tickets. Called in the national scope. */
@Injectable()
export class SsoRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  mappedGroups(groups: string[]): Promise<MappedGroup[]> {
    return this.db.query(
      `SELECT municipality_code AS municipality, role, teams FROM sso_group_mapping WHERE group_id = ANY ($1::text[]) ORDER BY id`,
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

  /** Creates the user; false when the name was taken meanwhile. */
  async insertUser(v: SsoUserValues): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, auth_source, external_id, email, last_login_at)
       VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT DO NOTHING RETURNING id`,
      [v.username, v.role, v.municipality, v.teams, v.authSource, v.externalId, v.email],
    );
    return rows.length === 1;
  }

  /** Role, scope, name and address as the provider says now (a change of role or teams ends old tokens: the trigger). */
  async updateUser(id: number, v: SsoUserValues): Promise<void> {
    await this.db.query(
      `UPDATE app_user SET username = $2, role = $3, municipality_code = $4, teams = $5, auth_source = $6, email = $7, last_login_at = now()
       WHERE id = $1`,
      [id, v.username, v.role, v.municipality, v.teams, v.authSource, v.email],
    );
  }

  /** No mapped group any more: the user's sessions end (the row stays for the audit log's names). */
  async endSessions(id: number): Promise<void> {
    await this.db.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [id]);
  }

  async saveTicket(hash: string, bindingHash: string, username: string, ttlSeconds: number): Promise<void> {
    await this.db.query(`DELETE FROM sso_ticket WHERE expires_at < now()`);
    await this.db.query(
      `INSERT INTO sso_ticket (ticket_hash, binding_hash, username, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [hash, bindingHash, username, ttlSeconds],
    );
  }

  /** The ticket's user, once: the row is gone after the first try, valid or not. */
  async takeTicket(hash: string): Promise<{ username: string; bindingHash: string } | undefined> {
    // TypeORM answers a DELETE with [rows, count].
    const [rows]: [{ username: string; bindingHash: string; valid: boolean }[], number] = await this.db.query(
      `DELETE FROM sso_ticket WHERE ticket_hash = $1 RETURNING username, binding_hash AS "bindingHash", expires_at > now() AS valid`,
      [hash],
    );
    const row = rows[0];
    return row?.valid ? { username: row.username, bindingHash: row.bindingHash } : undefined;
  }
}

const USER_SELECT = `SELECT id, username, auth_source AS "authSource", external_id AS "externalId", disabled FROM app_user`;
