import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types';

/** Who saw person-level data: every answer that carries case rows is written to audit_log. */
@Injectable()
export class AuditService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async personLevelAccess(user: AuthUser, municipality: number, listIds: string[], values: Record<string, unknown>, detail: Record<string, unknown>): Promise<void> {
    if (listIds.length === 0) return;
    const cases = new Set<string>();
    for (const id of listIds) collectCases(values[id], cases);
    // Lists without case rows (data quality, empty work lists) show no person-level data.
    if (cases.size === 0) return;
    await this.db.query(
      `INSERT INTO audit_log (username, role, action, municipality_code, case_ids, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
      [user.username, user.role, `kpi:${listIds.join(',')}`, municipality, [...cases].sort(), detail],
    );
  }
}

/** Case numbers in list rows (also nested lists such as dueSoon). */
function collectCases(value: unknown, into: Set<string>): void {
  if (!value || typeof value !== 'object') return;
  const v = value as { rows?: { case?: string | null }[] } & Record<string, unknown>;
  for (const row of v.rows ?? []) if (row.case) into.add(row.case);
  for (const nested of Object.values(v)) if (nested && typeof nested === 'object' && 'rows' in (nested as object)) collectCases(nested, into);
}
