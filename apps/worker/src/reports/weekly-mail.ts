import { DelayedError } from 'bullmq';
import { formatDate, formatNumber } from '@bu/contracts';
import { DASHBOARDS } from '@bu/dashboards';
import { defaultPeriod } from '@bu/domain';
import { kpiById, loadSettings, type KpiListValue, type KpiSettings } from '@bu/kpi';
import { logger } from '@bu/logger';
import type { Job } from '@bu/queue';
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

/**
 * Users the weekly e-mail did not reach (the mail server down, their counts failing): the job
 * fails so that it is tried again (retryWeeklyMailLater); the notes keep those it reached from a
 * second e-mail. Counts only: the reasons (a server's answer may name an address) are in the
 * worker's log, not in the queue, which keeps a failure's message beyond the retention settings.
 */
export class WeeklyMailUnfinished extends Error {
  constructor(readonly summary: WeeklySummary) {
    super(`Weekly e-mail not sent to ${summary.failed} of ${summary.failed + summary.sent} user(s) this time`);
  }
}

/** One user's weekly e-mail: what came of it (the mailer logs why a send failed). */
async function weeklyMailTo(
  deps: ReportDeps,
  user: WeeklyRecipient,
  settingsOf: (m: number) => Promise<KpiSettings>,
): Promise<keyof WeeklySummary> {
  const counts = await weeklyCounts(deps, user, settingsOf);
  if (!counts) return 'skipped';
  // Noted before it goes: a retry of the job after a crash goes on with the others only.
  if (!(await deps.repository.claimWeeklyMail(user.username))) return 'alreadySent';
  const { sent, unsent } = await deps.mailer.send({
    to: [user.email],
    subject: `Ugens arbejdslister i Børneblik – ${counts.municipalityName} Kommune`,
    text: weeklyText(counts, deps.publicUrl),
  });
  if (sent) return 'sent';
  if (!unsent) {
    // The server may have taken it (the connection lost once the data was on its way): the note
    // stays, and the retry counts the user as sent. At most once: a missing e-mail over a second one.
    logger().warn(
      { user: user.username },
      `Weekly e-mail to ${user.username} may have gone before its send failed: not sent again this week`,
    );
    return 'failed';
  }
  // Released for the retry; a note that stays keeps the e-mail from going this week (at most once).
  await deps.repository
    .releaseWeeklyMail(user.username)
    .catch((e: Error) =>
      logger().error({ err: e }, `Weekly e-mail to ${user.username} not sent, nor its note released: not sent this week: ${e.message}`),
    );
  return 'failed';
}

/**
 * The weekly e-mail to every team leader and chief with an e-mail who has not turned it off. Each
 * user on their own: one whose counts or e-mail fail does not stop the others (nor every retry at
 * the same user). Any that failed fail the job at the end (WeeklyMailUnfinished), to be tried again.
 */
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
    const outcome = await weeklyMailTo(deps, user, settingsOf).catch((error: Error) => {
      logger().error({ err: error }, `Weekly e-mail to ${user.username} failed: ${error.message}`);
      return 'failed' as const;
    });
    summary[outcome]++;
  }
  logger().info(
    summary,
    `Weekly e-mail: ${summary.sent} sent, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.alreadySent} sent before`,
  );
  if (summary.failed > 0) throw new WeeklyMailUnfinished(summary);
  return summary;
}

/** The weekly e-mail's tries: the first after `firstDelayMs`, each after twice the wait of the one before. */
export interface WeeklyMailRetry {
  firstDelayMs: number;
  tries: number;
}

/**
 * A mail server down at 07:00 on a Monday gets about two hours to come back: 8 tries, 1, 2, 4 … 64
 * minutes apart. The reports queue's own attempts (REPORT_JOB_OPTIONS: three, 5 and 10 s apart)
 * are for a server away for a moment.
 */
export const WEEKLY_MAIL_RETRY: WeeklyMailRetry = { firstDelayMs: 60_000, tries: 8 };

/**
 * The weekly e-mail job once it failed for some users (WeeklyMailUnfinished): back to the queue,
 * delayed as WeeklyMailRetry says and no attempt spent (DelayedError), until its tries are used up;
 * then `error` goes on, to the queue's own attempts and the failed jobs.
 */
export async function retryWeeklyMailLater(
  job: Job<unknown, unknown>,
  error: WeeklyMailUnfinished,
  retry: WeeklyMailRetry = WEEKLY_MAIL_RETRY,
): Promise<never> {
  // Each take of the job counts as started, these delayed ones too.
  const tried = Math.max(1, job.attemptsStarted);
  if (tried >= retry.tries) throw error;
  const wait = retry.firstDelayMs * 2 ** (tried - 1);
  logger().warn({ job: job.id }, `${error.message} (try ${tried} of ${retry.tries}; the next in ${Math.round(wait / 1000)} s)`);
  await job.moveToDelayed(Date.now() + wait, job.token);
  throw new DelayedError();
}
