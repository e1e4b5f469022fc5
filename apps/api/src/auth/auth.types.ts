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
