import { MigrationInterface, QueryRunner } from 'typeorm';

// Single sign-on (issue 15): users from the organisation's identity provider (OpenID Connect or
// SAML), their groups mapped by the administrator to role, municipality and teams; a per-
// municipality switch for password login; e-mail for reports and the weekly mail. See ADR 0050.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class SingleSignOn1733800000000 implements MigrationInterface {
  name = 'SingleSignOn1733800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE app_user
        ALTER COLUMN password_hash DROP NOT NULL,
        -- 'local': a password kept here; 'oidc' / 'saml': made and updated at each single sign-on login.
        ADD COLUMN auth_source text NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'oidc', 'saml')),
        -- The provider's stable id of the person ('<issuer>|<subject>'), never shown.
        ADD COLUMN external_id text UNIQUE,
        ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+$'),
        -- The weekly e-mail of work-list counts (team leaders and chiefs); each user can turn it off.
        ADD COLUMN weekly_mail boolean NOT NULL DEFAULT true,
        ADD COLUMN last_login_at timestamptz,
        ADD CONSTRAINT app_user_local_has_password CHECK (auth_source <> 'local' OR password_hash IS NOT NULL);

      -- Group (the provider's group id or name, as it sends it) -> role, municipality, teams.
      CREATE TABLE sso_group_mapping (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        group_id text NOT NULL CHECK (length(group_id) BETWEEN 1 AND 256),
        role text NOT NULL CHECK (role IN ('udvalg','chef','teamleder','admin')),
        teams text[] NOT NULL DEFAULT '{}',
        CHECK (role <> 'teamleder' OR cardinality(teams) > 0),
        -- A group gives access in one municipality: one administrator cannot claim another's groups.
        UNIQUE (group_id)
      );

      -- Password login per municipality: off once the municipality logs in through its provider.
      CREATE TABLE login_policy (
        municipality_code smallint PRIMARY KEY REFERENCES municipality(code),
        password_login boolean NOT NULL DEFAULT true
      );

      -- A login in flight (OIDC state, nonce and PKCE verifier; SAML request id), used once.
      CREATE TABLE sso_request (
        id text PRIMARY KEY,
        provider text NOT NULL CHECK (provider IN ('oidc', 'saml')),
        nonce text,
        code_verifier text,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- The one-time handover from the provider's callback to the browser app (hash of the ticket).
      CREATE TABLE sso_ticket (
        ticket_hash text PRIMARY KEY,
        -- Hash of the cookie set with the ticket: only the browser the login ended in can use it.
        binding_hash text NOT NULL,
        username text NOT NULL,
        expires_at timestamptz NOT NULL
      );

      -- Ids the provider must never send twice (SAML assertion ids), kept until they expire.
      CREATE TABLE sso_replay (
        provider text NOT NULL,
        id text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (provider, id)
      );
    `);
    // Logins run before any scope is set: the flow's own tables have no municipality and no RLS.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON sso_request, sso_ticket, sso_replay TO bu_api`);
    for (const table of ['sso_group_mapping', 'login_policy']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    }
    await q.query(`GRANT USAGE ON SEQUENCE sso_group_mapping_id_seq TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sso_replay, sso_ticket, sso_request, login_policy, sso_group_mapping`);
    await q.query(`DELETE FROM app_user WHERE auth_source <> 'local'`);
    await q.query(`
      ALTER TABLE app_user DROP CONSTRAINT app_user_local_has_password, DROP COLUMN last_login_at, DROP COLUMN weekly_mail,
        DROP COLUMN email, DROP COLUMN external_id, DROP COLUMN auth_source, ALTER COLUMN password_hash SET NOT NULL
    `);
  }
}
