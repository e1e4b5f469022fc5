import { isMunicipalityCode, isRole, mayHoldCpr, type Role } from '@bu/domain';
import { randomInt } from 'crypto';
import { SYSTEM_IMPORTERS } from '@bu/contracts';
import type { UserVersion } from './auth.types';
import { codeKey } from './login-throttle';
import { hashPassword } from './password';

// Local users: one place for the rules, used by the admin API and by `npm run admin -- user add`.

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  municipality?: number | null;
  teams?: string[];
  /** Demo users (embedded default only) may have short passwords and are removed by `npm run serve`. */
  demo?: boolean;
  /** Given by an administrator: the user chooses a new one at the next login (ADR 0117). */
  temporary?: boolean;
}

/** Why the user cannot be created (Danish), or null. */
export function userError(user: Partial<NewUser>): string | null {
  // A name is written into the audit log, kept for years: never one that may be a CPR number (not echoed either).
  if (typeof user.username === 'string' && mayHoldCpr(user.username)) return 'Et brugernavn må ikke ligne et CPR-nummer; vælg et andet.';
  if (typeof user.username !== 'string' || !/^[\p{L}\p{N}._-]{2,64}$/u.test(user.username))
    return `Ugyldigt brugernavn: ${user.username} (2-64 bogstaver, tal, . _ -)`;
  // The import log's words for what no person started (importedBy) are never a username.
  if (SYSTEM_IMPORTERS.includes(user.username.toLowerCase()))
    return `Brugernavnet ${user.username} er forbeholdt systemet (importloggen); vælg et andet.`;
  if (typeof user.role !== 'string' || !isRole(user.role)) return `Ukendt rolle: ${user.role} (udvalg, chef, teamleder eller admin)`;
  if (typeof user.password !== 'string' || user.password.length < (user.demo ? 4 : 10)) return 'Adgangskoden skal være mindst 10 tegn.';
  return profileError(user);
}

/** Why the role, municipality and teams cannot go together (Danish), or null: the rules of a new user and of a change. */
export function profileError(user: Pick<Partial<NewUser>, 'role' | 'municipality' | 'teams'>): string | null {
  if (typeof user.role !== 'string' || !isRole(user.role)) return `Ukendt rolle: ${user.role} (udvalg, chef, teamleder eller admin)`;
  if (user.municipality != null && !isMunicipalityCode(user.municipality)) return `Ukendt kommunekode: ${user.municipality}`;
  if (user.role !== 'admin' && user.municipality == null) return `Rollen ${user.role} skal have en kommune (--municipality).`;
  if (user.teams !== undefined && (!Array.isArray(user.teams) || user.teams.some((t) => typeof t !== 'string' || t.trim() === '')))
    return 'teams skal være en liste af teamnavne';
  // A team leader without teams would see no team's figures; the API refuses every figure to one.
  if (user.role === 'teamleder' && (!Array.isArray(user.teams) || user.teams.length === 0))
    return 'En teamleder skal have mindst ét team (--team).';
  return null;
}

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * Creates the user, or replaces the password, role, municipality and teams of one with that name:
 * a new password ends the user's sessions (token_version; a trigger does it for the other columns).
 * `only`: 'new' writes nothing for a name that exists, 'password-user' nothing for a single sign-on
 * user (decided by the statement itself, so no login in between can slip past a check made before);
 * false when nothing was written.
 */
export async function saveUser(query: Query, user: NewUser, only?: 'new' | 'password-user'): Promise<boolean> {
  const problem = userError(user);
  if (problem) throw new Error(problem);
  const conflict =
    only === 'new'
      ? 'DO NOTHING'
      : `DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
       municipality_code = EXCLUDED.municipality_code, teams = EXCLUDED.teams, demo = EXCLUDED.demo,
       password_temporary = EXCLUDED.password_temporary, token_version = app_user.token_version + 1, access_granted_at = now()${only === 'password-user' ? ` WHERE app_user.auth_source = 'local'` : ''}`;
  const result = await query(
    `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, demo, password_temporary) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (username) ${conflict} RETURNING username`,
    [
      user.username,
      await hashPassword(user.password),
      user.role,
      user.municipality ?? null,
      user.teams ?? [],
      user.demo ?? false,
      user.temporary ?? false,
    ],
  );
  const written = countRows(result) > 0;
  if (written) await forgetWrongCodes(query, user.username);
  return written;
}

/**
 * A new password or a new code secret starts the user's wrong one-time codes over: the block they
 * set (ADR 0116) was against whoever held the old one.
 */
async function forgetWrongCodes(query: Query, username: string): Promise<void> {
  await query(`DELETE FROM login_attempt WHERE kind = 'code' AND key = $1`, [codeKey(username)]);
}

/** Disables (or enables again) a user: a disabled user cannot log in and its tokens stop working. Returns whether the user exists. */
export async function setDisabled(query: Query, username: string, disabled: boolean): Promise<boolean> {
  // pg's Pool gives { rowCount }, TypeORM's query gives [rows, count] for an UPDATE.
  // Enabled again: access given anew, so the idle-account purge counts from now (ADR 0118).
  return (
    countRows(
      await query(
        `UPDATE app_user SET disabled = $2, access_granted_at = CASE WHEN $2 THEN access_granted_at ELSE now() END WHERE username = $1 RETURNING username`,
        [username, disabled],
      ),
    ) > 0
  );
}

function countRows(result: unknown): number {
  if (Array.isArray(result)) return Array.isArray(result[0]) ? result[0].length : result.length;
  return (result as { rowCount?: number }).rowCount ?? 0;
}

/** The rows a statement returned: pg's Pool gives { rows }, TypeORM's query the rows, or [rows, count] for an UPDATE. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

/** A new password for a reset: 16 characters without look-alikes (0/O, 1/l/I), about 90 bits. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * A new password for a local user; every token of the user stops working (token_version). Returns
 * the row and its new token version when it was written (the user exists and, with `previous`,
 * still has that password hash), else null. `temporary`: an administrator's, which the user
 * replaces at the next login.
 */
export async function setPassword(
  query: Query,
  username: string,
  password: string,
  temporary = false,
  previous: string | null = null,
): Promise<UserVersion | null> {
  const [written] = rowsOf<UserVersion>(
    await query(
      `UPDATE app_user SET password_hash = $2, password_temporary = $3, token_version = token_version + 1, access_granted_at = now()
       WHERE username = $1 AND auth_source = 'local' AND ($4::text IS NULL OR password_hash = $4) RETURNING id, token_version AS "tokenVersion"`,
      [username, await hashPassword(password), temporary, previous],
    ),
  );
  if (written) await forgetWrongCodes(query, username);
  return written ?? null;
}

/**
 * Gives a password user a one-time-code secret, or removes it (null), ADR 0116; `usedStep` is the
 * step of the code that confirmed it, so that code does not log in afterwards. Ends the user's
 * sessions (the token_version trigger). False when there is no password user of that name.
 */
export async function setTotpSecret(
  query: Query,
  username: string,
  secret: Buffer | null,
  usedStep: number | null = null,
): Promise<boolean> {
  const written =
    countRows(
      await query(
        `UPDATE app_user SET totp_secret = $2, totp_last_step = $3 WHERE username = $1 AND auth_source = 'local' RETURNING username`,
        [username, secret, usedStep],
      ),
    ) > 0;
  if (written) await forgetWrongCodes(query, username);
  return written;
}
