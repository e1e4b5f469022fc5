import type { Role } from '@bu/domain';

export interface AuthUser {
  username: string;
  role: Role;
  /** null: every municipality (product administrators). */
  municipality: number | null;
  teams: string[];
  /** The password is an administrator's: the user must choose a new one before anything else (ADR 0117). */
  passwordChange?: true;
}

/**
 * A user row and its token version as a login checked them or a write left them: a session is made
 * only for exactly these (AuthService.session), so a change between the check and the token ends it.
 */
export interface UserVersion {
  id: number;
  tokenVersion: number;
}
