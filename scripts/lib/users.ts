import type { Pool } from 'pg';
import type { SecondFactorPolicy } from '@bu/config';
import { saveUser, setDisabled, setTotpSecret, type NewUser } from '../../apps/api/src/auth/users';

export type { NewUser };

/**
 * Creates or updates a user (the rules live with the API's user administration); `only` as saveUser's.
 * False when nothing was written.
 */
export function addUser(pool: Pool, user: NewUser, only?: 'new' | 'password-user'): Promise<boolean> {
  return saveUser((sql, params) => pool.query(sql, params), user, only);
}

/** The user of that name as the administrator's CLI shows it; undefined when there is none. */
export async function userNamed(
  pool: Pool,
  username: string,
): Promise<{ role: string; municipality: number | null; authSource: string; secondFactor: boolean } | undefined> {
  const { rows } = await pool.query(
    `SELECT role, municipality_code AS municipality, auth_source AS "authSource", totp_secret IS NOT NULL AS "secondFactor"
     FROM app_user WHERE username = $1`,
    [username],
  );
  return rows[0];
}

/** Disables (or enables) a user; false when there is no such user. */
export function setUserDisabled(pool: Pool, username: string, disabled: boolean): Promise<boolean> {
  return setDisabled((sql, params) => pool.query(sql, params), username, disabled);
}

/** Sets (or with null removes) the user's one-time-code secret; false when there is no password user of that name. */
export function setUserTotp(pool: Pool, username: string, secret: Buffer | null, usedStep: number | null = null): Promise<boolean> {
  return setTotpSecret((sql, params) => pool.query(sql, params), username, secret, usedStep);
}

/** Demo users exist only on the embedded default: a real deployment removes them at start. */
export async function removeDemoUsers(pool: Pool): Promise<number> {
  // As the API's own role (bu_api) row-level security needs a scope: every municipality's demo users.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('bu.municipalities', '*', true)`);
    const { rowCount } = await client.query('DELETE FROM app_user WHERE demo');
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The password users the policy requires to have a second factor who have none: they cannot log in
 * (ADR 0116). Named at start, so that the operator learns it before the first refused login.
 */
export async function usersWithoutSecondFactor(pool: Pool, policy: SecondFactorPolicy): Promise<string[]> {
  if (policy === 'none') return [];
  // A read: row-level security lets the API's role read every user without a scope.
  const { rows } = await pool.query(
    `SELECT username FROM app_user WHERE auth_source = 'local' AND NOT disabled AND NOT demo AND totp_secret IS NULL
       AND ($1 OR municipality_code IS NULL) ORDER BY username`,
    [policy === 'all'],
  );
  return rows.map((r: { username: string }) => r.username);
}
