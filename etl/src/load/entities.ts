// Canonical entities the ETL loads: their table, key and columns (municipality_code and
// source are always there and always part of the key).

export const ENTITY_NAMES = [
  'caseworkers',
  'cases',
  'assignments',
  'notifications',
  'investigations',
  'measures',
  'plans',
  'followups',
  'visits',
  'conversations',
  'effects',
  'complaints',
  'budget_lines',
  'statistics',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export interface EntityDef {
  table: string;
  /** Columns that scope a snapshot; default municipality_code and source (case systems). */
  scope?: string[];
  /** Key columns besides municipality_code and source. */
  key: string[];
  /** Value columns. */
  values: string[];
  /** Staging-only columns (name and type) used by set-based rules and derived tables. */
  extra?: [string, string][];
}

export type LoadableEntity = EntityName | 'persons' | 'teams' | 'population';

export const ENTITIES: Partial<Record<LoadableEntity, EntityDef>> = {
  caseworkers: { table: 'caseworker', key: ['worker_id'], values: ['name', 'team', 'job_title', 'employed_from', 'employed_to'] },
  cases: {
    table: 'child_case',
    key: ['case_id'],
    values: ['person_id', 'area', 'opened', 'closed'],
  },
  assignments: { table: 'assignment', key: ['case_id', 'valid_from', 'worker_id'], values: ['valid_to'] },
  notifications: {
    table: 'notification',
    key: ['notification_id'],
    values: ['person_id', 'case_id', 'received_at', 'assessed_at', 'channel', 'acute'],
  },
  investigations: { table: 'investigation', key: ['investigation_id'], values: ['case_id', 'started', 'completed', 'legal_basis'] },
  measures: {
    table: 'measure',
    key: ['measure_id'],
    values: [
      'case_id',
      'legal_basis',
      'law',
      'paragraph',
      'measure_type',
      'type_code',
      'family',
      'family_care',
      'provider',
      'decided',
      'started',
      'ended',
      'monthly_cost',
      'followup_cadence_months',
    ],
  },
  plans: { table: 'action_plan', key: ['plan_id'], values: ['case_id', 'plan_date', 'plan_type'] },
  followups: { table: 'followup', key: ['measure_id', 'followup_date'], values: [] },
  visits: { table: 'supervision_visit', key: ['measure_id', 'visit_date'], values: ['talked_alone'] },
  conversations: { table: 'child_conversation', key: ['case_id', 'conversation_date', 'occasion'], values: [] },
  effects: {
    table: 'effect_measurement',
    key: ['case_id', 'measured_on', 'seq'],
    values: ['development', 'family_relations', 'school', 'health', 'leisure'],
  },
  complaints: { table: 'complaint', key: ['complaint_id'], values: ['case_id', 'received', 'decided', 'outcome'] },
  budget_lines: {
    table: 'budget_line',
    scope: ['municipality_code'],
    key: ['year', 'month', 'function_code'],
    values: ['function_name', 'original_budget', 'corrected_budget', 'spend'],
  },
  population: { table: 'population', scope: ['municipality_code'], key: ['year', 'age_group'], values: ['count'] },
  statistics: { table: 'municipal_statistic', scope: ['municipality_code'], key: ['indicator', 'year'], values: ['value'] },
  persons: { table: 'person', key: ['person_id'], values: ['birth_date', 'sex'] },
  teams: { table: 'team', key: ['name'], values: [] },
};

export function entityDef(name: LoadableEntity): EntityDef {
  const def = ENTITIES[name];
  if (!def) throw new Error(`Entity ${name} is not loadable yet`);
  return def;
}

/** Columns written by COPY into the staging table, in order. */
export function stagingColumns(def: EntityDef): string[] {
  return [...scopeColumns(def), ...def.key, ...def.values, ...(def.extra ?? []).map(([c]) => c), '_file', '_line'];
}

export function scopeColumns(def: EntityDef): string[] {
  return def.scope ?? ['municipality_code', 'source'];
}
