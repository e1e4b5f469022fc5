import type { Pool } from 'pg';
import { isKombitPrivilege } from '../../apps/api/src/sso/group-mapping';

/** A KOMBIT mapping that the registered CVR number no longer fits (made before it was registered). */
export interface ForeignMapping {
  municipality: number;
  group: string;
}

/**
 * Registers a municipality's CVR number (null: removes it). KOMBIT privileges `<CVR>:<URI>` are then
 * mapped in that municipality only with this CVR number (docs/SSO.md). Returns the mappings made
 * before that do not fit: the municipality's with another CVR number, and other municipalities'
 * with this one. Throws in Danish on a wrong number, an unknown municipality or a CVR number
 * another municipality has.
 */
export async function registerCvr(pool: Pool, municipality: number, cvr: string | null): Promise<ForeignMapping[]> {
  if (cvr !== null && !/^\d{8}$/.test(cvr)) throw new Error(`Et CVR-nummer er 8 cifre: ${cvr}`);
  try {
    const { rowCount } = await pool.query(`UPDATE municipality SET cvr = $2 WHERE code = $1`, [municipality, cvr]);
    if (rowCount === 0) throw new Error(`Kommune ${municipality} findes ikke`);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      const { rows } = await pool.query(`SELECT code FROM municipality WHERE cvr = $1`, [cvr]);
      throw new Error(`CVR-nummer ${cvr} er allerede registreret for kommune ${rows[0]?.code}`);
    }
    throw error;
  }
  if (cvr === null) return [];
  // As the owner: every municipality's mappings, whatever row-level security lets the API see.
  const { rows } = await pool.query<ForeignMapping>(
    `SELECT municipality_code AS municipality, group_id AS "group" FROM sso_group_mapping
     WHERE group_id ~ '^[0-9]{8}:' AND (municipality_code = $1) <> (left(group_id, 8) = $2)
     ORDER BY municipality_code, group_id`,
    [municipality, cvr],
  );
  return rows;
}

/**
 * The group mappings whose group has a KOMBIT privilege's form: they give access only from a signed
 * KOMBIT privilege list (SAML), never from the OpenID Connect login, whose groups of that form are
 * ignored (apps/api/src/sso/group-mapping.ts). Named at start when OpenID Connect is set up, so a
 * mapping made for its groups is not found dead only at its users' next login.
 */
export async function privilegeShapedMappings(pool: Pool): Promise<{ municipality: number; group: string }[]> {
  const { rows } = await pool.query<{ municipality: number; group: string }>(
    `SELECT municipality_code AS municipality, group_id AS "group" FROM sso_group_mapping ORDER BY municipality_code, group_id`,
  );
  return rows.filter((m) => isKombitPrivilege(m.group));
}
