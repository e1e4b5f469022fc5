import { MigrationInterface, QueryRunner } from 'typeorm';

// Two findings of the security review on the data versions of ADR 0070 (migration 1733900000000).
//
// M2: an economy file may hold several municipalities; its import_run then has no municipality and
// moved no version, so every API process kept the old budget figures. The budget lines themselves
// now move the version of each municipality a statement changed: a statement-level trigger per event
// (a trigger with transition tables takes one event) reads the changed rows once and moves each
// municipality once. A re-import that changes no line moves nothing, which is right: nothing read
// has changed. A TRUNCATE moves everything, like the other watched tables.
//
// L1: move_data_version is SECURITY DEFINER (bu_api may not write data_version) and PostgreSQL
// grants EXECUTE on a new function to PUBLIC, so any role, bu_api included, could move any scope
// and flush every API process's cache at will. EXECUTE is taken from PUBLIC. The trigger
// functions become SECURITY DEFINER in its place: they run as the owner whoever writes (bu_api's
// settings, goals and comments still move their version), and a trigger function cannot be
// called directly, so this opens nothing.

const VERSION_FUNCTIONS = ['move_data_version(text)', 'data_version_scope_of(text, jsonb)'];
const TRIGGER_FUNCTIONS = ['data_version_row_changed()', 'data_version_truncated()', 'data_version_budget_changed()'];

export class DataVersionFunctionsLocked1733901000000 implements MigrationInterface {
  name = 'DataVersionFunctionsLocked1733901000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION data_version_budget_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        code smallint;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          FOR code IN SELECT DISTINCT municipality_code FROM moved_new ORDER BY 1 LOOP PERFORM move_data_version(code::text); END LOOP;
        ELSIF TG_OP = 'DELETE' THEN
          FOR code IN SELECT DISTINCT municipality_code FROM moved_old ORDER BY 1 LOOP PERFORM move_data_version(code::text); END LOOP;
        ELSE
          FOR code IN SELECT municipality_code FROM moved_new UNION SELECT municipality_code FROM moved_old ORDER BY 1 LOOP
            PERFORM move_data_version(code::text);
          END LOOP;
        END IF;
        RETURN NULL;
      END $$;
    `);
    await q.query(`CREATE TRIGGER budget_line_insert_moves_data_version AFTER INSERT ON budget_line
                   REFERENCING NEW TABLE AS moved_new FOR EACH STATEMENT EXECUTE FUNCTION data_version_budget_changed()`);
    await q.query(`CREATE TRIGGER budget_line_update_moves_data_version AFTER UPDATE ON budget_line
                   REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new FOR EACH STATEMENT EXECUTE FUNCTION data_version_budget_changed()`);
    await q.query(`CREATE TRIGGER budget_line_delete_moves_data_version AFTER DELETE ON budget_line
                   REFERENCING OLD TABLE AS moved_old FOR EACH STATEMENT EXECUTE FUNCTION data_version_budget_changed()`);
    await q.query(`CREATE TRIGGER budget_line_truncate_moves_data_version AFTER TRUNCATE ON budget_line
                   FOR EACH STATEMENT EXECUTE FUNCTION data_version_truncated()`);

    for (const fn of ['data_version_row_changed()', 'data_version_truncated()']) {
      await q.query(`ALTER FUNCTION ${fn} SECURITY DEFINER SET search_path = public, pg_temp`);
    }
    for (const fn of [...VERSION_FUNCTIONS, ...TRIGGER_FUNCTIONS]) {
      await q.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC, bu_api`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of [...VERSION_FUNCTIONS, ...TRIGGER_FUNCTIONS]) await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO PUBLIC`);
    for (const fn of ['data_version_row_changed()', 'data_version_truncated()']) {
      await q.query(`ALTER FUNCTION ${fn} SECURITY INVOKER RESET search_path`);
    }
    for (const event of ['insert', 'update', 'delete', 'truncate']) {
      await q.query(`DROP TRIGGER budget_line_${event}_moves_data_version ON budget_line`);
    }
    await q.query(`DROP FUNCTION data_version_budget_changed()`);
  }
}
