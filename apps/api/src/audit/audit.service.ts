import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'crypto';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types';

/**
 * Who saw person-level data: every answer that carries case rows is written to audit_log, pointing
 * at its set of cases (audit_case_set, stored once however often it is seen); the view
 * audit_access reads each access with its cases.
 */
@Injectable()
export class AuditService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The id of a set of cases; the same set always gets the same row. Null for no cases. */
  async caseSet(cases: string[]): Promise<string | null> {
    if (cases.length === 0) return null;
    const digest = createHash('sha256').update(cases.join('\n')).digest('hex');
    // DO UPDATE (not DO NOTHING) so a set inserted concurrently by another request still returns its id.
    const [row] = await this.db.query(
      'INSERT INTO audit_case_set (digest, case_ids) VALUES ($1, $2) ON CONFLICT (digest) DO UPDATE SET digest = EXCLUDED.digest RETURNING id::text AS id',
      [digest, cases],
    );
    return row.id;
  }

  /**
   * Writes one access to a set of cases, for every answer, cached or not. The answer is sent only
   * once its row is committed; rows arriving together share one INSERT and one commit.
   */
  async record(user: AuthUser, municipality: number, listIds: string[], caseSetId: string | null, detail: Record<string, unknown>): Promise<void> {
    // Lists without case rows (data quality, empty work lists) show no person-level data.
    if (listIds.length === 0 || caseSetId === null) return;
    return new Promise((resolve, reject) => {
      this.queue.push({ row: [user.username, user.role, `kpi:${listIds.join(',')}`, municipality, caseSetId, detail], resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  private queue: { row: unknown[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 200);
        const values = batch.map((_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}::bigint, $${i * 6 + 6}::jsonb)`);
        try {
          await this.db.query(`INSERT INTO audit_log (username, role, action, municipality_code, case_set_id, detail) VALUES ${values.join(', ')}`, batch.flatMap((b) => b.row));
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** The case numbers in the named lists' rows, sorted. */
export function casesIn(listIds: string[], values: Record<string, unknown>): string[] {
  const cases = new Set<string>();
  for (const id of listIds) collectCases(values[id], cases);
  return [...cases].sort();
}

/** Case numbers in list rows (also nested lists such as dueSoon). */
function collectCases(value: unknown, into: Set<string>): void {
  if (!value || typeof value !== 'object') return;
  const v = value as { rows?: { case?: string | null }[] } & Record<string, unknown>;
  for (const row of v.rows ?? []) if (row.case) into.add(row.case);
  for (const nested of Object.values(v)) if (nested && typeof nested === 'object' && 'rows' in (nested as object)) collectCases(nested, into);
}
