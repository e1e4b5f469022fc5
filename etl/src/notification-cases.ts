import { isoDayNumber } from './days';
import { needsEscape } from './load/copy';
import { entityDef, scopeColumns } from './load/entities';

// EXPORTS.md: a notification without a case belongs to the child's case open at receipt, else the
// child's first case opened after it, else the child's latest case; ties by case number (byte
// order). The rule in its two forms: in SQL over the staged tables (CSC, whose notifications come
// out of the event log in SQL, and DUBU when a rule removed a case after the parser linked), and in
// the parser (DUBU: sager.csv is read before underretninger.csv), which spares the import a join
// of every notification with every case of its child and a second copy of the notifications.

/**
 * Where a case comes among a child's candidates for a notification received on `day`: open at
 * receipt (latest opened first), then opened after it (earliest first), then the rest (latest
 * opened first). Days are day numbers; the SQL below computes the same integer.
 */
export function candidateRank(opened: number, closed: number | null, day: number): number {
  if (opened <= day && (closed === null || closed >= day)) return day - opened;
  if (opened > day) return 1_000_000 + (opened - day);
  return 2_000_000 + (day - opened);
}

interface Candidate {
  caseId: string;
  opened: number;
  closed: number | null;
}

/**
 * The staged cases by child, as the parser stages them, and the case each notification belongs to.
 * Every staged case row counts, as in the SQL form (a repeated case number too).
 */
export class NotificationCaseLinker {
  private readonly byPerson = new Map<string, Candidate[]>();
  /**
   * false once a case id needs escaping in COPY text: the notifications' rows are sent unescaped
   * when their own fields need none (Row.plain), so such an id is left to the SQL form.
   */
  usable = true;

  addCase(caseId: string, personId: string, opened: string, closed: string | null): void {
    // An id COPY's text format would have to escape: see `usable`.
    if (needsEscape(caseId)) this.usable = false;
    const candidate = { caseId, opened: isoDayNumber(opened), closed: closed === null ? null : isoDayNumber(closed) };
    const cases = this.byPerson.get(personId);
    if (cases) cases.push(candidate);
    else this.byPerson.set(personId, [candidate]);
  }

  /** The case of a notification of `personId` received on `receivedAt` (local day first), null when the child has none. */
  caseFor(personId: string, receivedAt: string): string | null {
    const cases = this.byPerson.get(personId);
    if (!cases) return null;
    const day = isoDayNumber(receivedAt);
    let best = cases[0];
    let bestRank = candidateRank(best.opened, best.closed, day);
    for (let i = 1; i < cases.length; i++) {
      const c = cases[i];
      const rank = candidateRank(c.opened, c.closed, day);
      if (rank < bestRank || (rank === bestRank && c.caseId < best.caseId)) {
        best = c;
        bestRank = rank;
      }
    }
    return best.caseId;
  }
}

/**
 * The staged notifications with their case filled in, as a query for the partition's build.
 * `keepGiven`: a case the row names is kept (CSC); otherwise every notification is linked (DUBU,
 * whose file names none: a case the parser linked is linked again).
 */
export function notificationsLinkedToCases(notifications: string, cases: string, keepGiven: boolean): string {
  const def = entityDef('notifications');
  const linkedCase = keepGiven ? 'coalesce(n.case_id, linked.case_id) AS case_id' : 'linked.case_id AS case_id';
  const cols = [...scopeColumns(def), ...def.key, ...def.values].map((c) => (c === 'case_id' ? linkedCase : `n.${c}`));
  const unlinked = keepGiven ? 'WHERE case_id IS NULL' : '';
  // Set-based (a hash join on the child), not a lookup per notification.
  // The day of receipt once per notification (MATERIALIZED): inlined, the time-zone conversion ran
  // several times for every candidate pair, most of the linking's time.
  return `(SELECT ${cols.join(', ')}, n._line FROM ${notifications} n LEFT JOIN (
       WITH x AS MATERIALIZED (SELECT _line, person_id, (received_at AT TIME ZONE 'Europe/Copenhagen')::date AS day FROM ${notifications} ${unlinked})
       SELECT DISTINCT ON (x._line) x._line, c.case_id
       FROM x JOIN ${cases} c ON c.person_id = x.person_id
       -- candidateRank
       ORDER BY x._line,
                CASE WHEN c.opened <= x.day AND (c.closed IS NULL OR c.closed >= x.day) THEN x.day - c.opened
                     WHEN c.opened > x.day THEN 1000000 + (c.opened - x.day)
                     ELSE 2000000 + (x.day - c.opened) END,
                c.case_id COLLATE "C"
     ) linked ON linked._line = n._line${keepGiven ? ' AND n.case_id IS NULL' : ''})`;
}
