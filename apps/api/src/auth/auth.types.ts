import type { Role } from '@bu/domain';

export interface AuthUser {
  username: string;
  role: Role;
  /** null: every municipality (product administrators). */
  municipality: number | null;
  teams: string[];
}
