// The registry: every KPI the API serves, one declaration each in the folder of its catalogue
// prefix (KPIS.md). To add a KPI: declare it in its prefix's folder (id and title literal), list it
// here, write its <name>.spec.ts, and run `npm run generate:kpi-catalogue`.
import { activitySummary } from './activity/summary';
import { investigationsCompleted, investigationsStarted } from './activity/investigations';
import {
  childrenNotified,
  notifications,
  notificationsBySource,
  notificationsPer1000,
  repeatNotificationShare,
} from './activity/notifications';
import {
  familyCareShare,
  placedChildren,
  placedChildrenByType,
  placedChildrenPer1000,
  placementsEnded,
  placementsStarted,
  preventiveChildren,
  preventiveChildrenPer1000,
} from './activity/placements';
import { childrenWithOpenCase, childrenWithOpenCasePer1000 } from './activity/open-cases';
import { benchmarkNetSpend, benchmarkNotifications, benchmarkPlaced, benchmarkPreventive } from './benchmark/benchmark';
import { budgetFunction, budgetLightKpi, forecastActivity, forecastLinear } from './budget/budget';
import { spendCurve } from './budget/spend-curve';
import { openCases } from './caseload/open-cases';
import { unassignedCases } from './caseload/unassigned';
import { caseloadVsNorm } from './caseload/vs-norm';
import { weightedCaseload } from './caseload/weighted';
import { complaintsDecided, reversalRate } from './complaints/complaints';
import { annualisedCostPerPlacedChild, topCases } from './cost/cost';
import { preventiveShare } from './cost/preventive-share';
import { casesClosed, casesOpened } from './flow/cases';
import { caseworkerChanges } from './continuity/caseworker-changes';
import { handlingDays } from './complaints/handling-days';
import { daysToStart } from './decision/days-to-start';
import { complianceByTeam } from './deadline/by-team';
import { investigation4m, investigationOverdue } from './deadline/investigations';
import {
  childConversation,
  followupDueSoon,
  followupOverdue,
  planOnTime,
  supervisionDueSoon,
  supervisionOverdue,
} from './deadline/measures';
import { notification24h, notificationDueSoon, notificationOverdue } from './deadline/notifications';
import { missingEndDates, openMeasuresOnClosedCases, rejectedRows, unknownCodes } from './dq/data-quality';
import { activeMeasureAge, measureDuration } from './duration/measure-days';
import { ageAtInvestigationStart } from './early/age-at-investigation';
import { effectChange } from './effect/change';
import { goalStatusKpi } from './goal/status';
import { investigationDuration } from './investigation/duration-days';
import { replacement12m } from './placement/replacement';
import { talkedAloneShare, twoVisitsShare } from './supervision/visits';
import type { KpiDefinition } from './types';

// In the order the API lists them. `as const` keeps each declaration's literal id for KpiId.
const BASE = [
  openCases,
  weightedCaseload,
  caseloadVsNorm,
  unassignedCases,
  notification24h,
  notificationOverdue,
  notificationDueSoon,
  investigation4m,
  investigationOverdue,
  followupOverdue,
  followupDueSoon,
  supervisionOverdue,
  supervisionDueSoon,
  planOnTime,
  childConversation,
  twoVisitsShare,
  talkedAloneShare,
  investigationDuration,
  complianceByTeam,
  notifications,
  notificationsPer1000,
  childrenNotified,
  repeatNotificationShare,
  notificationsBySource,
  investigationsStarted,
  investigationsCompleted,
  preventiveChildren,
  preventiveChildrenPer1000,
  placedChildren,
  placedChildrenPer1000,
  placementsStarted,
  placementsEnded,
  familyCareShare,
  placedChildrenByType,
  measureDuration,
  activeMeasureAge,
  annualisedCostPerPlacedChild,
  topCases,
  effectChange,
  complaintsDecided,
  reversalRate,
  // Second edition (KPIS.md).
  childrenWithOpenCase,
  childrenWithOpenCasePer1000,
  casesOpened,
  casesClosed,
  preventiveShare,
  caseworkerChanges,
  daysToStart,
  handlingDays,
  replacement12m,
  ageAtInvestigationStart,
  budgetFunction,
  forecastLinear,
  forecastActivity,
  budgetLightKpi,
  spendCurve,
  activitySummary,
  rejectedRows,
  openMeasuresOnClosedCases,
  missingEndDates,
  unknownCodes,
  benchmarkNotifications,
  benchmarkPlaced,
  benchmarkPreventive,
  benchmarkNetSpend,
] as const;

/** goal.status evaluates the others, so it looks them up in the registry. */
const goalStatus = goalStatusKpi((id) => BY_ID.get(id));

/** Every KPI id of the catalogue that the API serves: an unknown id does not typecheck. */
export type KpiId = (typeof BASE)[number]['id'] | typeof goalStatus.id;

/** Every KPI the API serves, by catalogue id; goal.status evaluates the others. */
export const KPIS: readonly KpiDefinition[] = [...BASE, goalStatus] as readonly KpiDefinition[];

const BY_ID = new Map(KPIS.map((k) => [k.id, k]));

export function kpiById(id: string): KpiDefinition | undefined {
  return BY_ID.get(id);
}
