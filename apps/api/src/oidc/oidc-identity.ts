import type { OidcConfig } from '@bu/config';
import type { ExternalIdentity } from '../sso/sso.types';

/** The ID token's claims as openid-client hands them over (already verified). */
export type IdTokenClaims = { iss: string; sub: string } & Record<string, unknown>;

export type IdentityResult = { ok: true; identity: ExternalIdentity } | { ok: false; message: string };

export const NO_USERNAME =
  'Organisationens log ind sendte hverken et brugernavn eller en e-mailadresse, så Børneblik ved ikke, hvem du er. ' +
  'Bed din kommunes IT-afdeling om at sende brugernavnet i login-beviset.';
export const TOO_MANY_GROUPS =
  'Du er med i så mange grupper, at organisationens log ind ikke kan sende dem alle til Børneblik. ' +
  'Bed din kommunes IT-afdeling om kun at sende de grupper, der er tildelt Børneblik.';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** A groups claim as providers send it: a list (Entra ID), or one value when the user has one group (AD FS). */
function groupsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return [...new Set(list.map((g) => (typeof g === 'string' || typeof g === 'number' ? String(g).trim() : '')).filter((g) => g !== ''))];
}

/**
 * The person the verified ID token names: `<issuer>|<sub>` as the stable id (a new name or address
 * keeps the user), the configured username claim (else the e-mail address) and the groups claim.
 */
export function identityFromClaims(claims: IdTokenClaims, settings: Pick<OidcConfig, 'groupsClaim' | 'usernameClaim'>): IdentityResult {
  const email = text(claims.email);
  const username = text(claims[settings.usernameClaim]) ?? email;
  if (!username) return { ok: false, message: NO_USERNAME };
  // Entra ID's "groups overage": over its limit it sends a pointer to Microsoft Graph instead of the
  // groups. Børneblik does not call Graph; the app registration should send assigned groups only.
  const names = claims._claim_names;
  if (claims[settings.groupsClaim] === undefined && typeof names === 'object' && names !== null && settings.groupsClaim in names) {
    return { ok: false, message: TOO_MANY_GROUPS };
  }
  return {
    ok: true,
    identity: {
      provider: 'oidc',
      externalId: `${claims.iss}|${claims.sub}`,
      username,
      email,
      groups: groupsOf(claims[settings.groupsClaim]),
    },
  };
}
