import { BadRequestException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { JobQueued, MakeReportBody, Report, ReportScheduleBody, ReportScheduleView } from '@bu/contracts';
import { COMMITTEE_REPORT_JOB, ReportQueue, sendResultWithoutDetails } from '@bu/jobs';
import { logger } from '@bu/logger';
import type { AuthUser } from '../auth/auth.types';
import { TimedOut, withTimeout } from '../health/with-timeout';
import { ScopeService } from '../municipalities/scope.service';
import { REPORT_QUEUE_TOKEN } from './report-queue.module';
import { ReportsRepository } from './reports.repository';

/** A municipality's schedule before its administrator sets one: off, the 5th at 06:00, no recipients. */
export const DEFAULT_SCHEDULE = { enabled: false, dayOfMonth: 5, hour: 6, recipients: [] as string[] };

/**
 * The longest a save waits for the job scheduler inside its transaction. The queue's Redis
 * connections wait out an outage (maxRetriesPerRequest null): unbounded, each save would hold a
 * pooled connection idle in transaction, and the schedule's row lock, for the whole outage.
 */
export const SCHEDULE_REGISTRATION_MS = 5000;
/** Without the id: it is whatever the path held (a CPR number typed in the address bar too). */
export const REPORT_NOT_FOUND = 'Rapporten findes ikke';
export const QUEUE_UNAVAILABLE = 'Rapportplanen blev ikke gemt: jobkøen svarer ikke lige nu. Prøv igen om lidt.';

/**
 * The committee's report archive (read by the committee, the chief and the administrator of the
 * municipality), and its schedule and recipients (set by the administrator), within the user's
 * municipality: another municipality's report does not exist for the user (404).
 */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(ReportsRepository) private readonly repository: ReportsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(REPORT_QUEUE_TOKEN) private readonly queue: ReportQueue,
  ) {}

  async list(user: AuthUser, municipality?: number): Promise<Report[]> {
    const m = await this.scope.resolve(user, municipality);
    const reports = await this.repository.list(m.code);
    // The committee is shown no usernames or e-mail addresses: the schedule's reports say so, the rest are the administration's.
    return user.role === 'udvalg'
      ? reports.map((r) => ({
          ...r,
          madeBy: r.madeBy === 'planlagt' ? r.madeBy : null,
          recipients: [],
          sendResult: committeeSendResult(r.sendResult),
        }))
      : reports;
  }

  async pdf(user: AuthUser, id: string): Promise<{ filename: string; pdf: Buffer }> {
    const found = /^\d{1,18}$/.test(id) ? await this.repository.pdf(id) : null;
    if (!found || (user.municipality !== null && found.municipality !== user.municipality)) throw new NotFoundException(REPORT_NOT_FOUND);
    return { filename: `udvalgsrapport-${found.municipality}-${found.asOf}.pdf`, pdf: found.pdf };
  }

  async schedule(user: AuthUser, municipality?: number): Promise<ReportScheduleView> {
    const m = await this.scope.resolve(user, municipality);
    return (await this.repository.schedule(m.code)) ?? { municipality: m.code, ...DEFAULT_SCHEDULE, updatedBy: null, updatedAt: null };
  }

  /**
   * Saves the schedule and registers it with the job scheduler at once (no worker restart needed),
   * inside the save's transaction: a queue that fails undoes the save, and two saves of the same
   * municipality reach the table and the scheduler in the same order. (A scheduled job still
   * checks the table before it makes a report: a commit that fails after the queue took the
   * schedule, or a scheduler from before.) A queue that does not answer within
   * SCHEDULE_REGISTRATION_MS undoes the save too (503).
   */
  async saveSchedule(user: AuthUser, body: ReportScheduleBody): Promise<ReportScheduleView> {
    const m = await this.scope.resolve(user, body.municipality);
    const recipients = [...new Set(body.recipients.map((r) => r.trim().toLowerCase()))];
    if (body.enabled && recipients.length === 0) throw new BadRequestException('Angiv mindst én modtager, når rapporten skal sendes');
    const schedule = { municipality: m.code, enabled: body.enabled, dayOfMonth: body.dayOfMonth, hour: body.hour };
    await this.repository.saveSchedule({ ...schedule, recipients, updatedBy: user.username }, async () => {
      const registration = this.queue.schedule(schedule);
      try {
        await withTimeout(registration, SCHEDULE_REGISTRATION_MS);
      } catch (e) {
        if (!(e instanceof TimedOut)) throw e;
        // The queue's client keeps the commands and sends them once it answers again: this undone
        // schedule would then be registered, a turned-off one removed while the table has it on.
        // So the table's schedule is registered over it (whether that registration went or failed).
        void registration.catch(() => undefined).then(() => this.registerFromTable(m.code));
        throw new ServiceUnavailableException(QUEUE_UNAVAILABLE);
      }
    });
    return this.schedule(user, m.code);
  }

  /** Registers the municipality's schedule as the table has it (none: no scheduler). */
  private async registerFromTable(municipality: number): Promise<void> {
    try {
      // In turn with the saves: a retried save committing meanwhile is not overwritten by an older row.
      await this.repository.withSchedule(municipality, (saved) =>
        withTimeout(this.queue.schedule(saved ?? { municipality, ...DEFAULT_SCHEDULE }), SCHEDULE_REGISTRATION_MS),
      );
    } catch (e) {
      // The worker's next start registers the table's schedules; a scheduled job checks it is on.
      logger().warn({ err: e, municipality }, `Could not register the saved report schedule again: ${(e as Error).message}`);
    }
  }

  /** Queues the committee's report now (archived, and sent to the recipients unless send is false). */
  async make(user: AuthUser, body: MakeReportBody): Promise<JobQueued> {
    const m = await this.scope.resolve(user, body.municipality);
    if (!m.exportDate) throw new BadRequestException('Kommunen har ingen data endnu; der er intet at lave en rapport af');
    const job = await this.queue.enqueue(COMMITTEE_REPORT_JOB, {
      municipality: m.code,
      asOf: body.asOf,
      requestedBy: user.username,
      send: body.send ?? true,
    });
    return { jobId: String(job.id) };
  }
}

/** What the committee reads for any send result that is neither a fixed text nor "sendt til …". */
export const COMMITTEE_NOT_SENT = 'ikke sendt';

/**
 * The send result as the committee reads it: what was sent, without the server's answer. An
 * allowlist (as the worker's jobSendResult): a mail server's refusal or error text may name
 * addresses, hosts or anything else, so only the fixed texts and "sendt til N (af M) modtager(e)"
 * pass; everything else is plain "ikke sendt".
 */
export function committeeSendResult(result: string): string {
  return sendResultWithoutDetails(result) ?? COMMITTEE_NOT_SENT;
}
