import { describe, expect, it } from 'vitest';
import { identityFromClaims, NO_USERNAME, TOO_MANY_GROUPS } from './oidc-identity';

// The person an ID token names, as Entra ID and AD FS send it.
const ENTRA = { groupsClaim: 'groups', usernameClaim: 'preferred_username' };
const ISS = 'https://login.microsoftonline.com/t/v2.0';

describe('identityFromClaims', () => {
  it('takes issuer and subject as the stable id, the username claim, the e-mail and the groups (Entra ID)', () => {
    expect(
      identityFromClaims(
        { iss: ISS, sub: 'abc', preferred_username: ' anna@kommune.dk ', email: 'anna@kommune.dk', groups: ['g1', 'g2', 'g1'] },
        ENTRA,
      ),
    ).toEqual({
      ok: true,
      identity: { provider: 'oidc', externalId: `${ISS}|abc`, username: 'anna@kommune.dk', email: 'anna@kommune.dk', groups: ['g1', 'g2'] },
    });
  });

  it('falls back to the e-mail address without the username claim', () => {
    const result = identityFromClaims({ iss: ISS, sub: 'abc', email: 'bo@kommune.dk' }, ENTRA);
    expect(result).toMatchObject({ ok: true, identity: { username: 'bo@kommune.dk', groups: [] } });
  });

  it("reads AD FS's claims: one group as a single value, another claim name", () => {
    const adfs = { groupsClaim: 'group', usernameClaim: 'upn' };
    expect(identityFromClaims({ iss: 'https://adfs/adfs', sub: 's', upn: 'KOMMUNE\\bo', group: 'BB-Chefer' }, adfs)).toMatchObject({
      ok: true,
      identity: { username: 'KOMMUNE\\bo', groups: ['BB-Chefer'] },
    });
  });

  it('refuses a token with neither name nor e-mail, and Entra ID\'s "too many groups" pointer', () => {
    expect(identityFromClaims({ iss: ISS, sub: 'abc', groups: ['g'] }, ENTRA)).toEqual({ ok: false, message: NO_USERNAME });
    expect(
      identityFromClaims(
        { iss: ISS, sub: 'abc', preferred_username: 'a', _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'x' } } },
        ENTRA,
      ),
    ).toEqual({ ok: false, message: TOO_MANY_GROUPS });
  });
});
