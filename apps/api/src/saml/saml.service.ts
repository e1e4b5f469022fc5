import { Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import type { Response } from 'express';
import type { SamlSettings } from '@bu/config';
import { logger } from '@bu/logger';
import { SSO_LOGIN, type SsoLoginAttempt } from '../audit/audit.hook';
import { APP_CONFIG, type AppConfig } from '../config';
import { databaseFailure } from '../database/database-unavailable.filter';
import { SsoService } from '../sso/sso.service';
import type { ExternalIdentity } from '../sso/sso.types';
import { SamlRepository } from './saml.repository';

export const SAML_LOGIN_PATH = '/api/v1/auth/saml/login';
/** How long a login may take at the identity provider: an older AuthnRequest is not answered. */
export const SAML_REQUEST_MAX_AGE_SECONDS = 10 * 60;
/** Accepted difference between the identity provider's clock and ours. */
export const SAML_CLOCK_SKEW_MS = 60_000;

/** The Danish sentence for each way a response can fail (the technical reason goes to the log only). */
export const SAML_MESSAGES = {
  notConfigured: 'Log ind med SAML er ikke sat op i Børneblik.',
  missing: 'Der kom intet svar fra identitetsudbyderen. Start forfra fra Børnebliks login-side.',
  unknownRequest:
    'Svaret fra identitetsudbyderen hører ikke til et login, der er startet her, eller det er allerede brugt. Start forfra fra Børnebliks login-side.',
  signature: 'Svaret fra identitetsudbyderen er ikke signeret med identitetsudbyderens certifikat og kan ikke godtages.',
  expired: 'Svaret fra identitetsudbyderen er udløbet. Log ind igen.',
  audience: 'Svaret fra identitetsudbyderen er udstedt til en anden tjeneste end Børneblik.',
  issuer: 'Svaret kommer fra en anden identitetsudbyder end den, Børneblik er sat op til.',
  replay: 'Svaret fra identitetsudbyderen er allerede brugt én gang. Log ind igen.',
  recipient: 'Svaret fra identitetsudbyderen er stilet til en anden adresse end Børnebliks.',
  noExpiry: 'Svaret fra identitetsudbyderen har ingen udløbstid og kan ikke godtages.',
  status: 'Identitetsudbyderen kunne ikke logge dig ind.',
  noUser: 'Svaret fra identitetsudbyderen siger ikke, hvem du er.',
  invalid: 'Svaret fra identitetsudbyderen kunne ikke godtages.',
} as const;

class SamlRefusal extends Error {
  constructor(
    readonly danish: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The Danish message for an error node-saml throws (its messages are English and not typed). */
export function samlMessage(error: unknown): string {
  if (error instanceof SamlRefusal) return error.danish;
  if (error instanceof SamlStatusError) return SAML_MESSAGES.status;
  const text = error instanceof Error ? error.message : '';
  if (/InResponseTo/i.test(text)) return SAML_MESSAGES.unknownRequest;
  if (/signature/i.test(text)) return SAML_MESSAGES.signature;
  if (/expired|not yet valid|subject confirmation/i.test(text)) return SAML_MESSAGES.expired;
  if (/audience/i.test(text)) return SAML_MESSAGES.audience;
  if (/issuer/i.test(text)) return SAML_MESSAGES.issuer;
  return SAML_MESSAGES.invalid;
}

/**
 * The AuthnRequest ids of one ACS request, backed by sso_request: the first look takes the id out
 * of the table (one response per request, however many arrive at once); node-saml's second look
 * (the subject's InResponseTo) sees what the first took.
 */
class OneTimeRequestIds implements CacheProvider {
  private readonly taken = new Map<string, string>();
  constructor(private readonly repository: SamlRepository) {}

  async saveAsync(key: string, value: string) {
    await this.repository.saveRequest(key, SAML_REQUEST_MAX_AGE_SECONDS);
    return { value, createdAt: Date.now() };
  }

  async getAsync(key: string): Promise<string | null> {
    if (!this.taken.has(key)) {
      if (!(await this.repository.takeRequest(key, SAML_REQUEST_MAX_AGE_SECONDS))) return null;
      this.taken.set(key, new Date().toISOString());
    }
    return this.taken.get(key)!;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    // Already gone: getAsync took it out of the table.
    return key;
  }
}

/** An attribute's values as text (a single value or several; complex values are left out). */
function values(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/**
 * KOMBIT's context handler sends the user's system roles as one attribute holding a base64
 * OIOSAML basic privilege list (dk:gov:saml:attribute:Privileges_intermediate). A role's URI is
 * the same in every municipality, so each privilege becomes the group `<CVR>:<privilege URI>`
 * with the CVR number of its PrivilegeGroup's scope (the privilege alone when it has none): the
 * privileges. Any other value is a group as it is.
 */
export function groupValues(raw: unknown): { groups: string[]; privileges: string[] } {
  const groups: string[] = [];
  const privileges: string[] = [];
  for (const value of values(raw)) {
    const decoded = value.length >= 40 && /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : '';
    if (!/<(?:[\w-]+:)?PrivilegeList[\s>]/.test(decoded)) {
      groups.push(value);
      continue;
    }
    for (const block of decoded.matchAll(/<(?:[\w-]+:)?PrivilegeGroup\b([^>]*)>([\s\S]*?)<\/(?:[\w-]+:)?PrivilegeGroup>/g)) {
      const cvr = /Scope="urn:dk:gov:saml:cvrNumberIdentifier:(\d+)"/.exec(block[1])?.[1];
      for (const privilege of block[2].matchAll(/<(?:[\w-]+:)?Privilege>([^<]+)<\/(?:[\w-]+:)?Privilege>/g))
        privileges.push(cvr ? `${cvr}:${privilege[1].trim()}` : privilege[1].trim());
    }
  }
  return { groups: [...new Set(groups)], privileges: [...new Set(privileges)] };
}

/** The identity in a validated assertion, by the configured attribute names. */
export function identityFrom(profile: Profile, settings: SamlSettings): ExternalIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const nameId = profile.nameID;
  if (!nameId) throw new SamlRefusal(SAML_MESSAGES.noUser, 'assertion without NameID');
  const username = values(attributes[settings.attributes.username])[0] ?? nameId;
  const email = values(attributes[settings.attributes.email])[0] ?? (typeof profile.email === 'string' ? profile.email : undefined);
  return {
    provider: 'saml',
    externalId: `${profile.issuer}|${nameId}`,
    username,
    ...(email ? { email } : {}),
    ...groupValues(attributes[settings.attributes.groups]),
  };
}

interface ParsedAssertion {
  $?: { ID?: string };
  Conditions?: { $?: { NotOnOrAfter?: string } }[];
  Subject?: { SubjectConfirmation?: { $?: { Method?: string }; SubjectConfirmationData?: { $?: { Recipient?: string } }[] }[] }[];
}

/** The same URL however written (case of the host, a default port). */
const sameUrl = (a: string, b: string) => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
};

/**
 * What node-saml leaves to its caller in the (verified) assertion: its id and the latest moment it
 * is valid (Conditions' NotOnOrAfter), for the replay check; and the bearer confirmation's
 * Recipient, which the Web Browser SSO profile says must be our ACS URL.
 */
function checkAssertion(profile: Profile, acsUrl: string): { id: string; notOnOrAfter: Date } {
  const assertion = (profile.getAssertion?.() as { Assertion?: ParsedAssertion } | undefined)?.Assertion;
  const id = assertion?.$?.ID;
  const notOnOrAfter = assertion?.Conditions?.[0]?.$?.NotOnOrAfter;
  if (!id) throw new SamlRefusal(SAML_MESSAGES.invalid, 'assertion without ID');
  if (!notOnOrAfter || Number.isNaN(Date.parse(notOnOrAfter)))
    throw new SamlRefusal(SAML_MESSAGES.noExpiry, 'assertion without Conditions/@NotOnOrAfter');
  const recipients = (assertion?.Subject?.[0]?.SubjectConfirmation ?? [])
    .filter((c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer')
    .map((c) => c.SubjectConfirmationData?.[0]?.$?.Recipient ?? '');
  if (!recipients.some((r) => sameUrl(r, acsUrl)))
    throw new SamlRefusal(SAML_MESSAGES.recipient, `assertion for ${recipients.join(', ') || 'no recipient'}, not ${acsUrl}`);
  return { id, notOnOrAfter: new Date(notOnOrAfter) };
}

/** SAML 2.0 service provider (HTTP-Redirect out, HTTP-POST back), with @node-saml/node-saml. */
@Injectable()
export class SamlService implements OnModuleInit {
  private readonly settings?: SamlSettings;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(SamlRepository) private readonly repository: SamlRepository,
    @Inject(SsoService) private readonly sso: SsoService,
  ) {
    this.settings = config.saml;
  }

  onModuleInit(): void {
    if (this.settings) this.sso.registerProvider({ id: 'saml', label: this.settings.label, loginUrl: SAML_LOGIN_PATH });
  }

  private configured(): SamlSettings {
    if (!this.settings) throw new NotFoundException(SAML_MESSAGES.notConfigured);
    return this.settings;
  }

  /** One SAML instance per request: its request-id store belongs to that request (see OneTimeRequestIds). */
  private sp(settings: SamlSettings): SAML {
    return new SAML({
      entryPoint: settings.entryPoint,
      idpCert: settings.idpCerts,
      idpIssuer: settings.idpIssuer,
      issuer: settings.entityId,
      audience: settings.entityId,
      callbackUrl: settings.acsUrl,
      // Assertions signed always; the response around them may be signed too (AD FS signs only the assertion by default).
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      // Only answers to our own AuthnRequests, each answered once (no IdP-initiated login; ADR 0054).
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_MAX_AGE_SECONDS * 1000,
      cacheProvider: new OneTimeRequestIds(this.repository),
      acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
      // The identity provider chooses how the user logs in and which NameID it sends.
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      ...(settings.spPrivateKey
        ? { privateKey: settings.spPrivateKey, publicCert: settings.spCert, decryptionPvk: settings.spPrivateKey }
        : {}),
    });
  }

  /** The service provider's metadata: entity id, ACS URL and, when Børneblik has a key, its certificate. */
  metadata(): string {
    const settings = this.configured();
    const cert = settings.spCert ?? null;
    return this.sp(settings).generateServiceProviderMetadata(cert, cert);
  }

  /** The identity provider's address with a new AuthnRequest (its id kept in sso_request). */
  loginUrl(): Promise<string> {
    const settings = this.configured();
    return this.sp(settings).getAuthorizeUrlAsync('', undefined, {});
  }

  /** The identity provider's answer: a session through SsoService, or the Danish page saying why not. */
  async consume(res: Response, samlResponse: string | undefined): Promise<void> {
    const settings = this.settings;
    if (!settings) return this.sso.fail(res, SAML_MESSAGES.notConfigured, 404);
    // A login in the audit log, success or not; by name once the assertion is verified.
    const attempt: SsoLoginAttempt = {};
    res.locals[SSO_LOGIN] = attempt;
    let identity: ExternalIdentity;
    try {
      if (!samlResponse) throw new SamlRefusal(SAML_MESSAGES.missing, 'no SAMLResponse in the form');
      if (!/<(?:[\w-]+:)?Response[\s>]/.test(Buffer.from(samlResponse, 'base64').toString('utf8')))
        throw new SamlRefusal(SAML_MESSAGES.invalid, 'SAMLResponse is not a SAML response');
      const { profile } = await this.sp(settings).validatePostResponseAsync({ SAMLResponse: samlResponse });
      if (!profile) throw new SamlRefusal(SAML_MESSAGES.noUser, 'response without a profile (NoPassive)');
      // node-saml checks the issuer of logout messages only: the assertion's is checked here.
      if (settings.idpIssuer !== undefined && profile.issuer !== settings.idpIssuer)
        throw new SamlRefusal(SAML_MESSAGES.issuer, `assertion issued by ${profile.issuer}`);
      const { id, notOnOrAfter } = checkAssertion(profile, settings.acsUrl);
      // Kept until it could no longer be accepted anyway (its NotOnOrAfter, plus the clock skew we allow).
      if (!(await this.repository.useAssertion(id, new Date(notOnOrAfter.getTime() + SAML_CLOCK_SKEW_MS))))
        throw new SamlRefusal(SAML_MESSAGES.replay, 'assertion id seen before');
      identity = identityFrom(profile, settings);
      attempt.username = identity.username;
    } catch (error) {
      // A database that is down is not the response's fault: 503 like any other request (DatabaseUnavailableFilter).
      if (databaseFailure(error)) throw error;
      // The reason in English for the operator; never the response itself (it names the person).
      logger().warn({ reason: error instanceof Error ? error.message : String(error) }, 'SAML response refused');
      return this.sso.fail(res, samlMessage(error), 400);
    }
    await this.sso.finish(res, identity);
  }
}
