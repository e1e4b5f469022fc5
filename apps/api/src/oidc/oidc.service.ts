import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import * as client from 'openid-client';
import type { OidcConfig } from '@bu/config';
import { logger } from '@bu/logger';
import { SSO_LOGIN, type SsoLoginAttempt } from '../audit/audit.hook';
import { AuthService } from '../auth/auth.service';
import { APP_CONFIG, AppConfig } from '../config';
import { runInScope } from '../database/request-scope';
import { cookie } from '../sso/cookie';
import { SsoService } from '../sso/sso.service';
import { identityFromClaims, type IdTokenClaims } from './oidc-identity';
import { OidcRepository } from './oidc.repository';

export const OIDC_LOGIN_PATH = '/api/v1/auth/oidc/login';
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
/** Binds a login to the browser that started it: the callback's state must be this cookie's. */
export const STATE_COOKIE = 'bu_oidc_state';
const COOKIE_PATH = '/api/v1/auth/oidc';
/** How long a login may stay at the provider (typing a password, a second factor). */
const LOGIN_SECONDS = 10 * 60;
/** Discovery retried after 5 s, doubling, at most every 5 minutes. */
const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 5 * 60_000;

export const MESSAGES = {
  notConfigured:
    'Log ind med organisationens konto er ikke sat op i Børneblik. Log ind med brugernavn og adgangskode, eller kontakt din administrator.',
  unreachable: 'Organisationens log ind kan ikke nås lige nu. Prøv igen om lidt. Bliver det ved, så kontakt din kommunes IT-afdeling.',
  wrongState:
    'Svaret fra organisationens log ind hører ikke til et log ind, der er startet i denne browser (det kan ske, hvis du startede i en ' +
    'anden browser, eller hvis der gik mere end 10 minutter). Start forfra fra log ind-siden.',
  usedOrOld: 'Svaret fra organisationens log ind er allerede brugt eller for gammelt. Start forfra fra log ind-siden.',
  codeRefused: 'Koden fra organisationens log ind er allerede brugt eller udløbet. Start forfra fra log ind-siden.',
  expired:
    'Beviset fra organisationens log ind er udløbet. Det kan skyldes, at uret på en af serverne går forkert. ' +
    'Prøv igen, og kontakt din administrator, hvis det bliver ved.',
  invalid: 'Svaret fra organisationens log ind kunne ikke godkendes. Prøv igen, og kontakt din administrator, hvis det bliver ved.',
  providerError: (code: string) =>
    `Organisationens log ind afviste at logge dig ind (${code}). Prøv igen, og kontakt din administrator, hvis det bliver ved.`,
} as const;

/** The address the browser reached the API by (behind TRUSTED_PROXIES: the proxy's X-Forwarded-*). */
export const requestOrigin = (req: Request): string => `${req.protocol}://${req.get('host')}`;

/** Why openid-client refused the callback, in the words the user gets. */
function refusalMessage(error: unknown): string {
  if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') return MESSAGES.codeRefused;
  if (error instanceof client.AuthorizationResponseError) return MESSAGES.providerError(safeCode(error.error));
  if (error instanceof client.ClientError && error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return MESSAGES.expired;
  return MESSAGES.invalid;
}

/** An OAuth error code as shown on the page: its letters only (the provider chose it). */
const safeCode = (code: unknown): string => (typeof code === 'string' ? code.replace(/[^a-z_]/gi, '').slice(0, 40) : '') || 'ukendt fejl';

/**
 * OpenID Connect login (issue 15, point 1; ADR 0053): Authorization Code flow with PKCE (S256),
 * state and nonce, through openid-client, which also checks the ID token (signature, issuer,
 * audience, expiry, nonce). The login in flight is a row used once (sso_request) and a cookie in
 * the browser that started it; the verified identity goes to SsoService.finish like SAML's. The
 * provider is discovered at start-up and, while it cannot be reached, again in the background:
 * the API starts and password logins work meanwhile. Logging out of an OIDC session also ends the
 * provider's session (RP-initiated logout, with the login's ID token as the hint).
 */
@Injectable()
export class OidcService implements OnModuleInit, OnModuleDestroy {
  private readonly settings: OidcConfig | undefined;
  private configuration: client.Configuration | undefined;
  private discovering: Promise<client.Configuration | undefined> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SsoService) private readonly sso: SsoService,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(OidcRepository) private readonly repository: OidcRepository,
  ) {
    this.settings = config.oidc;
  }

  onModuleInit(): void {
    if (!this.settings) return;
    this.sso.registerProvider({ id: 'oidc', label: this.settings.label, loginUrl: OIDC_LOGIN_PATH });
    this.auth.onLogout((username, origin) => this.endSession(username, origin));
    // Not awaited: a provider that is down must not keep the API (and its password logins) from starting.
    void this.discover();
  }

  onModuleDestroy(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }

  /** GET /auth/oidc/login: to the provider's authorization endpoint, the login in flight kept here and in the browser. */
  async login(req: Request, res: Response): Promise<void> {
    if (!this.settings) return this.sso.fail(res, MESSAGES.notConfigured, 404);
    const configuration = await this.discover();
    if (!configuration) return this.sso.fail(res, MESSAGES.unreachable, 503);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
    await this.repository.saveRequest(state, nonce, codeVerifier, LOGIN_SECONDS);
    res.cookie(STATE_COOKIE, state, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: COOKIE_PATH,
      maxAge: LOGIN_SECONDS * 1000,
    });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(req),
      scope: this.settings.scope,
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, url.href);
  }

  /** GET /auth/oidc/callback: the provider's answer checked, then the session (or a Danish page saying why not). */
  async callback(req: Request, res: Response): Promise<void> {
    if (!this.settings) return this.sso.fail(res, MESSAGES.notConfigured, 404);
    const settings = this.settings;
    // A login in the audit log, success or not; by name once the provider's token says who.
    const attempt: SsoLoginAttempt = {};
    res.locals[SSO_LOGIN] = attempt;
    const bound = cookie(req.headers.cookie, STATE_COOKIE);
    res.clearCookie(STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: COOKIE_PATH });
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (!state || !bound || state !== bound) {
      logger().warn({ provider: 'oidc', stateCookie: bound !== undefined }, 'OpenID Connect callback refused: state not of this browser');
      return this.sso.fail(res, MESSAGES.wrongState);
    }
    const pending = await this.repository.takeRequest(state, LOGIN_SECONDS);
    if (!pending?.fresh) {
      logger().warn({ provider: 'oidc', known: pending !== undefined }, 'OpenID Connect callback refused: login used or too old');
      return this.sso.fail(res, MESSAGES.usedOrOld);
    }
    const configuration = await this.discover();
    if (!configuration) return this.sso.fail(res, MESSAGES.unreachable, 503);
    let claims: IdTokenClaims;
    let idToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, this.callbackUrl(req), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as IdTokenClaims;
      idToken = tokens.id_token!;
    } catch (error) {
      // The code and message only: the error's cause can carry the token's claims (names, groups).
      const e = error as { code?: string; error?: string; message?: string };
      logger().warn({ provider: 'oidc', code: e.code, error: e.error, reason: e.message }, 'OpenID Connect callback refused');
      return this.sso.fail(res, refusalMessage(error));
    }
    const result = identityFromClaims(claims, settings);
    if (result.ok) attempt.username = result.identity.username;
    if (!result.ok) {
      logger().warn({ provider: 'oidc' }, 'OpenID Connect callback refused: no username or too many groups');
      return this.sso.fail(res, result.message, 403);
    }
    // Kept before the session exists (the browser may log out at once), dropped again on a refusal.
    await this.repository.saveSession(result.identity.externalId, idToken, this.config.jwtTtlSeconds);
    await this.sso.finish(res, result.identity);
    if (res.statusCode !== 302) await this.repository.dropSession(result.identity.externalId);
  }

  /** At logout: the provider's end-session address for the user's OIDC session, or undefined (a password user; no hint). */
  async endSession(username: string, origin: string): Promise<string | undefined> {
    const idToken = await runInScope('*', () => this.repository.takeSession(username));
    if (!idToken) return undefined;
    const configuration = await this.discover();
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: this.postLogoutUri(origin) }).href;
  }

  /** The provider's metadata, discovered once; while it cannot be reached, retried in the background. */
  private discover(): Promise<client.Configuration | undefined> {
    if (this.configuration || !this.settings) return Promise.resolve(this.configuration);
    const { issuer, clientId, clientSecret } = this.settings;
    this.discovering ??= client
      .discovery(new URL(issuer), clientId, undefined, client.ClientSecretPost(clientSecret), {
        // Plain http only for a provider on this machine (the configuration refuses it elsewhere).
        // The ID token's signature is checked against the provider's keys (jwks_uri), not only its
        // TLS: a proxy that inspects TLS, or a certificate issued by mistake, forges no identity.
        execute: [...(new URL(issuer).protocol === 'http:' ? [client.allowInsecureRequests] : []), client.enableNonRepudiationChecks],
        timeout: 10,
      })
      .then(
        (configuration) => {
          this.configuration = configuration;
          clearTimeout(this.retry);
          logger().info({ issuer }, 'OpenID Connect provider discovered');
          return configuration;
        },
        (error: Error) => {
          this.discovering = undefined;
          if (this.closed) return undefined;
          logger().warn({ issuer, reason: error.message, retryInSeconds: this.retryMs / 1000 }, 'OpenID Connect provider not reachable');
          clearTimeout(this.retry);
          this.retry = setTimeout(() => void this.discover(), this.retryMs);
          this.retry.unref();
          this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
          return undefined;
        },
      );
    return this.discovering;
  }

  /** The callback as registered at the provider: OIDC_REDIRECT_URL (a provider on this machine: else the address the browser used). */
  private redirectUri(req: Request): string {
    return this.settings?.redirectUrl ?? `${requestOrigin(req)}${OIDC_CALLBACK_PATH}`;
  }

  /** The callback address with the provider's answer (code, state, iss) as openid-client reads it. */
  private callbackUrl(req: Request): URL {
    const url = new URL(this.redirectUri(req));
    url.search = new URL(req.originalUrl, 'http://callback').search;
    return url;
  }

  /** Back to Børneblik's login page after the provider's logout. */
  private postLogoutUri(origin: string): string {
    return this.settings?.redirectUrl ? new URL('/', this.settings.redirectUrl).href : `${origin}/`;
  }
}
