import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamlSettings } from '@bu/config';
import { SAML_MESSAGES } from '../../apps/api/src/saml/saml.service';
import { startTestApi } from '../support/api';
import { exchange, handoverOf } from '../support/sso';
import { createTestDatabase, TestDatabase } from '../support/database';
import { addGroup, ATTR, makeKeyPair, RSA_PSS_SHA256, TestSamlIdp, type SamlIdpUser } from '../support/saml-idp';

// Issue 15, point 2: SAML 2.0 login against an identity provider made in the test (its own key
// and certificate, responses signed with xml-crypto). A signed response gives a session with the
// mapped role; an unsigned, expired, wrongly addressed, replayed or tampered one gets the Danish
// page and no session (no ticket, no user).

const SP_ENTITY_ID = 'https://boerneblik.test/saml';
const IDP_ENTITY_ID = 'http://idp.test/adfs/services/trust';
/** The public address the identity provider posts to (behind the proxy), not the test server's own. */
const PUBLIC_ACS = 'https://boerneblik.test/api/v1/auth/saml/acs';

describe('SAML 2.0 login', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let idp: TestSamlIdp;
  const rotated = makeKeyPair('Test IdP, next key');

  const settings = (): SamlSettings => ({
    entryPoint: idp.entryPoint,
    // The IdP's current certificate and the one it rotates to: a signature by either is accepted.
    idpCerts: [idp.keyPair.cert, rotated.cert],
    idpIssuer: IDP_ENTITY_ID,
    entityId: SP_ENTITY_ID,
    acsUrl: PUBLIC_ACS,
    attributes: { username: ATTR.username, email: ATTR.email, groups: ATTR.groups },
    label: 'Log ind med AD FS',
  });

  // Listening on one port, so that a request's Host header can be set apart from the address used.
  let base: string;
  const server = () => base;
  /** Starts a login at Børneblik: the AuthnRequest the browser would carry to the IdP. */
  async function startLogin(): Promise<{ id: string; acsUrl: string }> {
    const res = await request(server()).get('/api/v1/auth/saml/login').expect(302);
    expect(res.headers.location.startsWith(`${idp.entryPoint}?SAMLRequest=`)).toBe(true);
    return TestSamlIdp.requestIn(res.headers.location);
  }
  const post = (samlResponse: string) => request(server()).post('/api/v1/auth/saml/acs').type('form').send({ SAMLResponse: samlResponse });
  const anna: SamlIdpUser = { nameId: 'S-1-5-21-anna', username: 'anna@kommune.dk', email: 'anna@kommune.dk', groups: ['BU-Chefer'] };
  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  /** The refusal as the browser sees it: the Danish page with the reason, no redirect, and no session made. */
  async function expectRefused(res: request.Response, message: string) {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain(message);
    expect(res.headers.location).toBeUndefined();
    expect(await count(`SELECT count(*) AS n FROM sso_ticket`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM app_user WHERE auth_source = 'saml'`)).toBe(0);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    idp = await new TestSamlIdp(IDP_ENTITY_ID, SP_ENTITY_ID).start();
    await db.pool.query(
      `INSERT INTO sso_group_mapping (municipality_code, group_id, role, teams) VALUES (461, 'BU-Chefer', 'chef', '{}'), (461, 'BU-Ledere-Syd', 'teamleder', '{Team Syd}')`,
    );
    app = await startTestApi(db, { saml: settings() });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
    await db?.drop();
  });

  it('publishes its metadata: entity id, the ACS URL (POST binding), signed assertions wanted', async () => {
    const res = await request(server()).get('/api/v1/auth/saml/metadata').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.text).toContain(`entityID="${SP_ENTITY_ID}"`);
    expect(res.text).toMatch(/AssertionConsumerService[^>]+Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/);
    expect(res.text).toContain(`Location="${PUBLIC_ACS}"`);
    expect(res.text).toContain('WantAssertionsSigned="true"');
    // No key of its own configured: no certificate, requests unsigned.
    expect(res.text).not.toContain('X509Certificate');
  });

  it('shows its button on the login page, with the configured label', async () => {
    const res = await request(server()).get('/api/v1/auth/providers').expect(200);
    expect(res.body.providers).toContainEqual({ id: 'saml', label: 'Log ind med AD FS', loginUrl: '/api/v1/auth/saml/login' });
  });

  it('redirects to the identity provider with an AuthnRequest whose id is kept for its answer', async () => {
    const request_ = await startLogin();
    expect(request_.acsUrl).toMatch(/\/api\/v1\/auth\/saml\/acs$/);
    const { rows } = await db.pool.query(`SELECT provider FROM sso_request WHERE id = $1`, [request_.id]);
    expect(rows).toEqual([{ provider: 'saml' }]);
  });

  it('accepts a signed response: the user is made from the group mapping and gets a session', async () => {
    const { id, acsUrl } = await startLogin();
    const res = await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna })).expect(302);
    const ticket = /^\/#\/sso\?ticket=(.+)$/.exec(res.headers.location)?.[1];
    expect(ticket).toBeTruthy();
    const session = await exchange(server(), handoverOf(res)).expect(200);
    expect(session.body.user).toEqual({ username: 'anna@kommune.dk', role: 'chef', municipalities: [461], teams: [] });
    await request(server()).get('/api/v1/me').set('Authorization', `Bearer ${session.body.token}`).expect(200);
    const { rows } = await db.pool.query(`SELECT auth_source, email, external_id FROM app_user WHERE username = 'anna@kommune.dk'`);
    expect(rows).toEqual([{ auth_source: 'saml', email: 'anna@kommune.dk', external_id: `${IDP_ENTITY_ID}|S-1-5-21-anna` }]);
    // The request id was used: it is gone.
    expect(await count(`SELECT count(*) AS n FROM sso_request WHERE id = '${id}'`)).toBe(0);
    // A login in the audit log by the verified name, like a password login (rows are written after the answer).
    await expect
      .poll(() =>
        count(
          `SELECT count(*) AS n FROM audit_log WHERE action = 'login' AND username = 'anna@kommune.dk' AND role = 'chef' AND detail->>'path' = '/api/v1/auth/saml/acs'`,
        ),
      )
      .toBe(1);
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
  });

  it('accepts a response signed with the key the identity provider rotates to', async () => {
    const { id, acsUrl } = await startLogin();
    const user = { ...anna, nameId: 'S-1-5-21-leder', username: 'leder@kommune.dk', email: undefined, groups: ['BU-Ledere-Syd', 'Alle'] };
    const res = await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user, keyPair: rotated })).expect(302);
    const session = await exchange(server(), handoverOf(res)).expect(200);
    expect(session.body.user).toMatchObject({ username: 'leder@kommune.dk', role: 'teamleder', teams: ['Team Syd'] });
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
  });

  it('a group change at the identity provider takes effect at the next login; the old session ends', async () => {
    const login = async (groups: string[]) => {
      const { id, acsUrl } = await startLogin();
      const res = await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: { ...anna, groups } })).expect(302);
      return (await exchange(server(), handoverOf(res)).expect(200)).body;
    };
    const first = await login(['BU-Chefer']);
    expect(first.user).toMatchObject({ role: 'chef', teams: [] });
    const second = await login(['BU-Ledere-Syd']);
    expect(second.user).toMatchObject({ username: 'anna@kommune.dk', role: 'teamleder', teams: ['Team Syd'] });
    await request(server()).get('/api/v1/me').set('Authorization', `Bearer ${first.token}`).expect(401);
    await request(server()).get('/api/v1/me').set('Authorization', `Bearer ${second.token}`).expect(200);
    expect(await count(`SELECT count(*) AS n FROM app_user WHERE auth_source = 'saml'`)).toBe(1);
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
  });

  it('accepts an assertion signed with RSASSA-PSS (as OCES3 certificates sign for KOMBIT)', async () => {
    const { id, acsUrl } = await startLogin();
    const response = idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, signatureAlgorithm: RSA_PSS_SHA256 });
    expect(Buffer.from(response, 'base64').toString()).toContain(`Algorithm="${RSA_PSS_SHA256}"`);
    expect((await post(response)).status).toBe(302);
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
  });

  it('refuses an unsigned response', async () => {
    const { id, acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, sign: 'none' })),
      SAML_MESSAGES.signature,
    );
  });

  it('refuses a response whose assertion is not signed (only the response around it)', async () => {
    const { id, acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, sign: 'response' })),
      SAML_MESSAGES.signature,
    );
  });

  it('refuses a response signed with a key it does not know', async () => {
    const { id, acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, keyPair: makeKeyPair('Intruder') })),
      SAML_MESSAGES.signature,
    );
  });

  it('refuses a tampered response (signed, then a group added)', async () => {
    const { id, acsUrl } = await startLogin();
    const user = { ...anna, groups: ['Alle'] };
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user, tamper: addGroup('BU-Chefer') })),
      SAML_MESSAGES.signature,
    );
  });

  it('refuses an expired response (NotOnOrAfter in the past)', async () => {
    const { id, acsUrl } = await startLogin();
    const notOnOrAfter = new Date(Date.now() - 5 * 60_000);
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, notOnOrAfter })),
      SAML_MESSAGES.expired,
    );
  });

  it('refuses a response for another service (wrong audience)', async () => {
    const { id, acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: 'https://another.service.example/', user: anna })),
      SAML_MESSAGES.audience,
    );
  });

  it('refuses a response addressed to another service provider (bearer Recipient not our ACS)', async () => {
    const { id } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl: 'https://another.service.example/acs', audience: SP_ENTITY_ID, user: anna })),
      SAML_MESSAGES.recipient,
    );
  });

  it("takes its ACS address from SAML_ACS_URL, never from the request's Host header", async () => {
    // Someone asks for a login with a Host of their own: the request still names our address ...
    const res = await request(server()).get('/api/v1/auth/saml/login').set('Host', 'evil.example').expect(302);
    const { id, acsUrl } = TestSamlIdp.requestIn(res.headers.location);
    expect(acsUrl).toBe(PUBLIC_ACS);
    // ... and an assertion addressed to their host, posted with that Host, gives no session.
    await expectRefused(
      await request(server())
        .post('/api/v1/auth/saml/acs')
        .set('Host', 'evil.example')
        .type('form')
        .send({
          SAMLResponse: idp.response({
            inResponseTo: id,
            acsUrl: 'http://evil.example/api/v1/auth/saml/acs',
            audience: SP_ENTITY_ID,
            user: anna,
          }),
        }),
      SAML_MESSAGES.recipient,
    );
  });

  it('refuses a response from another issuer than SAML_IDP_ISSUER', async () => {
    const { id, acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, issuer: 'http://other-idp.test/' })),
      SAML_MESSAGES.issuer,
    );
  });

  it('refuses a replayed response: the same response twice, and the same assertion in answer to a new request', async () => {
    const first = await startLogin();
    const assertionId = '_assertion-used-once';
    const response = idp.response({ inResponseTo: first.id, acsUrl: first.acsUrl, audience: SP_ENTITY_ID, user: anna, assertionId });
    expect((await post(response)).status).toBe(302);
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
    // The same form posted again: its request was answered already.
    await expectRefused(await post(response), SAML_MESSAGES.unknownRequest);
    // The assertion id kept until its NotOnOrAfter (plus the clock skew allowed).
    const { rows } = await db.pool.query(
      `SELECT expires_at > now() + interval '5 minutes' AS kept FROM sso_replay WHERE provider = 'saml' AND id = $1`,
      [assertionId],
    );
    expect(rows).toEqual([{ kept: true }]);
    // The same assertion id in a response to a new, valid request.
    const second = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: second.id, acsUrl: second.acsUrl, audience: SP_ENTITY_ID, user: anna, assertionId })),
      SAML_MESSAGES.replay,
    );
  });

  it('accepts one of two copies of a response posted at the same moment', async () => {
    const { id, acsUrl } = await startLogin();
    const response = idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna });
    const statuses = (await Promise.all([post(response), post(response)])).map((r) => r.status).sort();
    expect(statuses).toEqual([302, 400]);
    expect(await count(`SELECT count(*) AS n FROM sso_ticket`)).toBe(1);
    await db.pool.query(`DELETE FROM sso_ticket`);
    await db.pool.query(`DELETE FROM app_user WHERE auth_source = 'saml'`);
  });

  it('refuses an answer to a request older than 10 minutes', async () => {
    const { id, acsUrl } = await startLogin();
    await db.pool.query(`UPDATE sso_request SET created_at = now() - interval '11 minutes' WHERE id = $1`, [id]);
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna })),
      SAML_MESSAGES.unknownRequest,
    );
  });

  it('refuses an answer to a request it did not send, and an unsolicited response', async () => {
    const { acsUrl } = await startLogin();
    await expectRefused(
      await post(idp.response({ inResponseTo: '_never-sent', acsUrl, audience: SP_ENTITY_ID, user: anna })),
      SAML_MESSAGES.unknownRequest,
    );
    await expectRefused(await post(idp.response({ acsUrl, audience: SP_ENTITY_ID, user: anna })), SAML_MESSAGES.unknownRequest);
  });

  it('an error answer from the identity provider (the user cancelled) gets the Danish page', async () => {
    const { id, acsUrl } = await startLogin();
    const failure = 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed';
    await expectRefused(
      await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: anna, failure })),
      SAML_MESSAGES.status,
    );
  });

  it('a post without a response, or with text that is not SAML, gets the Danish page', async () => {
    await expectRefused(await request(server()).post('/api/v1/auth/saml/acs').type('form').send({}), SAML_MESSAGES.missing);
    await expectRefused(await post(Buffer.from('<html/>').toString('base64')), SAML_MESSAGES.invalid);
  });

  it('a user without a mapped group gets the page saying whom to ask, and no account', async () => {
    const { id, acsUrl } = await startLogin();
    const res = await post(idp.response({ inResponseTo: id, acsUrl, audience: SP_ENTITY_ID, user: { ...anna, groups: ['Alle'] } }));
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('Du har ikke adgang til Børneblik endnu');
    expect(res.text).toContain('Børneblik-administrator');
    expect(await count(`SELECT count(*) AS n FROM app_user WHERE auth_source = 'saml'`)).toBe(0);
  });

  it('reads forms on the ACS route only, and only up to its size limit', async () => {
    const big = 'A'.repeat(300 * 1024);
    expect((await post(big)).status).toBe(413);
    // The password login takes JSON only: a form is not read there.
    const res = await request(server()).post('/api/v1/auth/login').type('form').send({ username: 'anna', password: 'x' });
    expect(res.status).toBe(401);
  });

  it('is not there when not configured', async () => {
    const plain = await startTestApi(db);
    try {
      const res = await request(plain.getHttpServer()).get('/api/v1/auth/saml/metadata').expect(404);
      expect(res.body.message).toBe(SAML_MESSAGES.notConfigured);
      await request(plain.getHttpServer()).get('/api/v1/auth/saml/login').expect(404);
    } finally {
      await plain.close();
    }
  });
});

describe('SAML 2.0 with a key of its own', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const sp = makeKeyPair('Boerneblik SP');
  const idp = new TestSamlIdp(IDP_ENTITY_ID, SP_ENTITY_ID);
  const ACS = 'https://boerneblik.kommune.example/api/v1/auth/saml/acs';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(
      `INSERT INTO sso_group_mapping (municipality_code, group_id, role, teams) VALUES (461, 'BU-Udvalg', 'udvalg', '{}')`,
    );
    app = await startTestApi(db, {
      saml: {
        entryPoint: 'https://adfs.kommune.example/adfs/ls/',
        idpCerts: [idp.keyPair.cert],
        entityId: SP_ENTITY_ID,
        acsUrl: ACS,
        spPrivateKey: sp.key,
        spCert: sp.cert,
        attributes: { username: ATTR.username, email: ATTR.email, groups: ATTR.groups },
        label: 'Log ind',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('publishes its certificate and the public ACS URL, and signs its AuthnRequests', async () => {
    const meta = await request(app.getHttpServer()).get('/api/v1/auth/saml/metadata').expect(200);
    const body = sp.cert.replace(/-----[^-]+-----|\s/g, '');
    expect(meta.text).toContain('AuthnRequestsSigned="true"');
    expect(meta.text).toContain('use="signing"');
    expect(meta.text).toContain('use="encryption"');
    expect(meta.text.replace(/\s/g, '')).toContain(`<ds:X509Certificate>${body}</ds:X509Certificate>`);
    expect(meta.text).toContain(`Location="${ACS}"`);
    const res = await request(app.getHttpServer()).get('/api/v1/auth/saml/login').expect(302);
    const location = new URL(res.headers.location);
    expect(location.origin + location.pathname).toBe('https://adfs.kommune.example/adfs/ls/');
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(location.searchParams.get('Signature')).toBeTruthy();
    expect(TestSamlIdp.requestIn(res.headers.location).acsUrl).toBe(ACS);
  });

  it('reads an encrypted, signed assertion with its own key', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/auth/saml/login').expect(302);
    const { id } = TestSamlIdp.requestIn(res.headers.location);
    const user = { nameId: 'bo', username: 'bo@kommune.dk', groups: ['BU-Udvalg'] };
    const response = idp.response({ inResponseTo: id, acsUrl: ACS, audience: SP_ENTITY_ID, user, encryptFor: sp.cert });
    const xml = Buffer.from(response, 'base64').toString();
    expect(xml).toContain('<saml:EncryptedAssertion>');
    expect(xml).not.toContain('bo@kommune.dk');
    const answer = await request(app.getHttpServer())
      .post('/api/v1/auth/saml/acs')
      .type('form')
      .send({ SAMLResponse: response })
      .expect(302);
    const session = await exchange(app.getHttpServer(), handoverOf(answer)).expect(200);
    expect(session.body.user).toEqual({ username: 'bo@kommune.dk', role: 'udvalg', municipalities: [461], teams: [] });
  });
});
