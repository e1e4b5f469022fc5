import { MAX_SHRINK_SHARE_DEFAULT, RETENTION_DEFAULTS, retentionError, type RetentionKey } from '@bu/domain';
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
  /** The dashboard warns when the newest case-system export is older than this many days. */
  'data.max_age_days': number;
  /**
   * The largest share of what the municipality has from one source (its open cases and their
   * activity; economy: its budget lines) that one import may remove; more fails the import unless forced.
   */
  'import.max_shrink_share': number;
  /** Retention (days), applied by the worker's daily purge; see @bu/domain retention.ts. */
  'retention.import_issue_values_days': number;
  'retention.job_results_days': number;
  'retention.audit_days': number;
  'retention.upload_days': number;
  'retention.review_days': number;
  'retention.report_days': number;
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
  'data.max_age_days': 7,
  'import.max_shrink_share': MAX_SHRINK_SHARE_DEFAULT,
  ...RETENTION_DEFAULTS,
};

/** A stored setting: municipality 0 is product-wide. */
export interface SettingRow {
  municipality_code: number;
  key: string;
  value: unknown;
}

/**
 * The one precedence rule: the municipality's own value, else the product-wide one (municipality
 * 0), else the documented default. `rows` may hold other municipalities' and keys' rows too.
 */
export function settingValue<K extends keyof KpiSettings>(rows: readonly SettingRow[], municipality: number, key: K): KpiSettings[K] {
  const at = (m: number) => rows.find((r) => r.municipality_code === m && r.key === key);
  const found = (municipality !== 0 ? at(municipality) : undefined) ?? at(0);
  return found ? (found.value as KpiSettings[K]) : DEFAULT_SETTINGS[key];
}

/** Every setting for a municipality, by the precedence of settingValue. */
export async function loadSettings(query: Query, municipality: number): Promise<KpiSettings> {
  const rows = await query<SettingRow>(`SELECT municipality_code, key, value FROM setting WHERE municipality_code IN (0, $1)`, [
    municipality,
  ]);
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, settingValue(rows, municipality, key)])) as unknown as KpiSettings;
}

export type SettingKey = keyof KpiSettings;
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

/** What each setting does, in Danish for the administrator. */
export const SETTING_DESCRIPTIONS: Record<SettingKey, string> = {
  'caseload.weights': 'Vægte i den vægtede sagsbelastning: anbringelse, åben undersøgelse, forebyggende indsats, ingen af disse',
  'caseload.norms': 'Norm for antal sager pr. rådgiver pr. sagsområde (fx Udsatte 40, Handicap 55)',
  'caseload.light': 'Lys for sagsbelastning mod norm: grøn til og med, gul til og med (brøkdel af normen)',
  intake_team: 'Modtagelsesteamet: ejer underretninger uden sag og sager, der aldrig har haft en rådgiver',
  'followup.default_cadence_months': 'Måneder mellem opfølgninger, når udtrækket ikke angiver en kadence',
  'budget.forecast': 'Hvilken prognose budgetlyset bruger: linear (lineær) eller activity (aktivitetsbaseret)',
  'budget.light': 'Budgetlys: gul når prognosen højst er budgettet gange denne faktor',
  'budget.function_map': 'Indsatstype → kontoplanfunktion (fx "Plejefamilie": "5.28.20") ud over standardkoblingen',
  'data.max_age_days': 'Dashboardet advarer, når det seneste udtræk fra sagssystemet er ældre end dette antal dage',
  'import.max_shrink_share':
    'Største andel af kommunens åbne sager og deres aktiviteter (økonomi: budgetlinjer) fra én kilde, som én import må fjerne; en import, der ville fjerne mere, afvises (0.1 = 10 %, 1 = ingen grænse)',
  'retention.import_issue_values_days':
    'Dage de afviste værdier i importloggen gemmes; derefter slettes værdierne (antal og regler bevares)',
  'retention.job_results_days': 'Dage færdige importjob og deres resultater gemmes',
  'retention.audit_days': 'Dage revisionsloggen gemmes (mindst 365; standard 5 år)',
  'retention.upload_days':
    'Dage rå udtræk må ligge på serveren: uploadede i uploadmappen og fejlede leverancer i drop-mappernes failed/ (kun for hele produktet; 0 = slettes ved næste oprydning)',
  'retention.review_days':
    'Dage en sagsgennemgangs sager (svar, noter, resuméer) og dialogmøder gemmes, regnet fra gennemgangens dato (standard 5 år)',
  'retention.report_days':
    'Dage udvalgets månedsrapporter gemmes i arkivet (PDF, modtagere og afsendelse), regnet fra da hver blev lavet (standard 5 år)',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why a value cannot be stored under the key (Danish), or null when it can. */
export function settingError(key: string, value: unknown): string | null {
  if (!(SETTING_KEYS as string[]).includes(key)) return `Ukendt indstilling: ${key}. Kendte: ${SETTING_KEYS.join(', ')}`;
  switch (key as SettingKey) {
    case 'caseload.weights': {
      const names = ['placement', 'investigation', 'preventive', 'none'];
      if (
        !isObject(value) ||
        Object.keys(value).sort().join() !== [...names].sort().join() ||
        names.some((n) => !isNumber(value[n]) || value[n] < 0)
      ) {
        return 'caseload.weights skal have tallene placement, investigation, preventive og none (0 eller mere)';
      }
      return null;
    }
    case 'caseload.norms':
      if (!isObject(value) || Object.keys(value).length === 0 || Object.values(value).some((n) => !isNumber(n) || n <= 0)) {
        return 'caseload.norms skal give hvert sagsområde et antal sager over 0, fx {"Udsatte": 40, "Handicap": 55}';
      }
      return null;
    case 'caseload.light':
      if (!isObject(value) || !isNumber(value.green) || !isNumber(value.yellow) || value.green <= 0 || value.yellow < value.green) {
        return 'caseload.light skal have green over 0 og yellow mindst lig green, fx {"green": 1, "yellow": 1.15}';
      }
      return null;
    case 'intake_team':
      return typeof value === 'string' && value.trim() !== '' && value.length <= 100
        ? null
        : 'intake_team skal være et teamnavn (højst 100 tegn)';
    case 'followup.default_cadence_months':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 24
        ? null
        : 'followup.default_cadence_months skal være et helt antal måneder fra 1 til 24';
    case 'budget.forecast':
      return value === 'linear' || value === 'activity' ? null : 'budget.forecast skal være "linear" eller "activity"';
    case 'budget.light':
      return isObject(value) && isNumber(value.yellow) && value.yellow >= 1 && Object.keys(value).length === 1
        ? null
        : 'budget.light skal være {"yellow": faktor}, mindst 1';
    case 'data.max_age_days':
      return Number.isInteger(value) && (value as number) >= 1 ? null : 'data.max_age_days skal være et helt antal dage, mindst 1';
    case 'import.max_shrink_share':
      return isNumber(value) && value >= 0 && value <= 1 ? null : 'import.max_shrink_share skal være en andel fra 0 til 1, fx 0.1 for 10 %';
    case 'retention.import_issue_values_days':
    case 'retention.job_results_days':
    case 'retention.audit_days':
    case 'retention.upload_days':
    case 'retention.review_days':
    case 'retention.report_days':
      return retentionError(key as RetentionKey, value);
    case 'budget.function_map':
      return isObject(value) && Object.values(value).every((f) => typeof f === 'string' && /^5\.\d{2}\.\d{2}$/.test(f))
        ? null
        : 'budget.function_map skal koble indsatstyper til funktioner som "5.28.20"';
  }
}
