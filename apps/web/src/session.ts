// What the page reads from its own session: the token's claims (read, never verified: the API does
// that) and whether an address the API answers a logout with may be followed.

/** The claims of a JWT the page holds that it uses: who, when issued and when it ends (seconds). */
export interface TokenClaims {
  sub?: string;
  iat?: number;
  exp?: number;
}

/** The token's payload (base64url JSON), or null when it is not a readable JWT. */
export function tokenClaims(token: string): TokenClaims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
    // UTF-8: a username may have æ, ø, å.
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!claims || typeof claims !== 'object') return null;
    const { sub, iat, exp } = claims as Record<string, unknown>;
    return {
      ...(typeof sub === 'string' ? { sub } : {}),
      ...(typeof iat === 'number' ? { iat } : {}),
      ...(typeof exp === 'number' ? { exp } : {}),
    };
  } catch {
    // Not a JWT this page can read: no end to schedule, no user to compare; the API still refuses it when it ends.
    return null;
  }
}

/**
 * When, on this computer's clock (ms), a token received at `now` ends: its lifetime as the API
 * issued it (exp − iat, both the server's clock), so a computer clock that is off (a wrong time
 * zone) neither ends the session at once nor keeps it on screen. Null: the token names no end.
 */
export function tokenEnds(claims: TokenClaims | null, now: number): number | null {
  if (claims?.exp === undefined) return null;
  return claims.iat === undefined ? claims.exp * 1000 : now + (claims.exp - claims.iat) * 1000;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the browser may go to the address the API's logout answered with (the sign-on
 * provider's logout): https, or http on this computer only (a provider in development). Anything
 * else (javascript:, data:, plain http elsewhere, no address) is not followed.
 */
export function followableRedirect(redirect: string | undefined): boolean {
  if (!redirect) return false;
  let url: URL;
  try {
    url = new URL(redirect);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}
