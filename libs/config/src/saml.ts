import { createPrivateKey, X509Certificate } from 'crypto';
import { z } from 'zod';

// SAML 2.0 login (issue 15, point 2; ADR 0054): Børneblik as a service provider for KOMBIT's
// context handler or a municipality's AD FS. Off unless SAML_ENTRY_POINT is set.

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = () => z.preprocess(blank, z.string().optional());
const named = (fallback: string) => z.preprocess(blank, z.string().default(fallback));

/** AD FS's claim types as SAML attribute names (KOMBIT's context handler: see docs/SSO.md). */
export const SAML_DEFAULT_ATTRIBUTES = {
  username: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
} as const;
export const SAML_DEFAULT_LABEL = 'Log ind med organisationens konto';

/** The SAML variables: merged into the one schema of index.ts. */
export const samlEnvSchema = {
  /** The identity provider's single sign-on URL (HTTP-Redirect binding): SAML login is on when set. */
  SAML_ENTRY_POINT: text(),
  /** The identity provider's signing certificate(s): PEM, several one after another while it rotates its key. */
  SAML_IDP_CERT: text(),
  /** The identity provider's entity id; when set, a response from another issuer is refused. */
  SAML_IDP_ISSUER: text(),
  /** Børneblik's entity id as registered at the identity provider (a URI). */
  SAML_SP_ENTITY_ID: text(),
  /**
   * The public address of the assertion consumer service (…/api/v1/auth/saml/acs), as registered at
   * the identity provider. Required: never made from the request's Host header.
   */
  SAML_ACS_URL: text(),
  /**
   * Børneblik's own private key (PEM; a secret, never defaulted): signs the AuthnRequests and
   * decrypts encrypted assertions. Optional, so empty is unset (compose passes every variable).
   */
  SAML_SP_PRIVATE_KEY: text(),
  /** The certificate of SAML_SP_PRIVATE_KEY (PEM), published in the metadata. */
  SAML_SP_CERT: text(),
  SAML_ATTR_USERNAME: named(SAML_DEFAULT_ATTRIBUTES.username),
  SAML_ATTR_EMAIL: named(SAML_DEFAULT_ATTRIBUTES.email),
  SAML_ATTR_GROUPS: named(SAML_DEFAULT_ATTRIBUTES.groups),
  /** The login page's button. */
  SAML_LABEL: named(SAML_DEFAULT_LABEL),
};

type SamlEnv = z.infer<z.ZodObject<typeof samlEnvSchema>>;

export interface SamlSettings {
  entryPoint: string;
  /** PEM certificates; a signature by any of them is accepted (key rotation). */
  idpCerts: string[];
  idpIssuer?: string;
  entityId: string;
  /** Absolute URL of POST /api/v1/auth/saml/acs, as registered at the identity provider. */
  acsUrl: string;
  /** PEM; with spCert. Signs AuthnRequests and decrypts encrypted assertions. */
  spPrivateKey?: string;
  spCert?: string;
  attributes: { username: string; email: string; groups: string };
  label: string;
}

/** Shortest RSA key accepted for Børneblik's own SAML key. */
export const SAML_MIN_RSA_BITS = 2048;

/** PEM text as it may arrive in an environment variable (one line with literal \n). */
const pem = (value: string) => value.replace(/\\n/g, '\n').trim();

/** Every certificate in the text: PEM blocks, or bare base64 bodies separated by commas or spaces (as metadata shows them). */
export function splitCertificates(value: string): string[] {
  const text = pem(value);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (blocks) return blocks;
  return text
    .split(/[\s,]+/)
    .filter((b) => b !== '')
    .map((b) => `-----BEGIN CERTIFICATE-----\n${b.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`);
}

const localHost = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

function checkUrl(problems: string[], name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} er ikke en gyldig adresse (${JSON.stringify(value)}).`);
    return;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && localHost(url)))
    problems.push(`${name} skal være en https-adresse (${JSON.stringify(value)}).`);
}

/** The SAML settings from the environment; undefined when SAML_ENTRY_POINT is not set. */
export function samlFromEnv(env: SamlEnv, problems: string[]): SamlSettings | undefined {
  if (env.SAML_ENTRY_POINT === undefined) return undefined;
  const settings: SamlSettings = {
    entryPoint: env.SAML_ENTRY_POINT,
    idpCerts: env.SAML_IDP_CERT === undefined ? [] : splitCertificates(env.SAML_IDP_CERT),
    idpIssuer: env.SAML_IDP_ISSUER,
    entityId: env.SAML_SP_ENTITY_ID ?? '',
    acsUrl: env.SAML_ACS_URL ?? '',
    spPrivateKey: env.SAML_SP_PRIVATE_KEY === undefined ? undefined : pem(env.SAML_SP_PRIVATE_KEY),
    spCert: env.SAML_SP_CERT === undefined ? undefined : pem(env.SAML_SP_CERT),
    attributes: { username: env.SAML_ATTR_USERNAME, email: env.SAML_ATTR_EMAIL, groups: env.SAML_ATTR_GROUPS },
    label: env.SAML_LABEL,
  };
  checkSaml(settings, problems);
  return settings;
}

/** Adds a line to problems for each thing wrong with the SAML settings (from the environment or an override). */
export function checkSaml(s: SamlSettings, problems: string[]): void {
  checkUrl(problems, 'SAML_ENTRY_POINT', s.entryPoint);
  // The address the identity provider posts the assertion to, and the one the assertion must name.
  // Taken from the request, a Host header of the caller's choosing would decide both.
  if (s.acsUrl.trim() === '')
    problems.push(
      'SAML_ACS_URL er ikke sat. Angiv den offentlige adresse på Børneblik-tjenestens assertion consumer service (fx https://boerneblik.kommune.dk/api/v1/auth/saml/acs), som den er registreret hos identitetsudbyderen.',
    );
  else checkUrl(problems, 'SAML_ACS_URL', s.acsUrl);
  if (s.entityId.trim() === '')
    problems.push('SAML_SP_ENTITY_ID er ikke sat. Angiv Børneblik-tjenestens entity id, som det er registreret hos identitetsudbyderen.');
  if (s.idpCerts.length === 0)
    problems.push('SAML_IDP_CERT er ikke sat. Angiv identitetsudbyderens signeringscertifikat (PEM) fra dens metadata.');
  for (const [i, cert] of s.idpCerts.entries()) {
    try {
      new X509Certificate(cert);
    } catch {
      problems.push(`SAML_IDP_CERT: certifikat nr. ${i + 1} kan ikke læses som et X.509-certifikat (PEM).`);
    }
  }
  // Børneblik's own key: a secret, never defaulted; both halves or neither.
  if ((s.spPrivateKey === undefined) !== (s.spCert === undefined)) {
    problems.push('SAML_SP_PRIVATE_KEY og SAML_SP_CERT skal sættes sammen (nøglen og dens certifikat) eller slet ikke.');
    return;
  }
  if (s.spPrivateKey === undefined || s.spCert === undefined) return;
  try {
    const key = createPrivateKey(s.spPrivateKey);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < SAML_MIN_RSA_BITS)
      problems.push(`SAML_SP_PRIVATE_KEY skal være en RSA-nøgle på mindst ${SAML_MIN_RSA_BITS} bit.`);
    else if (!new X509Certificate(s.spCert).checkPrivateKey(key)) problems.push('SAML_SP_CERT hører ikke til SAML_SP_PRIVATE_KEY.');
  } catch {
    problems.push('SAML_SP_PRIVATE_KEY eller SAML_SP_CERT kan ikke læses (PEM uden adgangskode forventes).');
  }
}
