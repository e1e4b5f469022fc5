import type { Profile } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import { SAML_DEFAULT_ATTRIBUTES, SAML_DEFAULT_LABEL, type SamlSettings } from '@bu/config';
import { groupValues, identityFrom, SAML_MESSAGES, samlMessage } from './saml.service';

const KOMBIT_GROUPS = 'dk:gov:saml:attribute:Privileges_intermediate';
const settings = (groups: string = SAML_DEFAULT_ATTRIBUTES.groups): SamlSettings => ({
  entryPoint: 'https://idp.example/sso',
  idpCerts: [],
  entityId: 'https://boerneblik.example',
  acsUrl: 'https://boerneblik.example/api/v1/auth/saml/acs',
  attributes: { ...SAML_DEFAULT_ATTRIBUTES, groups },
  label: SAML_DEFAULT_LABEL,
});
const profile = (attributes: Record<string, unknown>, nameID = 'S-1-5-21-7'): Profile => ({
  issuer: 'http://adfs.example/adfs/services/trust',
  nameID,
  nameIDFormat: 'persistent',
  attributes,
});

describe('SAML: the identity in a validated assertion', () => {
  it('takes username, e-mail and groups from the configured attributes (AD FS by default), the NameID as external id', () => {
    const identity = identityFrom(
      profile({
        [SAML_DEFAULT_ATTRIBUTES.username]: 'anna@kommune.dk',
        [SAML_DEFAULT_ATTRIBUTES.email]: 'anna@kommune.dk',
        [SAML_DEFAULT_ATTRIBUTES.groups]: ['BU-Chefer', 'Alle', 'Alle'],
      }),
      settings(),
    );
    expect(identity).toEqual({
      provider: 'saml',
      externalId: 'http://adfs.example/adfs/services/trust|S-1-5-21-7',
      username: 'anna@kommune.dk',
      email: 'anna@kommune.dk',
      groups: ['BU-Chefer', 'Alle'],
      privileges: [],
    });
  });

  it('falls back to the NameID as username; one group is a list of one; no groups is an empty list', () => {
    expect(identityFrom(profile({ [SAML_DEFAULT_ATTRIBUTES.groups]: 'BU-Chefer' }, 'anna'), settings())).toEqual({
      provider: 'saml',
      externalId: 'http://adfs.example/adfs/services/trust|anna',
      username: 'anna',
      groups: ['BU-Chefer'],
      privileges: [],
    });
    expect(identityFrom(profile({}), settings()).groups).toEqual([]);
  });

  it("reads KOMBIT's privilege list: each privilege qualified by its scope's CVR number, apart from the groups", () => {
    const list =
      '<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">' +
      '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189684"><Privilege>http://boerneblik.dk/roles/usersystemrole/chef/1</Privilege>' +
      '<Privilege>http://boerneblik.dk/roles/usersystemrole/leder/1</Privilege></PrivilegeGroup>' +
      '<PrivilegeGroup><Privilege>http://boerneblik.dk/roles/usersystemrole/udvalg/1</Privilege></PrivilegeGroup></bpp:PrivilegeList>';
    const identity = identityFrom(profile({ [KOMBIT_GROUPS]: Buffer.from(list).toString('base64') }), settings(KOMBIT_GROUPS));
    expect(identity.groups).toEqual([]);
    expect(identity.privileges).toEqual([
      '29189684:http://boerneblik.dk/roles/usersystemrole/chef/1',
      '29189684:http://boerneblik.dk/roles/usersystemrole/leder/1',
      'http://boerneblik.dk/roles/usersystemrole/udvalg/1',
    ]);
    // A long base64-looking group name that is no privilege list stays as it is.
    const sid = 'S1521123456789012345678901234567890123456789';
    expect(groupValues(sid)).toEqual({ groups: [sid], privileges: [] });
    // A plain value of a privilege's form is a group, which gives nothing (sso.service.ts, groupsOf).
    expect(groupValues(['29189684:http://boerneblik.dk/roles/usersystemrole/chef/1', Buffer.from(list).toString('base64')])).toEqual({
      groups: ['29189684:http://boerneblik.dk/roles/usersystemrole/chef/1'],
      privileges: identity.privileges,
    });
  });

  it('refuses an assertion without NameID', () => {
    expect(() => identityFrom(profile({}, ''), settings())).toThrow();
    try {
      identityFrom(profile({}, ''), settings());
    } catch (error) {
      expect(samlMessage(error)).toBe(SAML_MESSAGES.noUser);
    }
  });

  it("turns node-saml's English errors into Danish sentences", () => {
    expect(samlMessage(new Error('InResponseTo is not valid'))).toBe(SAML_MESSAGES.unknownRequest);
    expect(samlMessage(new Error('Invalid signature'))).toBe(SAML_MESSAGES.signature);
    expect(samlMessage(new Error('SAML assertion expired: clocks skewed too much'))).toBe(SAML_MESSAGES.expired);
    expect(samlMessage(new Error('SAML assertion AudienceRestriction has no Audience value'))).toBe(SAML_MESSAGES.audience);
    expect(samlMessage(new Error('something else'))).toBe(SAML_MESSAGES.invalid);
  });
});
