/** The single sign-on protocols: both end in SsoService.finish with the same identity. */
export type SsoProvider = 'oidc' | 'saml';

/** Who the identity provider says logged in, after the protocol's checks (signature, audience, state, nonce, expiry, replay). */
export interface ExternalIdentity {
  provider: SsoProvider;
  /** The provider's stable id of the person, `<issuer>|<subject>` (OIDC `sub`, SAML NameID): never shown. */
  externalId: string;
  /** The name shown and used in the audit log (OIDC preferred_username or email; SAML a name attribute). */
  username: string;
  email?: string;
  /** Group ids or names as the provider sends them (OIDC `groups` claim; SAML a groups attribute). */
  groups: string[];
  /**
   * KOMBIT privileges (`<CVR>:<URI>`, or the URI alone) read from a signed OIOSAML privilege list:
   * SAML only. A group of that form in `groups` gives nothing (group-mapping.ts, isKombitPrivilege).
   */
  privileges?: string[];
}

/** Why a verified identity gets no session: each has its own Danish page. */
export type SignInRefusal = 'no_group' | 'several_municipalities' | 'disabled' | 'username_taken' | 'bad_username';

/** A sign-in's user: the name, and the row and token version it wrote (the ticket's session is made for exactly those). */
export type SignInResult = { ok: true; username: string; id: number; tokenVersion: number } | { ok: false; refusal: SignInRefusal };
