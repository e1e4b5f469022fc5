-- The Citus variant (docker/compose.citus.yml, docs/SCALING.md): run once on the coordinator after
-- the migrations. Idempotent: a table already distributed or replicated is skipped.
--
-- Distributed by municipality_code, colocated (a municipality's rows of every table on one worker,
-- so each KPI statement, which names one municipality, runs on one worker as one query): the
-- case-system fact tables (partitioned per municipality; Citus distributes the partitions with
-- their parent), the read models, the economy's accounts.
-- Replicated to every worker (reference tables, joined from any shard): the municipalities, the
-- public statistics and population, the settings (product-wide rows have municipality_code 0).
-- Everything else (users, audit, imports, reviews, reports) stays on the coordinator: small, and
-- written by the API and the worker, never joined with a fact table in a KPI.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['municipality', 'municipal_statistic', 'population', 'setting'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
      PERFORM create_reference_table(t);
    END IF;
  END LOOP;
  FOREACH t IN ARRAY ARRAY[
    'child_case', 'person', 'caseworker', 'team', 'assignment', 'notification', 'investigation', 'measure',
    'action_plan', 'followup', 'child_conversation', 'supervision_visit', 'effect_measurement', 'complaint',
    'case_team_span', 'effect_child_span', 'activity_count_day', 'budget_cost_month', 'budget_children_month',
    'caseload_day', 'caseload_day_worker', 'unassigned_case_day', 'started_measure', 'effect_change_day',
    'notification_month_day', 'unassessed_notification_day', 'measure_deadline_day', 'measure_type_day', 'top_case_day', 'two_visits_day',
    'read_model_state', 'budget_line'
  ] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
      PERFORM create_distributed_table(t, 'municipality_code', colocate_with => CASE WHEN t = 'child_case' THEN 'default' ELSE 'child_case' END);
    END IF;
  END LOOP;
END $$;
