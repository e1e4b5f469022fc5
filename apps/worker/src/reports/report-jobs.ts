import { UnrecoverableError } from 'bullmq';
import {
  ARCHIVE_ONLY,
  SCHEDULED_BY,
  SEND_INTERRUPTED,
  SENDING,
  sendResultWithoutDetails,
  type CommitteeReportJobData,
  type ReportJobHandlers,
} from '@bu/jobs';
import { formatDate } from '@bu/contracts';
import type { Query } from '@bu/kpi';
import { logger } from '@bu/logger';
import { committeeReportContent, ReportRefused } from './committee-report';
import type { Mailer } from './mailer';
import { renderCommitteeReport } from './report-pdf';
import type { ReportsRepository } from './reports.repository';
import { sendWeeklyMail, type WeeklySummary } from './weekly-mail';

export interface ReportDeps {
  query: Query;
  repository: ReportsRepository;
  mailer: Mailer;
  /** PUBLIC_URL without a trailing slash, for links; null: no link. */
  publicUrl: string | null;
}

/**
 * What one committee report job did (the job's result). BullMQ copies results into the queue's
 * event stream, beyond the retention settings (trimmed by count, and emptied by the daily purge):
 * so no e-mail address and no mail server's answer here. The archive row has them (purged after
 * retention.report_days).
 */
export interface CommitteeReportResult {
  id: string;
  municipality: number;
  asOf: string;
  /** How many it was sent to. */
  recipients: number;
  /** The archive's send result without addresses or the server's answer (jobSendResult). */
  sendResult: string;
}

/** A scheduled report whose schedule was turned off or removed after its job was queued: nothing made or sent. */
export interface SkippedReportResult {
  municipality: number;
  skipped: string;
}

/** The job's result for a send that failed: the reason (the server's answer) is in the archive only. */
export const NOT_SENT_SEE_ARCHIVE = 'ikke sendt: årsagen står i rapportarkivet';
/** Why a scheduled report was not made: its schedule is off (or gone) by the time its job runs. */
export const SCHEDULE_OFF = 'ikke lavet: rapportplanen er slået fra';

/**
 * An archived send result as a job's result may carry it: the fixed texts and "sendt til N (af M)
 * modtager(e)" as they are; what else the mailer wrote (refused addresses, the server's answer)
 * becomes "sendt til …" without it, or NOT_SENT_SEE_ARCHIVE.
 */
export function jobSendResult(result: string): string {
  return sendResultWithoutDetails(result) ?? NOT_SENT_SEE_ARCHIVE;
}

/**
 * Makes the municipality's committee report (the committee view at D as one PDF), sends it to the
 * schedule's recipients and keeps it in the archive with the send result. A failed send does not
 * fail the job: the report is archived with the reason, and the administrator can make it again.
 * The archive row is written before the mail goes, with `jobId`: a retry of the job (after a crash
 * or a lost connection) finds it and sends nothing again; a send it finds unfinished is recorded as
 * interrupted (SEND_INTERRUPTED), never repeated on the chance that it went.
 */
export async function makeCommitteeReport(deps: ReportDeps, data: CommitteeReportJobData, jobId?: string): Promise<CommitteeReportResult> {
  const earlier = jobId === undefined ? null : await deps.repository.archivedByJob(jobId);
  if (earlier) {
    if (earlier.sendResult === SENDING) {
      await deps.repository.recordSend(earlier.id, SEND_INTERRUPTED, null);
      earlier.sendResult = SEND_INTERRUPTED;
    }
    logger().warn(
      { municipality: earlier.municipality, report: earlier.id, job: jobId },
      `Committee report ${earlier.id} was made by an earlier attempt: not sent again`,
    );
    const { id, municipality, asOf, recipients, sendResult } = earlier;
    return { id, municipality, asOf, recipients: recipients.length, sendResult: jobSendResult(sendResult) };
  }
  const content = await committeeReportContent(deps.query, deps.repository, data.municipality, data.asOf);
  const pdf = await renderCommitteeReport(content);
  const schedule = await deps.repository.schedule(data.municipality);
  const recipients = data.send === false ? [] : (schedule?.recipients ?? []);
  const place = `${content.municipality.name} Kommune`;
  const date = formatDate(content.asOf);
  const link = deps.publicUrl ? `\n\nRapporterne ligger også i Børneblik under Rapporter: ${deps.publicUrl}/#/rapporter` : '';
  const id = await deps.repository.archive({
    municipality: content.municipality.code,
    asOf: content.asOf,
    madeBy: data.requestedBy ?? SCHEDULED_BY,
    pdf,
    recipients,
    sendResult: data.send === false ? ARCHIVE_ONLY : SENDING,
    sentAt: null,
    jobId,
  });
  let result = ARCHIVE_ONLY;
  if (data.send !== false) {
    const sent = await deps.mailer.send({
      to: recipients,
      subject: `Udvalgsrapport for ${place} pr. ${date}`,
      text: `Hermed udvalgets månedlige rapport for ${place}, opgjort pr. ${date}.${link}\n\nVenlig hilsen\nBørneblik`,
      attachments: [
        { filename: `udvalgsrapport-${content.municipality.code}-${content.asOf}.pdf`, content: pdf, contentType: 'application/pdf' },
      ],
    });
    result = sent.result;
    await deps.repository.recordSend(id, sent.result, sent.sent ? new Date() : null);
  }
  const sendResult = jobSendResult(result);
  logger().info(
    { municipality: content.municipality.code, asOf: content.asOf, report: id, recipients: recipients.length },
    `Committee report ${id} made (${sendResult})`,
  );
  return { id, municipality: content.municipality.code, asOf: content.asOf, recipients: recipients.length, sendResult };
}

/**
 * A committee report job: as makeCommitteeReport, but a scheduled one (requestedBy SCHEDULED_BY)
 * is made only while report_schedule says its schedule is on. The job scheduler is written beside
 * the table, not with it (a queue that failed after the commit, two saves crossing, a scheduler
 * left from before): the table, which the administrator sees, decides. A retry of a job whose
 * report is archived already goes on as makeCommitteeReport says (nothing is sent again).
 */
export async function committeeReportJob(
  deps: ReportDeps,
  data: CommitteeReportJobData,
  jobId: string,
): Promise<CommitteeReportResult | SkippedReportResult> {
  if (
    data.requestedBy === SCHEDULED_BY &&
    !(await deps.repository.schedule(data.municipality))?.enabled &&
    !(await deps.repository.archivedByJob(jobId))
  ) {
    logger().info({ municipality: data.municipality, job: jobId }, 'Scheduled committee report skipped: its schedule is turned off');
    return { municipality: data.municipality, skipped: SCHEDULE_OFF };
  }
  return makeCommitteeReport(deps, data, jobId);
}

/**
 * What a report job's archive row is known by, the same on every attempt of the job: its id and
 * when it was queued. The id alone is a counter that starts again with a new queue (a restore, whose
 * backup leaves the queue out; a move to Redis), and would find another job's report.
 */
export const reportJobKey = (job: { id?: string; timestamp: number }): string => `${job.id}@${job.timestamp}`;

/** The 'reports' queue's handlers; a report that cannot be made (no data, unknown date) is not retried. */
export function reportHandlers(deps: ReportDeps): ReportJobHandlers<CommitteeReportResult | SkippedReportResult | WeeklySummary> {
  return {
    'committee-report': async (job) => {
      try {
        return await committeeReportJob(deps, job.data, reportJobKey(job));
      } catch (error) {
        if (error instanceof ReportRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    'weekly-mail': () => sendWeeklyMail(deps),
  };
}
