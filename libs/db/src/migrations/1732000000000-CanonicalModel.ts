import { MigrationInterface, QueryRunner } from 'typeorm';
import { municipalities } from '@bu/domain';

// The canonical model: one shape whatever the source (DUBU, CSC, economy, statistics).
// Every fact row carries municipality_code (a future national service shards by it) and the
// source whose snapshot it came from (a new snapshot replaces only its own source's rows).
// Person ids are keyed hashes (HMAC-SHA-256) of the CPR number; no CPR is ever stored.
export class CanonicalModel1732000000000 implements MigrationInterface {
  name = 'CanonicalModel1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE municipality (
        code smallint PRIMARY KEY,
        name text NOT NULL UNIQUE
      );

      CREATE TABLE import_run (
        id bigserial PRIMARY KEY,
        municipality_code smallint REFERENCES municipality(code),
        source text NOT NULL CHECK (source IN ('dubu','csc','economy','statistics')),
        export_date date,
        status text NOT NULL CHECK (status IN ('running','succeeded','failed')),
        requested_by text,
        job_id text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        files jsonb NOT NULL DEFAULT '[]',
        loaded jsonb NOT NULL DEFAULT '{}',
        unchanged jsonb NOT NULL DEFAULT '{}',
        removed jsonb NOT NULL DEFAULT '{}',
        rejected_count integer NOT NULL DEFAULT 0,
        warning_count integer NOT NULL DEFAULT 0,
        error text
      );
      CREATE INDEX import_run_municipality_idx ON import_run (municipality_code, source, started_at DESC);

      -- Rejected rows and warnings: file, line, rule and a Danish message for the data steward.
      -- value holds the offending value, with any CPR masked (DDMMYY-****).
      CREATE TABLE import_issue (
        id bigserial PRIMARY KEY,
        import_id bigint NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
        municipality_code smallint,
        severity text NOT NULL CHECK (severity IN ('error','warning')),
        file text NOT NULL,
        line integer,
        rule text NOT NULL,
        value text,
        message text NOT NULL
      );
      CREATE INDEX import_issue_import_idx ON import_issue (import_id, severity, rule);

      -- The snapshot in force per municipality and source: its export date is the default as-of date.
      CREATE TABLE source_snapshot (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        export_date date NOT NULL,
        import_id bigint NOT NULL REFERENCES import_run(id),
        PRIMARY KEY (municipality_code, source)
      );

      CREATE TABLE team (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        name text NOT NULL,
        PRIMARY KEY (municipality_code, source, name)
      );

      CREATE TABLE caseworker (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        worker_id text NOT NULL,
        name text NOT NULL,
        team text,
        job_title text,
        employed_from date,
        employed_to date,
        PRIMARY KEY (municipality_code, source, worker_id)
      );

      CREATE TABLE person (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        person_id text NOT NULL,
        birth_date date,
        sex char(1) CHECK (sex IN ('M','K')),
        PRIMARY KEY (municipality_code, source, person_id)
      );

      CREATE TABLE child_case (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        case_id text NOT NULL,
        person_id text NOT NULL,
        area text NOT NULL CHECK (area IN ('Udsatte','Handicap','ukendt')),
        opened date NOT NULL,
        closed date,
        PRIMARY KEY (municipality_code, source, case_id)
      );
      CREATE INDEX child_case_person_idx ON child_case (municipality_code, person_id);

      -- Responsible caseworker history. worker_id NULL: nobody from valid_from (CSC SB_SKIFT).
      -- valid_to is the last day (inclusive); on overlap the latest valid_from wins from its first day.
      CREATE TABLE assignment (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        case_id text NOT NULL,
        worker_id text NOT NULL DEFAULT '',
        valid_from date NOT NULL,
        valid_to date,
        PRIMARY KEY (municipality_code, source, case_id, valid_from, worker_id)
      );

      CREATE TABLE notification (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        notification_id text NOT NULL,
        person_id text NOT NULL,
        case_id text,
        received_at timestamptz NOT NULL,
        assessed_at timestamptz,
        channel text NOT NULL,
        acute boolean,
        PRIMARY KEY (municipality_code, source, notification_id)
      );

      CREATE TABLE investigation (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        investigation_id text NOT NULL,
        case_id text NOT NULL,
        started date NOT NULL,
        completed date,
        legal_basis text,
        PRIMARY KEY (municipality_code, source, investigation_id)
      );

      -- law: SEL (started before 2024-01-01) or BL; family from the measure type (placement,
      -- preventive, economic, unknown); measure_type 'ukendt' keeps the raw text in type_code.
      CREATE TABLE measure (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        measure_id text NOT NULL,
        case_id text NOT NULL,
        legal_basis text,
        law text CHECK (law IN ('SEL','BL')),
        paragraph text,
        measure_type text NOT NULL,
        type_code text,
        family text NOT NULL CHECK (family IN ('placement','preventive','economic','unknown')),
        family_care boolean NOT NULL DEFAULT false,
        provider text,
        decided date,
        started date NOT NULL,
        ended date,
        monthly_cost numeric(14,2),
        followup_cadence_months smallint,
        PRIMARY KEY (municipality_code, source, measure_id)
      );

      CREATE TABLE action_plan (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        plan_id text NOT NULL,
        case_id text NOT NULL,
        plan_date date NOT NULL,
        plan_type text,
        PRIMARY KEY (municipality_code, source, plan_id)
      );

      CREATE TABLE followup (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        measure_id text NOT NULL,
        followup_date date NOT NULL,
        PRIMARY KEY (municipality_code, source, measure_id, followup_date)
      );

      CREATE TABLE supervision_visit (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        measure_id text NOT NULL,
        visit_date date NOT NULL,
        talked_alone boolean,
        PRIMARY KEY (municipality_code, source, measure_id, visit_date)
      );

      CREATE TABLE child_conversation (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        case_id text NOT NULL,
        conversation_date date NOT NULL,
        occasion text NOT NULL DEFAULT '',
        PRIMARY KEY (municipality_code, source, case_id, conversation_date, occasion)
      );

      CREATE TABLE effect_measurement (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        case_id text NOT NULL,
        measured_on date NOT NULL,
        seq smallint NOT NULL DEFAULT 1,
        development smallint NOT NULL CHECK (development BETWEEN 1 AND 5),
        family_relations smallint NOT NULL CHECK (family_relations BETWEEN 1 AND 5),
        school smallint NOT NULL CHECK (school BETWEEN 1 AND 5),
        health smallint NOT NULL CHECK (health BETWEEN 1 AND 5),
        leisure smallint NOT NULL CHECK (leisure BETWEEN 1 AND 5),
        PRIMARY KEY (municipality_code, source, case_id, measured_on, seq)
      );

      CREATE TABLE complaint (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        complaint_id text NOT NULL,
        case_id text NOT NULL,
        received date,
        decided date,
        outcome text CHECK (outcome IN ('stadfæstet','ændret','ophævet','hjemvist','afvist','ukendt')),
        PRIMARY KEY (municipality_code, source, complaint_id)
      );

      CREATE TABLE budget_line (
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        year smallint NOT NULL,
        month smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
        function_code text NOT NULL,
        function_name text,
        original_budget numeric(16,2),
        corrected_budget numeric(16,2),
        spend numeric(16,2),
        PRIMARY KEY (municipality_code, year, month, function_code)
      );

      -- Public statistics. municipality_code 0 = Hele landet. value NULL = '..' (not available), never 0.
      CREATE TABLE population (
        municipality_code smallint NOT NULL,
        year smallint NOT NULL,
        age_group text NOT NULL,
        count integer,
        PRIMARY KEY (municipality_code, year, age_group)
      );

      CREATE TABLE municipal_statistic (
        municipality_code smallint NOT NULL,
        indicator text NOT NULL,
        year smallint NOT NULL,
        value numeric,
        PRIMARY KEY (municipality_code, indicator, year)
      );

      CREATE TABLE app_user (
        id serial PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('udvalg','chef','teamleder','admin')),
        municipality_code smallint REFERENCES municipality(code),
        teams text[] NOT NULL DEFAULT '{}',
        demo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      -- Who saw person-level data: every access to case rows is written here.
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        username text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        municipality_code smallint,
        case_ids text[] NOT NULL DEFAULT '{}',
        detail jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

      -- Settings: municipality_code 0 = the product-wide default.
      CREATE TABLE setting (
        municipality_code smallint NOT NULL DEFAULT 0,
        key text NOT NULL,
        value jsonb NOT NULL,
        PRIMARY KEY (municipality_code, key)
      );
    `);
    const rows = municipalities();
    await q.query(`INSERT INTO municipality (code, name) SELECT * FROM unnest($1::smallint[], $2::text[])`, [
      rows.map((m) => m.code),
      rows.map((m) => m.name),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE setting, audit_log, app_user, municipal_statistic, population, budget_line, complaint,
        effect_measurement, child_conversation, supervision_visit, followup, action_plan, measure,
        investigation, notification, assignment, child_case, person, caseworker, team,
        source_snapshot, import_issue, import_run, municipality;
    `);
  }
}
