// The job contract of the 'reports' queue, beside the 'etl' queue's (contract.ts): the committee's
// monthly report and the weekly e-mail. Their handlers live in apps/worker (they compute KPIs, which
// the ETL may not import); the API queues "make one now" and keeps the per-municipality schedules.
import type { JobsOptions } from 'bullmq';
import { createQueue, REPORTS_QUEUE, type Job, type Queue, type QueueConfig } from '@bu/queue';
import type { NoData } from './contract';
import { ensureJobScheduler } from './schedulers';

/** One committee report: the municipality, and D (default: the committee's D at the newest export). */
export interface CommitteeReportJobData {
  municipality: number;
  /** YYYY-MM-DD; moved to the committee's month end like the committee's own answers. */
  asOf?: string;
  /** SCHEDULED_BY (the schedule) or the administrator who asked. */
  requestedBy?: string;
  /** Send to the schedule's recipients (default true); false: archive only. */
  send?: boolean;
}

/** requestedBy of a report the schedule made: its job checks that the schedule is still on. */
export const SCHEDULED_BY = 'planlagt';

/** Every job on the 'reports' queue: its name and its payload. */
export interface ReportJobPayloads {
  'committee-report': CommitteeReportJobData;
  /** The weekly e-mail of work-list counts to team leaders and chiefs. */
  'weekly-mail': NoData;
}

export type ReportJobName = keyof ReportJobPayloads;

/** The job names, for the reports worker's check that each has a handler. */
export const REPORT_JOB_NAMES = ['committee-report', 'weekly-mail'] as const satisfies readonly ReportJobName[];

// A name in ReportJobPayloads missing from REPORT_JOB_NAMES fails typecheck here.
type Missing = Exclude<ReportJobName, (typeof REPORT_JOB_NAMES)[number]>;
const allNamed: Missing extends never ? true : Missing = true;
void allNamed;

export const COMMITTEE_REPORT_JOB = 'committee-report' satisfies ReportJobName;
export const WEEKLY_MAIL_JOB = 'weekly-mail' satisfies ReportJobName;

export type ReportJobData = ReportJobPayloads[ReportJobName];

/** Retries: a mail server that is down for a minute should not cost the committee its report. */
export const REPORT_JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 500, removeOnFail: 1000 };

/** A municipality's schedule as the administrator sets it (report_schedule). */
export interface ReportSchedule {
  municipality: number;
  enabled: boolean;
  /** 1-28. */
  dayOfMonth: number;
  /** 0-23, Danish time. */
  hour: number;
}

/** The job scheduler's key of a municipality's monthly report. */
export const committeeSchedulerKey = (municipality: number): string => `${COMMITTEE_REPORT_JOB}:${municipality}`;
export const WEEKLY_MAIL_SCHEDULER = WEEKLY_MAIL_JOB;
/** Mondays at 07:00 Danish time. */
export const WEEKLY_MAIL_PATTERN = '0 7 * * 1';
export const REPORT_TZ = 'Europe/Copenhagen';

/**
 * The typed producer of the 'reports' queue, and the schedules on it (BullMQ's job scheduler): one
 * scheduler per municipality with a report schedule, one for the weekly e-mail.
 */
export class ReportQueue {
  constructor(readonly queue: Queue<ReportJobData>) {}

  enqueue<N extends ReportJobName>(name: N, data: ReportJobPayloads[N], options?: JobsOptions): Promise<Job<ReportJobData>> {
    return this.queue.add(name, data, options);
  }

  /**
   * The municipality's monthly report on its day and hour, or no scheduler when it is turned off.
   * An unchanged schedule is left alone (ensureJobScheduler): its report may be due and waiting.
   */
  async schedule(s: ReportSchedule): Promise<void> {
    const key = committeeSchedulerKey(s.municipality);
    if (!s.enabled) {
      await this.queue.removeJobScheduler(key);
      return;
    }
    await ensureJobScheduler(
      this.queue,
      key,
      { pattern: `0 ${s.hour} ${s.dayOfMonth} * *`, tz: REPORT_TZ },
      { name: COMMITTEE_REPORT_JOB, data: { municipality: s.municipality, requestedBy: SCHEDULED_BY } },
    );
  }

  /** Makes the schedulers exactly the given schedules' (a scheduler of a municipality not listed goes). */
  async syncSchedules(schedules: ReportSchedule[]): Promise<void> {
    const wanted = new Set(schedules.filter((s) => s.enabled).map((s) => committeeSchedulerKey(s.municipality)));
    for (const existing of await this.queue.getJobSchedulers()) {
      if (existing.key.startsWith(`${COMMITTEE_REPORT_JOB}:`) && !wanted.has(existing.key))
        await this.queue.removeJobScheduler(existing.key);
    }
    for (const s of schedules) await this.schedule(s);
  }

  /** The weekly e-mail, Mondays 07:00 Danish time (left alone when registered already). */
  async scheduleWeeklyMail(): Promise<void> {
    await ensureJobScheduler(
      this.queue,
      WEEKLY_MAIL_SCHEDULER,
      { pattern: WEEKLY_MAIL_PATTERN, tz: REPORT_TZ },
      { name: WEEKLY_MAIL_JOB, data: {} },
    );
  }

  getJob(id: string): Promise<Job<ReportJobData> | undefined> {
    return this.queue.getJob(id);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function reportQueue(config: QueueConfig, name: string = REPORTS_QUEUE): ReportQueue {
  return new ReportQueue(createQueue<ReportJobData>(config, name, { defaultJobOptions: REPORT_JOB_OPTIONS }));
}
