import type { Query } from './types';

/** Settings the KPIs read, with the documented defaults (KPIS.md); a municipality may override them. */
export interface KpiSettings {
  'caseload.weights': { placement: number; investigation: number; preventive: number; none: number };
  'caseload.norms': Record<string, number>;
  'caseload.light': { green: number; yellow: number };
  /** The team that owns notifications about children without a case, and cases never assigned. */
  intake_team: string;
  /** Follow-up cadence when the export gives none (Serviceloven § 70; Barnets Lov § 95 default). */
  'followup.default_cadence_months': number;
  /** Which forecast the budget light uses. */
  'budget.forecast': 'linear' | 'activity';
  /** Budget light: green when F ≤ B, yellow when F ≤ B × yellow, red above. */
  'budget.light': { yellow: number };
  /** Measure type → account function, over the defaults in the measure code list. */
  'budget.function_map': Record<string, string>;
}

export const DEFAULT_SETTINGS: KpiSettings = {
  'caseload.weights': { placement: 1.5, investigation: 1.2, preventive: 1.0, none: 0.5 },
  'caseload.norms': { Udsatte: 40, Handicap: 55 },
  'caseload.light': { green: 1.0, yellow: 1.15 },
  intake_team: 'Modtagelsen',
  'followup.default_cadence_months': 6,
  'budget.forecast': 'linear',
  'budget.light': { yellow: 1.02 },
  'budget.function_map': {},
};

/** Defaults, overridden by product-wide settings (municipality 0), overridden by the municipality's own. */
export async function loadSettings(query: Query, municipality: number): Promise<KpiSettings> {
  const rows = await query<{ key: string; value: unknown }>(
    `SELECT key, value FROM setting WHERE municipality_code IN (0, $1) ORDER BY municipality_code`,
    [municipality],
  );
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const r of rows) if (r.key in settings) settings[r.key] = r.value;
  return settings as unknown as KpiSettings;
}
