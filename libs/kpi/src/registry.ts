import { openCases } from './caseload/open-cases';
import { unassignedCases } from './caseload/unassigned';
import { caseloadVsNorm } from './caseload/vs-norm';
import { weightedCaseload } from './caseload/weighted';
import { investigation4m, investigationDuration, investigationOverdue } from './deadline/investigations';
import { complianceByTeam } from './deadline/by-team';
import {
  childConversation,
  followupDueSoon,
  followupOverdue,
  planOnTime,
  supervisionDueSoon,
  supervisionOverdue,
} from './deadline/measures';
import { notification24h, notificationDueSoon, notificationOverdue } from './deadline/notifications';
import * as activity from './chief/activity';
import {
  activeMeasureAge,
  annualisedCostPerPlacedChild,
  complaintsDecided,
  measureDuration,
  reversalRate,
  topCases,
} from './chief/duration-cost';
import { effectChange } from './chief/effect';
import { benchmarkNetSpend, benchmarkNotifications, benchmarkPlaced, benchmarkPreventive } from './benchmark/benchmark';
import { activitySummary } from './committee/activity-summary';
import { goalStatusKpi } from './committee/goals';
import { missingEndDates, openMeasuresOnClosedCases, rejectedRows, unknownCodes } from './dq/data-quality';
import { budgetFunction, budgetLightKpi, forecastActivity, forecastLinear } from './committee/budget';
import { spendCurve } from './committee/spend-curve';
import type { KpiDefinition } from './types';

const BASE: readonly KpiDefinition[] = [
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
  investigationDuration,
  complianceByTeam,
  activity.notifications,
  activity.perThousand(activity.notifications),
  activity.childrenNotified,
  activity.repeatNotificationShare,
  activity.notificationsBySource,
  activity.investigationsStarted,
  activity.investigationsCompleted,
  activity.preventiveChildren,
  activity.perThousand(activity.preventiveChildren),
  activity.placedChildren,
  activity.perThousand(activity.placedChildren),
  activity.placementsStarted,
  activity.placementsEnded,
  activity.familyCareShare,
  activity.placedChildrenByType,
  measureDuration,
  activeMeasureAge,
  annualisedCostPerPlacedChild,
  topCases,
  effectChange,
  complaintsDecided,
  reversalRate,
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
] as KpiDefinition[];

/** Every KPI the API serves, by catalogue id; goal.status evaluates the others. */
export const KPIS: readonly KpiDefinition[] = [...BASE, goalStatusKpi((id) => BY_ID.get(id)) as KpiDefinition];

const BY_ID = new Map(KPIS.map((k) => [k.id, k]));

export function kpiById(id: string): KpiDefinition | undefined {
  return BY_ID.get(id);
}
