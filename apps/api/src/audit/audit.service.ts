import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'async_hooks';
import { createHash } from 'crypto';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types';

/** The request being answered, for rows written deep inside it (the client IP of a KPI answer). */
export const auditContext = new AsyncLocalStorage<{ ip: string | null }>();

/** One audit row as written; the database adds the time, the id and the hash chain (AuditChain migration). */
export interface AuditEvent {
  username: string;
  role: string;
  action: string;
  municipality: number | null;
  caseSetId?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
  status?: number | null;
}

/**
 * The audit log: who saw person-level data (every answer that carries case rows, pointing at its
 * set of cases in audit_case_set, stored once however often it is seen; the view audit_access reads
 * each access with its cases), and logins, refusals, changes and reads of import issues (audit.hook.ts).
 * The API's role may only add rows; the database chains them (libs/db/src/audit-chain.ts).
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Rows written after their response was sent (audit.hook.ts): the API closes once they are in. */
  private readonly after = new Set<Promise<unknown>>();

  track(write: Promise<unknown>): void {
    // Only waited for here; the caller reports a failed write (audit.hook.ts).
    const settled = write.catch(() => undefined).finally(() => this.after.delete(settled));
    this.after.add(settled);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.after]);
  }

  /** The id of a set of cases; the same set always gets the same row. Null for no cases. */
  async caseSet(cases: string[]): Promise<string | null> {
    if (cases.length === 0) return null;
    const digest = createHash('sha256').update(cases.join('\n')).digest('hex');
    // DO NOTHING (the API's role may not UPDATE): a set inserted concurrently by another request is
    // waited for by the INSERT and then seen by the SELECT, a statement with a newer snapshot.
    const [row] = await this.db.query(
      `WITH added AS (INSERT INTO audit_case_set (digest, case_ids) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING RETURNING id)
       SELECT id::text AS id FROM added`,
      [digest, cases],
    );
    if (row) return row.id;
    const [found] = await this.db.query('SELECT id::text AS id FROM audit_case_set WHERE digest = $1', [digest]);
    return found.id;
  }

  /**
   * Writes one access to a set of cases, for every answer, cached or not. The answer is sent only
   * once its row is committed; rows arriving together share one INSERT and one commit.
   */
  async record(
    user: AuthUser,
    municipality: number,
    listIds: string[],
    caseSetId: string | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    // An answer without case rows is logged when it names caseworkers (detail.caseworkers: a
    // caseload per person, or a list's caseworker labels) or shows rejected import values (the
    // data-quality lists: values and messages may name a case), as the import issues' own page
    // is (detail.imports). Aggregates alone are not.
    if (listIds.length === 0 || (caseSetId === null && !detail.imports && !detail.caseworkers)) return;
    return this.event({ username: user.username, role: user.role, action: `kpi:${listIds.join(',')}`, municipality, caseSetId, detail });
  }

  /** Writes one row; resolves once it is committed. The client IP defaults to the current request's. */
  event(e: AuditEvent): Promise<void> {
    const ip = e.ip !== undefined ? e.ip : (auditContext.getStore()?.ip ?? null);
    return new Promise((resolve, reject) => {
      this.queue.push({
        row: [e.username, e.role, e.action, e.municipality, e.caseSetId ?? null, e.detail ?? {}, ip, e.status ?? null],
        resolve,
        reject,
      });
      if (!this.writing) void this.write();
    });
  }

  private queue: { row: unknown[]; resolve: () => void; reject: (e: unknown) => void }[] = [];

  /** One statement: the chain trigger numbers and links its rows in this order. */
  private async insert(batch: { row: unknown[] }[]): Promise<void> {
    const values = batch.map((_, i) => {
      const p = (k: number) => `$${i * 8 + k}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::smallint, ${p(5)}::bigint, ${p(6)}::jsonb, ${p(7)}, ${p(8)}::smallint)`;
    });
    await this.db.query(
      `INSERT INTO audit_log (username, role, action, municipality_code, case_set_id, detail, client_ip, status) VALUES ${values.join(', ')}`,
      batch.flatMap((b) => b.row),
    );
  }
  private writing = false;

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 200);
        try {
          await this.insert(batch);
          for (const b of batch) b.resolve();
        } catch (error) {
          if (batch.length === 1 || !refusedData(error)) for (const b of batch) b.reject(error);
          // One row the database refuses must not take the others with it (nor fail their
          // answers): each is tried on its own, in order. Only then: a database away or slow would
          // be waited for once per row, and a batch whose commit went unanswered written twice.
          else
            for (const b of batch)
              await this.insert([b]).then(
                () => b.resolve(),
                (e: unknown) => b.reject(e),
              );
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** A value the database refused (SQLSTATE classes 22 data exception and 23 integrity), not the database failing. */
function refusedData(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** What a notification without a case is recorded as among an access's cases. */
export const NOTIFICATION_WITHOUT_CASE = 'underretning:';

/**
 * The case numbers in the named lists' rows, sorted. A row about a child with no case (a
 * notification for the intake team) is person-level data too: it is recorded by its notification
 * id, as `underretning:<id>`.
 */
export function casesIn(listIds: string[], values: Record<string, unknown>): string[] {
  const cases = new Set<string>();
  for (const id of listIds) collectCases(values[id], cases);
  return [...cases].sort();
}

/** Case numbers in list rows (also nested lists such as dueSoon). */
function collectCases(value: unknown, into: Set<string>): void {
  if (!value || typeof value !== 'object') return;
  const v = value as { rows?: { case?: string | null; notification?: string | null }[] } & Record<string, unknown>;
  for (const row of v.rows ?? []) {
    if (row.case) into.add(row.case);
    else if (row.notification) into.add(`${NOTIFICATION_WITHOUT_CASE}${row.notification}`);
  }
  for (const nested of Object.values(v)) if (nested && typeof nested === 'object' && 'rows' in nested) collectCases(nested, into);
}

/**
 * The imports whose rejected values or messages the named lists show (rows with `issues`: the
 * data-quality lists as a chief or administrator sees them), sorted; null when none shows any.
 * A list without an import id per row (unknown codes: the newest imports) counts as shown, with
 * no id.
 */
export function importIssuesIn(listIds: string[], values: Record<string, unknown>): string[] | null {
  let shown = false;
  const imports = new Set<string>();
  for (const id of listIds) {
    const rows = (values[id] as { rows?: { import?: string; issues?: unknown[] }[] } | undefined)?.rows ?? [];
    for (const row of rows) {
      if (!Array.isArray(row.issues) || row.issues.length === 0) continue;
      shown = true;
      if (row.import) imports.add(row.import);
    }
  }
  return shown ? [...imports].sort() : null;
}
