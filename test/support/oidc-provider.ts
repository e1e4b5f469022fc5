import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

// A real OpenID Provider for the tests (the `oidc-provider` package, the certified implementation
// many identity products are built on), on a port of its own: discovery, the authorization
// endpoint with its development login form (any password is taken), the token endpoint, JWKS and
// RP-initiated logout. Accounts and their groups are this object's to change while it runs, so a
// test can move a person to another group between two logins. The ID token carries the `groups`
// claim as Entra ID sends it (conformIdTokenClaims off: the claims are in the ID token, not only
// at the userinfo endpoint).

export interface TestAccount {
  groups: string[];
  email?: string;
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port>, the provider's issuer (OIDC_ISSUER). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By login name (the development form's "login"); also the preferred_username claim. */
  accounts: Map<string, TestAccount>;
  /**
   * While above 0, the ID tokens the token endpoint answers are dated this many seconds earlier
   * (iat, exp, auth_time), signed with the provider's own key: its clock is behind, so the token
   * has already expired when the client gets it.
   */
  clockBehindSeconds: number;
  /** When set, the ID tokens the token endpoint answers are signed again with this key instead (a forged token; same kid). */
  signingKey: KeyObject | null;
  /** How many end-session requests the provider has carried out (RP-initiated logout). */
  logouts: number;
  close(): Promise<void>;
}

/** The untyped package, as far as these tests use it. */
interface OidcContext {
  path: string;
  method: string;
  body: unknown;
  type: string;
  oidc: {
    provider: { Grant: GrantClass };
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
  };
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface GrantClass {
  new (init: { clientId: string; accountId: string }): Grant;
  find(id: string): Promise<Grant | undefined>;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  use(middleware: (ctx: OidcContext, next: () => Promise<void>) => Promise<void>): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The same ID token, dated `seconds` earlier and signed again with `key`. */
function backdate(idToken: string, seconds: number, key: KeyObject): string {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  for (const name of ['iat', 'exp', 'auth_time']) if (typeof claims[name] === 'number') claims[name] = claims[name] - seconds;
  const input = `${header}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Starts the provider with one confidential client (client_secret_post, PKCE required) for Børneblik. */
export async function startOidcProvider(options: {
  redirectUri: string;
  postLogoutRedirectUri: string;
  accounts?: Record<string, TestAccount>;
  /** A port chosen beforehand (a provider that comes up after Børneblik); else any free one. */
  port?: number;
}): Promise<TestOidcProvider> {
  // ESM only, and untyped: loaded by name at run time.
  const name = 'oidc-provider';
  const { default: Provider } = (await import(name)) as { default: new (issuer: string, config: object) => ProviderInstance };

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const clientId = 'boerneblik';
  const clientSecret = randomBytes(32).toString('base64url');

  const result: TestOidcProvider = {
    issuer,
    clientId,
    clientSecret,
    accounts,
    clockBehindSeconds: 0,
    signingKey: null,
    logouts: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
    // The claims in the ID token itself, as Entra ID and AD FS send groups.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, preferred_username: id, email: account.email, groups: account.groups }),
      };
    },
    // Børneblik is the organisation's own application: consent is given by the administrator, not asked for.
    loadExistingGrant: async (ctx: OidcContext) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile email');
      grant.addOIDCClaims(['preferred_username', 'email', 'groups']);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // No external style sheet (the test browser is offline); one button to confirm.
        logoutSource: (ctx: OidcContext, form: string) => {
          ctx.type = 'html';
          ctx.body = `<!doctype html><html lang="en"><head><title>Sign out</title></head><body><h1>Sign out of the provider?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></body></html>`;
        },
      },
    },
    renderError: (ctx: OidcContext, out: { error: string }) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><title>Error</title></head><body><h1>${out.error}</h1></body></html>`;
    },
  });
  provider.on('end_session.success', () => {
    result.logouts += 1;
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && (result.clockBehindSeconds > 0 || result.signingKey) && typeof body?.id_token === 'string') {
      ctx.body = { ...body, id_token: backdate(body.id_token, result.clockBehindSeconds, result.signingKey ?? privateKey) };
    }
  });
  handler = provider.callback();
  return result;
}
