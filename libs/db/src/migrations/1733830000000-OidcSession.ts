import { MigrationInterface, QueryRunner } from 'typeorm';

// OpenID Connect (issue 15, point 1; ADR 0053): the ID token of a user's last OIDC login, kept only
// as the id_token_hint of RP-initiated logout (ending the provider's session when the user logs out
// of Børneblik). One row per person (the provider's '<issuer>|<subject>'), replaced at each login,
// deleted at logout, and purged once older than the longest session. Like the other tables of the
// login flow (sso_request, sso_ticket) it has no municipality and no row-level security: it is read
// and written before a scope exists (the callback) and keyed by the person, never listed.

export class OidcSession1733830000000 implements MigrationInterface {
  name = 'OidcSession1733830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_session (
        external_id text PRIMARY KEY,
        id_token text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX oidc_session_expires ON oidc_session (expires_at);
    `);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_session TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_session`);
  }
}
