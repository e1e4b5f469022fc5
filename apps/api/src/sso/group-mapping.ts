import type { Role } from '@bu/domain';
import type { MappedGroup } from './sso.repository';

/**
 * A KOMBIT privilege without its PrivilegeGroup's CVR scope: the bare privilege URI, the same in
 * every municipality (the SAML login makes `<CVR>:<URI>` when the scope names one).
 */
export const BARE_PRIVILEGE = /^(https?:\/\/|urn:)/i;
/** A KOMBIT privilege scoped by its PrivilegeGroup's CVR number: `<CVR>:<privilege>`, whatever the privilege's form. */
export const CVR_PRIVILEGE = /^(\d{8}):\S/;

/**
 * Whether a group has a KOMBIT privilege's form. Such a group gives access only when it came from
 * a signed OIOSAML privilege list (ExternalIdentity.privileges): the CVR check of its mapping
 * trusts that only KOMBIT names it, and any other provider could send a group of that name.
 */
export const isKombitPrivilege = (group: string): boolean => BARE_PRIVILEGE.test(group) || CVR_PRIVILEGE.test(group);

/** Where several mapped groups give several roles, the widest wins. */
const RANK: Record<Role, number> = { udvalg: 0, teamleder: 1, chef: 2, admin: 3 };

export type Grant = { role: Role; municipality: number; teams: string[] };

/**
 * What the user's mapped groups give: the widest role, and the teams of every group with that role
 * (a team leader in two teams' groups leads both). Groups of two municipalities give nothing: a
 * person works for one municipality, and guessing which would put them in the wrong one.
 */
export function grantOf(mapped: MappedGroup[]): Grant | 'no_group' | 'several_municipalities' {
  if (mapped.length === 0) return 'no_group';
  if (new Set(mapped.map((m) => m.municipality)).size > 1) return 'several_municipalities';
  const role = mapped.map((m) => m.role).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
  const teams = [...new Set(mapped.filter((m) => m.role === role).flatMap((m) => m.teams))].sort((a, b) => a.localeCompare(b, 'da'));
  return { role, municipality: mapped[0].municipality, teams };
}
