import { formatDate, formatNumber } from '@bu/contracts';
import { DASHBOARDS } from '@bu/dashboards';
import { defaultPeriod } from '@bu/domain';
import { kpiById, loadSettings, type KpiListValue, type KpiSettings } from '@bu/kpi';
import { logger } from '@bu/logger';
import type { ReportDeps } from './report-jobs';
import type { WeeklyRecipient } from './reports.repository';

/**
 * The work lists the weekly e-mail counts: the team leader view's overdue lists and the cases to
 * hand over. Their titles are the view's (dashboards/src/teamleder.ts), so the e-mail and the view
 * name a list alike.
 */
export const WEEKLY_LISTS = [
  'deadline.notification_overdue',
  'deadline.investigation_overdue',
  'deadline.followup_overdue',
  'deadline.supervision_overdue',
  'caseload.unassigned',
] as const;

const TEAM_LEADER_VIEW = DASHBOARDS.find((d) => d.id === 'teamleder')!;
export const weeklyListTitle = (kpi: string): string => TEAM_LEADER_VIEW.figures.find((f) => f.kpi === kpi)?.title ?? kpiById(kpi)!.title;

export interface WeeklyCounts {
  asOf: string;
  municipalityName: string;
  counts: { kpi: string; title: string; count: number }[];
}

export interface WeeklySummary {
  sent: number;
  failed: number;
  /** Users skipped: their municipality has no data, or a team leader without teams. */
  skipped: number;
  /** Users this week's e-mail had gone to already (an earlier attempt of the job): not sent again. */
  alreadySent: number;
}

/** A single sign-on user gets the weekly e-mail while their last login is at most this many days old (five weeks). */
export const WEEKLY_MAIL_SSO_LOGIN_DAYS = 35;

/**
 * The counts of one user's work lists at the municipality's newest export date (the view's own
 * default D and P), a team leader's for their own teams only: the lengths of the lists the API
 * gives that user. Null when there is nothing to count.
 */
export async function weeklyCounts(
  deps: ReportDeps,
  user: WeeklyRecipient,
  settingsOf: (m: number) => Promise<KpiSettings>,
): Promise<WeeklyCounts | null> {
  const municipality = await deps.repository.municipality(user.municipality);
  if (!municipality?.exportDate || municipality.keys > 1) return null;
  const teams = user.role === 'teamleder' ? user.teams : undefined;
  if (teams && teams.length === 0) return null;
  const asOf = municipality.exportDate;
  const settings = await settingsOf(municipality.code);
  const counts: WeeklyCounts['counts'] = [];
  for (const id of WEEKLY_LISTS) {
    const value = (await kpiById(id)!.compute({
      query: deps.query,
      municipality: municipality.code,
      asOf,
      period: defaultPeriod(asOf),
      teams,
      settings,
    })) as KpiListValue<unknown>;
    counts.push({ kpi: id, title: weeklyListTitle(id), count: value.count });
  }
  return { asOf, municipalityName: municipality.name, counts };
}

/** The e-mail's text: counts and a link only — never a case number, a name or a CPR number. */
export function weeklyText(counts: WeeklyCounts, publicUrl: string | null): string {
  const lines = counts.counts.map((c) => `- ${c.title}: ${formatNumber(c.count)}`);
  const link = publicUrl ? `Se listerne i Børneblik: ${publicUrl}/#/teamleder` : 'Se listerne i Børneblik under Teamleder.';
  return [
    `Ugens arbejdslister for ${counts.municipalityName} Kommune, opgjort pr. ${formatDate(counts.asOf)} (seneste dataudtræk):`,
    '',
    ...lines,
    '',
    link,
    '',
    'Du får denne e-mail hver mandag. Du kan slå den fra under "Mine indstillinger" i Børneblik.',
  ].join('\n');
}

/** The weekly e-mail to every team leader and chief with an e-mail who has not turned it off. */
export async function sendWeeklyMail(deps: ReportDeps): Promise<WeeklySummary> {
  const summary: WeeklySummary = { sent: 0, failed: 0, skipped: 0, alreadySent: 0 };
  if (!deps.mailer.configured) {
    logger().info('Weekly e-mail not sent: SMTP is not configured.');
    return summary;
  }
  const settings = new Map<number, Promise<KpiSettings>>();
  const settingsOf = (m: number) => settings.get(m) ?? (settings.set(m, loadSettings(deps.query, m)), settings.get(m)!);
  await deps.repository.forgetOldWeeklyMail();
  for (const user of await deps.repository.weeklyRecipients(WEEKLY_MAIL_SSO_LOGIN_DAYS)) {
    const counts = await weeklyCounts(deps, user, settingsOf);
    if (!counts) {
      summary.skipped++;
      continue;
    }
    // Noted before it goes: a retry of the job after a crash goes on with the others only.
    if (!(await deps.repository.claimWeeklyMail(user.username))) {
      summary.alreadySent++;
      continue;
    }
    const { sent } = await deps.mailer.send({
      to: [user.email],
      subject: `Ugens arbejdslister i Børneblik – ${counts.municipalityName} Kommune`,
      text: weeklyText(counts, deps.publicUrl),
    });
    if (sent) summary.sent++;
    else {
      summary.failed++;
      await deps.repository.releaseWeeklyMail(user.username);
    }
  }
  logger().info(
    summary,
    `Weekly e-mail: ${summary.sent} sent, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.alreadySent} sent before`,
  );
  return summary;
}
