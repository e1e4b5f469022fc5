import { describe, expect, it } from 'vitest';
import { followableRedirect, tokenClaims, tokenEnds } from './session';

// The page reads its token's end and user (never verifying: the API does), and follows a logout's
// address only to the sign-on provider over https.
const jwt = (payload: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.signature`;

describe("the session's token, read in the page", () => {
  it('reads sub, iat and exp from the base64url payload, a username with ø included', () => {
    expect(tokenClaims(jwt({ sub: 'søren', uid: 3, iat: 1000, exp: 2800 }))).toEqual({ sub: 'søren', iat: 1000, exp: 2800 });
  });

  it('reads nothing from what is not a JWT, or claims of the wrong type', () => {
    expect(tokenClaims('token')).toBeNull();
    expect(tokenClaims('a.%%%.c')).toBeNull();
    expect(tokenClaims(jwt({ sub: 7, exp: '2800' }))).toEqual({});
  });

  it("ends the token its lifetime after it came, whatever this computer's clock says", () => {
    // Issued 1000, ends 2800 on the server's clock: 1,800 s (30 minutes) from receipt at 5,000 ms here.
    expect(tokenEnds({ iat: 1000, exp: 2800 }, 5_000)).toBe(5_000 + 1_800_000);
    // Without iat: exp itself.
    expect(tokenEnds({ exp: 2800 }, 5_000)).toBe(2_800_000);
    expect(tokenEnds({ sub: 'x' }, 5_000)).toBeNull();
    expect(tokenEnds(null, 5_000)).toBeNull();
  });
});

describe("the logout's address", () => {
  it('is followed over https, and over http on this computer only', () => {
    expect(followableRedirect('https://login.kommune.dk/logout?id_token_hint=x')).toBe(true);
    expect(followableRedirect('http://localhost:8080/logout')).toBe(true);
    expect(followableRedirect('http://127.0.0.1:9000/end')).toBe(true);
    expect(followableRedirect('http://[::1]:9000/end')).toBe(true);
  });

  it('is not followed otherwise', () => {
    expect(followableRedirect('http://login.kommune.dk/logout')).toBe(false);
    expect(followableRedirect('javascript:alert(1)')).toBe(false);
    expect(followableRedirect('data:text/html,<script>alert(1)</script>')).toBe(false);
    expect(followableRedirect('//evil.example/')).toBe(false);
    expect(followableRedirect('/relative')).toBe(false);
    expect(followableRedirect('')).toBe(false);
    expect(followableRedirect(undefined)).toBe(false);
  });
});
