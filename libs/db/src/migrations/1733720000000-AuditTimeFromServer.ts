import { MigrationInterface, QueryRunner } from 'typeorm';

// An audit row's time is the server's: the API's role could write any `at` (back-date a row) into
// the hash chain. A trigger that fires before the chain's (triggers fire in name order:
// audit_log_at < audit_log_chain) sets it for anyone but the owner, who may load old rows
// (a restore, a test of retention). Not SECURITY DEFINER, so current_user is the inserting role.
export class AuditTimeFromServer1733720000000 implements MigrationInterface {
  name = 'AuditTimeFromServer1733720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_log_at() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
          NEW.at := now();
        END IF;
        RETURN NEW;
      END $f$;
      CREATE TRIGGER audit_log_at BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_at();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_at ON audit_log; DROP FUNCTION audit_log_at();`);
  }
}
