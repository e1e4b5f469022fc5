import { randomBytes } from 'crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '@bu/config';

// Issue 15, point 1: the OpenID Connect settings, all or nothing; the client secret is a secret
// (never defaulted, a weak or published one refused) and the issuer an https address.
const GOOD = 'a'.repeat(20) + '0123456789abcdef';
const OTHER = 'b'.repeat(20) + '0123456789abcdef';
const BASE = { DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: GOOD, PSEUDONYM_SECRET: OTHER };
const CLIENT_SECRET = randomBytes(30).toString('base64url');
const CALLBACK = 'https://boerneblik.kommune.dk/api/v1/auth/oidc/callback';

function problems(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('@bu/config: OpenID Connect', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(configFromEnv(BASE).oidc).toBeUndefined();
  });

  it('reads the issuer, the client and the claims, with defaults for the label, the claims and the scope', () => {
    const oidc = configFromEnv({
      ...BASE,
      OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
      OIDC_CLIENT_ID: 'app-id',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URL: 'https://boerneblik.kommune.dk/api/v1/auth/oidc/callback',
    }).oidc;
    expect(oidc).toEqual({
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      clientId: 'app-id',
      clientSecret: CLIENT_SECRET,
      redirectUrl: 'https://boerneblik.kommune.dk/api/v1/auth/oidc/callback',
      label: 'Log ind med din organisations konto',
      groupsClaim: 'groups',
      usernameClaim: 'preferred_username',
      scope: 'openid profile email',
    });
    const adfs = configFromEnv({
      ...BASE,
      OIDC_ISSUER: 'https://adfs.kommune.dk/adfs',
      OIDC_CLIENT_ID: 'app-id',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URL: 'https://boerneblik.kommune.dk/api/v1/auth/oidc/callback',
      OIDC_GROUPS_CLAIM: 'group',
      OIDC_USERNAME_CLAIM: 'upn',
      OIDC_SCOPE: 'allatclaims profile',
      OIDC_LABEL: 'Log ind med Kommune-konto',
    }).oidc;
    expect(adfs).toMatchObject({
      groupsClaim: 'group',
      usernameClaim: 'upn',
      scope: 'openid allatclaims profile',
      label: 'Log ind med Kommune-konto',
    });
  });

  it('refuses a missing client id or secret, a weak or published secret, and an address that is not https', () => {
    const issuer = { ...BASE, OIDC_ISSUER: 'https://idp.example.dk' };
    expect(problems(() => configFromEnv(issuer))).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_ID er ikke sat/),
      expect.stringMatching(/^OIDC_CLIENT_SECRET er ikke sat\. Brug klienthemmeligheden, som Entra ID eller AD FS har udstedt/),
      expect.stringMatching(/^OIDC_REDIRECT_URL er ikke sat/),
    ]);
    for (const [secret, message] of [
      ['kort', /^OIDC_CLIENT_SECRET er for kort/],
      ['change-me-to-a-long-random-secret', /^OIDC_CLIENT_SECRET er en værdi, der står i Børneblik's kildekode/],
      ['x'.repeat(40), /^OIDC_CLIENT_SECRET er ikke tilfældig nok/],
    ] as const) {
      expect(
        problems(() => configFromEnv({ ...issuer, OIDC_REDIRECT_URL: CALLBACK, OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: secret })),
      ).toEqual([expect.stringMatching(message)]);
    }
    const client = { OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: CLIENT_SECRET };
    expect(problems(() => configFromEnv({ ...BASE, ...client, OIDC_ISSUER: 'http://idp.example.dk' }))).toEqual([
      'OIDC_ISSUER skal være en https-adresse ("http://idp.example.dk").',
    ]);
    expect(problems(() => configFromEnv({ ...BASE, ...client, OIDC_ISSUER: 'idp' }))).toEqual([
      'OIDC_ISSUER er ikke en gyldig adresse ("idp").',
    ]);
    expect(
      problems(() =>
        configFromEnv({ ...BASE, ...client, OIDC_ISSUER: 'https://idp.example.dk', OIDC_REDIRECT_URL: 'http://bb.example.dk/cb' }),
      ),
    ).toEqual(['OIDC_REDIRECT_URL skal være en https-adresse ("http://bb.example.dk/cb").']);
    // Plain http only on this machine (development and the tests' provider), which alone may take
    // its callback from the address the browser used.
    expect(configFromEnv({ ...BASE, ...client, OIDC_ISSUER: 'http://localhost:4000' }).oidc).toMatchObject({
      issuer: 'http://localhost:4000',
      redirectUrl: undefined,
    });
    // Anywhere else the public callback is said, never read from the Host header.
    expect(problems(() => configFromEnv({ ...BASE, ...client, OIDC_ISSUER: 'https://idp.example.dk' }))).toEqual([
      'OIDC_REDIRECT_URL er ikke sat. Angiv den offentlige https-adresse på Børnebliks callback, som den er registreret hos udbyderen ' +
        '(https://<adresse>/api/v1/auth/oidc/callback, docs/SSO.md).',
    ]);
    // Compose passes every variable, empty when not given: that is no OIDC, not a half-done one.
    const empty = { OIDC_ISSUER: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '', OIDC_LABEL: '', OIDC_GROUPS_CLAIM: '', OIDC_SCOPE: '' };
    expect(configFromEnv({ ...BASE, ...empty }).oidc).toBeUndefined();
    // A client without an issuer is a half-done setup, not silently ignored.
    expect(problems(() => configFromEnv({ ...BASE, ...client }))).toEqual([expect.stringMatching(/^OIDC_ISSUER er ikke sat, men/)]);
  });
});
