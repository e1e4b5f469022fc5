import type { Pool } from 'pg';
import { isMunicipalityCode, isRole, Role } from '@bu/domain';
import { hashPassword } from '../../apps/api/src/auth/auth.service';

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  municipality?: number | null;
  teams?: string[];
  demo?: boolean;
}

export async function addUser(pool: Pool, user: NewUser): Promise<void> {
  if (!/^[\p{L}\p{N}._-]{2,64}$/u.test(user.username)) throw new Error(`Ugyldigt brugernavn: ${user.username}`);
  if (!isRole(user.role)) throw new Error(`Ukendt rolle: ${user.role} (udvalg, chef, teamleder eller admin)`);
  if (user.password.length < (user.demo ? 4 : 10)) throw new Error('Adgangskoden skal være mindst 10 tegn.');
  if (user.municipality != null && !isMunicipalityCode(user.municipality)) throw new Error(`Ukendt kommunekode: ${user.municipality}`);
  if (user.role !== 'admin' && user.municipality == null) throw new Error(`Rollen ${user.role} skal have en kommune (--municipality).`);
  await pool.query(
    `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, demo) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
       municipality_code = EXCLUDED.municipality_code, teams = EXCLUDED.teams, demo = EXCLUDED.demo`,
    [user.username, await hashPassword(user.password), user.role, user.municipality ?? null, user.teams ?? [], user.demo ?? false],
  );
}

/** Demo users exist only on the embedded default: a real deployment removes them at start. */
export async function removeDemoUsers(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM app_user WHERE demo');
  return rowCount ?? 0;
}
