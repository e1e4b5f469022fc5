// API types shared by the API and the dashboard. The KPI catalogue (KPIS.md) defines the values.
import type { Role } from '@bu/domain';

export type { Role };

export const API_PREFIX = '/api/v1';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  user: CurrentUser;
}

export interface CurrentUser {
  username: string;
  role: Role;
  /** Municipalities the user may see (codes). */
  municipalities: number[];
  /** Teams a team leader is scoped to; empty means all teams of the municipality. */
  teams: string[];
}

/** A value withheld by small-cell suppression: the real number is never sent. */
export interface Suppressed {
  suppressed: true;
}

/** A list KPI: the total and the rows behind it. */
export interface KpiList<Row = Record<string, unknown>> {
  count: number;
  rows: Row[];
}

export type KpiScalar = number | null | Suppressed;
export type KpiValue = KpiScalar | Record<string, KpiScalar> | KpiList | Record<string, unknown>;

export interface Period {
  from: string;
  to: string;
}

export interface CaseworkerInfo {
  name: string;
  team: string | null;
  jobTitle: string | null;
  employedTo: string | null;
}

export interface KpiResponse {
  asOf: string;
  period: Period;
  municipality: number;
  kpis: Record<string, KpiValue>;
  /** Labels for keys used in per-caseworker objects (caseworker id in the source → name, team). */
  dimensions?: { caseworker?: Record<string, CaseworkerInfo>; municipality?: Record<string, string> };
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  database: 'up' | 'down';
  queue: { backend: 'redis' | 'postgres'; status: 'up' | 'down' };
}

export interface MunicipalityInfo {
  code: number;
  name: string;
  /** Default as-of date: the newest case-system export date for this municipality (null: no data yet). */
  exportDate: string | null;
}
