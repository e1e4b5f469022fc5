import { MigrationInterface, QueryRunner } from 'typeorm';

// A single sign-on ticket names the user row and the token version its sign-in wrote (ADR 0050,
// amended): the exchange makes the session only if the user is still that row at that version, so
// a group mapping corrected in the ticket's 60 s (which bumps the municipality's SSO users' token
// version) or the name moved to another row refuses the ticket, instead of a session with the role
// the sign-in wrote. Nullable, with a trigger that fills them from the user row as it is when a
// ticket is written without them: an API process of the release before, during a rolling upgrade,
// still writes the username alone. A ticket whose user is not found keeps nulls and is refused.
// Tickets written before this migration (a minute's worth) are refused: those users sign in again.
export class SsoTicketUserVersion1733921200000 implements MigrationInterface {
  name = 'SsoTicketUserVersion1733921200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE sso_ticket ADD COLUMN user_id integer, ADD COLUMN token_version integer;

      CREATE FUNCTION sso_ticket_user_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.user_id IS NULL OR NEW.token_version IS NULL THEN
          SELECT id, token_version INTO NEW.user_id, NEW.token_version FROM app_user WHERE username = NEW.username;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER sso_ticket_user_version BEFORE INSERT ON sso_ticket
        FOR EACH ROW EXECUTE FUNCTION sso_ticket_user_version();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER sso_ticket_user_version ON sso_ticket;
      DROP FUNCTION sso_ticket_user_version();
      ALTER TABLE sso_ticket DROP COLUMN user_id, DROP COLUMN token_version;
    `);
  }
}
