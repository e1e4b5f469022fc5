import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { GroupMapping, GroupMappingBody } from '@bu/contracts';

const SELECT = `SELECT id, municipality_code AS municipality, group_id AS "group", role, teams FROM sso_group_mapping`;

/** A mapping as changed, and the single sign-on users whose sessions the change ended. */
export interface MappingChange<T> {
  result: T;
  ended: string[];
}

/**
 * Ends every token of the municipality's users who log in one way (`local`: by password; `sso`:
 * through single sign-on); their names. On the connection given (a transaction's, or the pool).
 * A single sign-on user's grant ends with the sessions (grant_ended_at): the stored role is the
 * old mappings', so the weekly e-mail waits for a login under the new ones. Its time is the
 * write's (clock_timestamp), after any sign-in that read the old mappings and held them.
 */
async function endSessions(db: Pick<EntityManager, 'query'>, municipality: number, by: 'local' | 'sso'): Promise<string[]> {
  const [rows]: [{ username: string }[], number] = await db.query(
    `UPDATE app_user SET token_version = token_version + 1, grant_ended_at = CASE WHEN $2 THEN grant_ended_at ELSE clock_timestamp() END
     WHERE municipality_code = $1 AND (auth_source = 'local') = $2 RETURNING username`,
    [municipality, by === 'local'],
  );
  return rows.map((r) => r.username);
}

/** The administrator's group mappings and password-login switch (the service and row-level security keep them to the caller's scope). */
@Injectable()
export class GroupMappingsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The municipality's CVR number as the operator registered it (npm run admin -- municipality cvr); null before. */
  async cvr(municipality: number): Promise<string | null> {
    const [row] = await this.db.query(`SELECT cvr FROM municipality WHERE code = $1`, [municipality]);
    return row?.cvr ?? null;
  }

  list(municipality: number): Promise<GroupMapping[]> {
    return this.db.query(`${SELECT} WHERE municipality_code = $1 ORDER BY group_id, id`, [municipality]);
  }

  async get(id: number): Promise<GroupMapping | undefined> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1`, [id]);
    return row;
  }

  /**
   * The new mapping; undefined when the group is already mapped (in any municipality: the key is the
   * group alone). The municipality's SSO sessions end with it: which groups a user is in is known
   * only at login, so every SSO user of it logs in again and gets the mappings as they are now;
   * password users (the administrator making the change among them) keep their sessions.
   */
  insert(municipality: number, m: GroupMappingBody): Promise<MappingChange<GroupMapping> | undefined> {
    return this.db.transaction(async (tx) => {
      const [row]: GroupMapping[] = await tx.query(
        `INSERT INTO sso_group_mapping (municipality_code, group_id, role, teams) VALUES ($1, $2, $3, $4)
         ON CONFLICT (group_id) DO NOTHING
         RETURNING id, municipality_code AS municipality, group_id AS "group", role, teams`,
        [municipality, m.group, m.role, m.teams],
      );
      return row && { result: row, ended: await endSessions(tx, row.municipality, 'sso') };
    });
  }

  /**
   * The changed mapping; undefined when it is not there in that municipality (or not the caller's). Throws on a duplicate
   * group. The municipality's SSO sessions end with it (see insert).
   */
  update(id: number, municipality: number, m: GroupMappingBody): Promise<MappingChange<GroupMapping> | undefined> {
    return this.db.transaction(async (tx) => {
      const [rows]: [GroupMapping[], number] = await tx.query(
        `UPDATE sso_group_mapping SET group_id = $3, role = $4, teams = $5 WHERE id = $1 AND municipality_code = $2
         RETURNING id, municipality_code AS municipality, group_id AS "group", role, teams`,
        [id, municipality, m.group, m.role, m.teams],
      );
      return rows[0] && { result: rows[0], ended: await endSessions(tx, rows[0].municipality, 'sso') };
    });
  }

  /** The deleted mapping's municipality; undefined when it is not there in that municipality (or not the caller's). The municipality's SSO sessions end with it. */
  delete(id: number, municipality: number): Promise<MappingChange<number> | undefined> {
    return this.db.transaction(async (tx) => {
      const [rows]: [{ municipality: number }[], number] = await tx.query(
        `DELETE FROM sso_group_mapping WHERE id = $1 AND municipality_code = $2 RETURNING municipality_code AS municipality`,
        [id, municipality],
      );
      return rows[0] && { result: rows[0].municipality, ended: await endSessions(tx, rows[0].municipality, 'sso') };
    });
  }

  async passwordLogin(municipality: number): Promise<boolean> {
    const [row] = await this.db.query(`SELECT password_login AS "passwordLogin" FROM login_policy WHERE municipality_code = $1`, [
      municipality,
    ]);
    return row?.passwordLogin ?? true;
  }

  async authSource(username: string): Promise<string | undefined> {
    const [row] = await this.db.query(`SELECT auth_source AS "authSource" FROM app_user WHERE username = $1`, [username]);
    return row?.authSource;
  }

  /** Ends every token of the municipality's password users; their names. */
  endLocalSessions(municipality: number): Promise<string[]> {
    return endSessions(this.db, municipality, 'local');
  }

  async setPasswordLogin(municipality: number, passwordLogin: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO login_policy (municipality_code, password_login) VALUES ($1, $2)
       ON CONFLICT (municipality_code) DO UPDATE SET password_login = EXCLUDED.password_login`,
      [municipality, passwordLogin],
    );
  }
}
