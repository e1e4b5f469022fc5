import { generateKeyPairSync } from 'crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, SAML_DEFAULT_ATTRIBUTES, SAML_DEFAULT_LABEL, splitCertificates } from '@bu/config';
import { makeKeyPair } from '../support/saml-idp';

// Issue 15, point 2: the SAML settings (SAML_*) are read and checked in libs/config like every
// other setting: off unless SAML_ENTRY_POINT is set, and then refused with one Danish line per
// problem (naming the variable, never showing the key).

const GOOD = 'a'.repeat(20) + '0123456789abcdef';
const BASE = { DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: GOOD, RUN_WORKER: 'false' };
const idp = makeKeyPair('Config IdP');
const sp = makeKeyPair('Config SP');
const SAML = {
  SAML_ENTRY_POINT: 'https://adfs.kommune.example/adfs/ls/',
  SAML_IDP_CERT: idp.cert,
  SAML_SP_ENTITY_ID: 'https://boerneblik.kommune.example',
  SAML_ACS_URL: 'https://boerneblik.kommune.example/api/v1/auth/saml/acs',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    configFromEnv({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('@bu/config: SAML', () => {
  it('is off without SAML_ENTRY_POINT, also when compose passes every variable empty', () => {
    expect(configFromEnv(BASE).saml).toBeUndefined();
    const empty = Object.fromEntries(
      ['ENTRY_POINT', 'IDP_CERT', 'IDP_ISSUER', 'SP_ENTITY_ID', 'ACS_URL', 'SP_PRIVATE_KEY', 'SP_CERT', 'ATTR_GROUPS', 'LABEL'].map((n) => [
        `SAML_${n}`,
        '',
      ]),
    );
    expect(configFromEnv({ ...BASE, ...empty }).saml).toBeUndefined();
    // Set up without a key of its own, the empty key and certificate are none.
    expect(configFromEnv({ ...BASE, ...empty, ...SAML }).saml).toMatchObject({ spPrivateKey: undefined, spCert: undefined });
  });

  it('reads the settings, with AD FS attribute names and a Danish button label by default', () => {
    const saml = configFromEnv({ ...BASE, ...SAML }).saml;
    expect(saml).toEqual({
      entryPoint: SAML.SAML_ENTRY_POINT,
      idpCerts: [idp.cert.trim()],
      idpIssuer: undefined,
      entityId: SAML.SAML_SP_ENTITY_ID,
      acsUrl: SAML.SAML_ACS_URL,
      spPrivateKey: undefined,
      spCert: undefined,
      attributes: SAML_DEFAULT_ATTRIBUTES,
      label: SAML_DEFAULT_LABEL,
    });
    const kombit = configFromEnv({
      ...BASE,
      ...SAML,
      SAML_ATTR_GROUPS: 'dk:gov:saml:attribute:Privileges_intermediate',
      SAML_LABEL: 'Log ind med KOMBIT',
      SAML_SP_PRIVATE_KEY: sp.key,
      SAML_SP_CERT: sp.cert,
    }).saml;
    expect(kombit).toMatchObject({ attributes: { groups: 'dk:gov:saml:attribute:Privileges_intermediate' }, label: 'Log ind med KOMBIT' });
    expect(kombit?.spPrivateKey).toBe(sp.key.trim());
  });

  it('takes several IdP certificates (key rotation), as PEM blocks, one-line PEM with \\n, or bare base64', () => {
    const next = makeKeyPair('Next IdP');
    const bare = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    expect(splitCertificates(`${idp.cert}\n${next.cert}`)).toHaveLength(2);
    expect(splitCertificates(idp.cert.replace(/\n/g, '\\n'))).toEqual([idp.cert.trim()]);
    const fromBare = configFromEnv({ ...BASE, ...SAML, SAML_IDP_CERT: `${bare(idp.cert)}, ${bare(next.cert)}` }).saml!.idpCerts;
    expect(fromBare.map(bare)).toEqual([bare(idp.cert), bare(next.cert)]);
  });

  it('refuses a missing entity id, ACS address or certificate, an unreadable certificate and a plain-http IdP', () => {
    expect(problems({ SAML_ENTRY_POINT: SAML.SAML_ENTRY_POINT })).toEqual([
      expect.stringMatching(/^SAML_ACS_URL er ikke sat/),
      expect.stringMatching(/^SAML_SP_ENTITY_ID er ikke sat/),
      expect.stringMatching(/^SAML_IDP_CERT er ikke sat/),
    ]);
    expect(problems({ ...SAML, SAML_IDP_CERT: 'bm90IGEgY2VydGlmaWNhdGU=' })).toEqual([
      expect.stringMatching(/^SAML_IDP_CERT: certifikat nr\. 1/),
    ]);
    expect(problems({ ...SAML, SAML_ENTRY_POINT: 'http://adfs.kommune.example/adfs/ls/' })).toEqual([
      expect.stringMatching(/^SAML_ENTRY_POINT skal være en https-adresse/),
    ]);
    expect(problems({ ...SAML, SAML_ACS_URL: 'boerneblik/acs' })).toEqual([
      expect.stringMatching(/^SAML_ACS_URL er ikke en gyldig adresse/),
    ]);
  });

  it("refuses Børneblik's own key without its certificate, a weak key, a certificate of another key; never shows the key", () => {
    expect(problems({ ...SAML, SAML_SP_PRIVATE_KEY: sp.key })).toEqual([
      expect.stringMatching(/^SAML_SP_PRIVATE_KEY og SAML_SP_CERT skal sættes sammen/),
    ]);
    expect(problems({ ...SAML, SAML_SP_PRIVATE_KEY: sp.key, SAML_SP_CERT: idp.cert })).toEqual([
      'SAML_SP_CERT hører ikke til SAML_SP_PRIVATE_KEY.',
    ]);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const found = problems({ ...SAML, SAML_SP_PRIVATE_KEY: weak, SAML_SP_CERT: sp.cert });
    expect(found).toEqual([expect.stringMatching(/^SAML_SP_PRIVATE_KEY skal være en RSA-nøgle på mindst 2048 bit/)]);
    expect(found.join('\n')).not.toContain(weak.split('\n')[1]);
    expect(problems({ ...SAML, SAML_SP_PRIVATE_KEY: 'garbage', SAML_SP_CERT: sp.cert })).toEqual([
      expect.stringMatching(/^SAML_SP_PRIVATE_KEY eller SAML_SP_CERT kan ikke læses/),
    ]);
    expect(problems({ ...SAML, SAML_SP_PRIVATE_KEY: sp.key, SAML_SP_CERT: sp.cert })).toEqual([]);
  });

  it('checks settings given as an override the same way', () => {
    expect(() =>
      configFromEnv(BASE, {
        saml: {
          entryPoint: 'ftp://x',
          idpCerts: [],
          entityId: '',
          acsUrl: 'https://boerneblik.kommune.example/api/v1/auth/saml/acs',
          attributes: { ...SAML_DEFAULT_ATTRIBUTES },
          label: SAML_DEFAULT_LABEL,
        },
      }),
    ).toThrow(/SAML_ENTRY_POINT skal være en https-adresse[\s\S]*SAML_SP_ENTITY_ID er ikke sat[\s\S]*SAML_IDP_CERT er ikke sat/);
  });
});
