// Verifies the audit log's hash chain (migration 1733300000000-AuditChain): from the purge anchor
// (or the genesis hash), every row, kept or purged, in id order, must name the previous row's hash
// as its prev_hash; a kept row's hash must be recomputed from its content by the same SQL function
// the insert trigger uses; the chain's head must be the last row; each case set must match its digest.
// The reasons are Danish: the administrator reads them (npm run admin -- audit verify).

export const AUDIT_GENESIS = '0'.repeat(64);

interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as pg types its rows
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export type AuditVerification =
  { ok: true; count: number; purged: number; anchor: string | null } | { ok: false; id: string | null; reason: string; count: number };

const PAGE = 10_000;

export async function verifyAuditChain(db: Queryable): Promise<AuditVerification> {
  const { rows: anchorRows } = await db.query(`SELECT anchor_id::text AS id, anchor_hash AS hash FROM audit_purge`);
  const anchor: { id: string; hash: string } | undefined = anchorRows[0];
  let prevId: string | null = anchor?.id ?? null;
  let prevHash = anchor?.hash ?? AUDIT_GENESIS;
  let count = 0;
  let purged = 0;
  let after = anchor?.id ?? '0';
  const fail = (id: string | null, reason: string): AuditVerification => ({ ok: false, id, reason, count });
  for (;;) {
    // Kept rows with their recomputed hash, and the hashes of purged rows, merged in id order.
    const { rows } = await db.query(
      `SELECT id, prev_hash, hash, audit_row_hash(prev_hash, l) AS recomputed, false AS purged FROM audit_log l WHERE id > $1::bigint
       UNION ALL SELECT id, prev_hash, hash, NULL, true FROM audit_purged WHERE id > $1::bigint
       ORDER BY id LIMIT ${PAGE}`,
      [after],
    );
    for (const r of rows) {
      if (r.prev_hash !== prevHash) {
        return fail(
          r.id,
          prevId === null
            ? `række ${r.id} begynder ikke kæden (en række før den er slettet eller ændret)`
            : `række ${r.id} følger ikke række ${prevId}: en række imellem er slettet, eller række ${prevId} er ændret`,
        );
      }
      if (!r.purged && r.recomputed !== r.hash)
        return fail(r.id, `række ${r.id} er ændret, efter den blev skrevet (indholdet passer ikke til dens hashværdi)`);
      if (r.purged) purged++;
      else count++;
      prevId = String(r.id);
      prevHash = r.hash;
    }
    if (rows.length < PAGE) break;
    after = String(rows[rows.length - 1].id);
  }
  const { rows: head } = await db.query(`SELECT head_id::text AS id, head_hash AS hash FROM audit_chain`);
  if (head.length !== 1) return fail(null, 'kædens hoved (audit_chain) mangler');
  if (head[0].hash !== prevHash) {
    return fail(
      head[0].id,
      `den sidste række er ${prevId ?? 'ingen'}, men kæden ender ved række ${head[0].id}: rækker til sidst er slettet eller ændret`,
    );
  }
  const { rows: sets } = await db.query(
    `SELECT id::text AS id FROM audit_case_set WHERE digest <> encode(sha256(convert_to(array_to_string(case_ids, E'\\n'), 'UTF8')), 'hex') ORDER BY id LIMIT 1`,
  );
  if (sets.length > 0) return fail(null, `sagssæt ${sets[0].id} er ændret (sagerne passer ikke til dets hashværdi)`);
  return { ok: true, count, purged, anchor: anchor?.id ?? null };
}
