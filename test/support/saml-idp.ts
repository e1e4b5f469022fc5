import { execFileSync } from 'child_process';
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { inflateRawSync } from 'zlib';
import { SignedXml } from 'xml-crypto';
import type { SamlSettings } from '@bu/config';

// A SAML 2.0 identity provider made in the test (issue 15, point 2): its own key and X.509
// certificate (made by openssl for this run, never checked in), responses built by hand and
// signed with xml-crypto, and an HTTP server that answers an AuthnRequest (HTTP-Redirect) with a
// page that posts the response to the service provider's ACS (HTTP-POST), as AD FS does.

export interface KeyPair {
  key: string;
  cert: string;
}

/** A new RSA key and self-signed certificate (test-only; valid one day). */
export function makeKeyPair(commonName = 'Test IdP'): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'bu-saml-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', `/CN=${commonName}`].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Who logs in at the identity provider: NameID and the attributes (AD FS's claim types by default). */
export interface SamlIdpUser {
  nameId: string;
  username?: string;
  email?: string;
  groups: string[];
}

export const ATTR = {
  username: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};

export interface ResponseOptions {
  /** The AuthnRequest's id (InResponseTo); none: an unsolicited response. */
  inResponseTo?: string;
  acsUrl: string;
  audience: string;
  user: SamlIdpUser;
  /** What is signed: the assertion (default, as AD FS), the response around it, or nothing. */
  sign?: 'assertion' | 'response' | 'none';
  /** Signed with another key than the one Børneblik trusts. */
  keyPair?: KeyPair;
  /** Default: 5 minutes from now. In the past: an expired assertion. */
  notOnOrAfter?: Date;
  assertionId?: string;
  issuer?: string;
  /** Changes the XML after signing (a tampered response). */
  tamper?: (xml: string) => string;
  /** The signature algorithm (default RSA-SHA256; OCES3 certificates sign with RSASSA-PSS). */
  signatureAlgorithm?: string;
  /** An error answer without an assertion, e.g. 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' (the user cancelled). */
  failure?: string;
  /** Encrypts the (signed) assertion for this certificate (the service provider's), as KOMBIT does. */
  encryptFor?: string;
}

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_PSS_SHA256 = 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1';

/** XML Encryption of an element: AES-256-CBC content, its key wrapped with RSA-OAEP for the certificate. */
function encryptElement(xml: string, cert: string): string {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const data = Buffer.concat([iv, cipher.update(xml, 'utf8'), cipher.final()]).toString('base64');
  const wrapped = publicEncrypt({ key: cert, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64');
  return (
    `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>` +
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>` +
    `<xenc:CipherData><xenc:CipherValue>${wrapped}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${data}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>`
  );
}

const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const id = () => `_${randomBytes(16).toString('hex')}`;

function attribute(name: string, values: string[]): string {
  if (values.length === 0) return '';
  return `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
}

export class TestSamlIdp {
  readonly keyPair = makeKeyPair();
  /** The user the browser logs in as (the login page of this IdP asks nothing). */
  user: SamlIdpUser = { nameId: 'anna', groups: [] };
  /** AuthnRequests received through the browser. */
  readonly requests: { id: string; acsUrl: string }[] = [];
  private server?: Server;
  url = '';

  constructor(
    readonly entityId: string,
    /** Børneblik's entity id: the audience of every response. */
    readonly audience: string,
  ) {}

  get entryPoint(): string {
    return `${this.url}/sso`;
  }

  /** Starts the HTTP side: GET /sso?SAMLRequest=… answers with a page that posts the response to the ACS. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.url);
      if (url.pathname !== '/sso' || !url.searchParams.get('SAMLRequest')) {
        res.writeHead(404).end();
        return;
      }
      const request = TestSamlIdp.parseRequest(url.searchParams.get('SAMLRequest')!);
      this.requests.push(request);
      const response = this.response({ inResponseTo: request.id, acsUrl: request.acsUrl, audience: this.audience, user: this.user });
      const relay = url.searchParams.get('RelayState');
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><html lang="da"><head><title>Test-IdP</title></head><body onload="document.forms[0].submit()">` +
            `<form method="post" action="${esc(request.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${esc(response)}">` +
            (relay ? `<input type="hidden" name="RelayState" value="${esc(relay)}">` : '') +
            `<button type="submit">Fortsæt</button></form></body></html>`,
        );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
  }

  /** The id and ACS URL of an AuthnRequest as the HTTP-Redirect binding carries it (deflated, base64). */
  static parseRequest(samlRequest: string): { id: string; acsUrl: string; xml: string } {
    const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
    const requestId = /\sID="([^"]+)"/.exec(xml)?.[1];
    const acsUrl = /\sAssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1];
    if (!requestId || !acsUrl) throw new Error(`not an AuthnRequest: ${xml}`);
    return { id: requestId, acsUrl: acsUrl.replace(/&amp;/g, '&'), xml };
  }

  /** The AuthnRequest in a redirect's Location. */
  static requestIn(location: string): { id: string; acsUrl: string; xml: string } {
    return TestSamlIdp.parseRequest(new URL(location).searchParams.get('SAMLRequest')!);
  }

  /** A SAML response (base64, as the form posts it). */
  response(o: ResponseOptions): string {
    const now = new Date();
    const notOnOrAfter = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
    const notBefore = new Date(Math.min(now.getTime(), Date.parse(notOnOrAfter)) - 60_000).toISOString();
    const issuer = o.issuer ?? this.entityId;
    const inResponseTo = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
    const u = o.user;
    const assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? id()}" Version="2.0" IssueInstant="${now.toISOString()}">` +
      `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(u.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attribute(ATTR.username, u.username ? [u.username] : [])}${attribute(ATTR.email, u.email ? [u.email] : [])}${attribute(ATTR.groups, u.groups)}</saml:AttributeStatement>` +
      `</saml:Assertion>`;
    if (o.failure) {
      return Buffer.from(
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(o.acsUrl)}"${inResponseTo}>` +
          `<saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="${esc(o.failure)}"/></samlp:StatusCode></samlp:Status>` +
          `</samlp:Response>`,
      ).toString('base64');
    }
    let xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(o.acsUrl)}"${inResponseTo}>` +
      `<saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    const sign = o.sign ?? 'assertion';
    const algorithm = o.signatureAlgorithm ?? RSA_SHA256;
    if (sign !== 'none') xml = this.signed(xml, sign === 'assertion' ? 'Assertion' : 'Response', o.keyPair ?? this.keyPair, algorithm);
    if (o.tamper) xml = o.tamper(xml);
    if (o.encryptFor) {
      const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
      xml = xml.replace(
        signedAssertion,
        `<saml:EncryptedAssertion>${encryptElement(signedAssertion, o.encryptFor)}</saml:EncryptedAssertion>`,
      );
    }
    return Buffer.from(xml, 'utf8').toString('base64');
  }

  private signed(xml: string, element: 'Assertion' | 'Response', keyPair: KeyPair, signatureAlgorithm: string): string {
    const sig = new SignedXml({
      privateKey: keyPair.key,
      publicCert: keyPair.cert,
      signatureAlgorithm,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    const target = element === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
    sig.addReference({
      xpath: target,
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    // Where the schema puts it: right after the element's Issuer.
    sig.computeSignature(xml, { location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
    return sig.getSignedXml();
  }
}

/** The tampering of the tests: one more group in the (signed) assertion. */
export const addGroup = (group: string) => (xml: string) =>
  xml.replace(
    `<saml:Attribute Name="${ATTR.groups}">`,
    `<saml:Attribute Name="${ATTR.groups}"><saml:AttributeValue>${esc(group)}</saml:AttributeValue>`,
  );

/** SAML settings for a test that only needs the endpoints there (an IdP that is never reached). */
export function testSamlSettings(idp: KeyPair = makeKeyPair()): SamlSettings {
  return {
    entryPoint: 'https://idp.example/adfs/ls/',
    idpCerts: [idp.cert],
    entityId: 'https://boerneblik.test/saml',
    acsUrl: 'https://boerneblik.test/api/v1/auth/saml/acs',
    attributes: { ...ATTR },
    label: 'Log ind med organisationens konto',
  };
}
