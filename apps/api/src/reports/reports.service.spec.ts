import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReportQueue } from '@bu/jobs';
import type { ScopeService } from '../municipalities/scope.service';
import { fake, municipality, user, type Fake } from '../testing/fake';
import type { ReportsRepository } from './reports.repository';
import {
  COMMITTEE_NOT_SENT,
  committeeSendResult,
  DEFAULT_SCHEDULE,
  QUEUE_UNAVAILABLE,
  ReportsService,
  SCHEDULE_REGISTRATION_MS,
} from './reports.service';

describe(ReportsService.name, () => {
  let sut: ReportsService;
  let repository: Fake<ReportsRepository>;
  let scope: Fake<ScopeService>;
  let queue: Fake<ReportQueue>;
  const admin = user({ role: 'admin', username: 'admin-101' });

  beforeEach(() => {
    repository = fake<ReportsRepository>();
    scope = fake<ScopeService>();
    queue = fake<ReportQueue>();
    scope.resolve.mockResolvedValue(municipality());
    sut = new ReportsService(repository as never, scope as never, queue as never);
  });

  describe('pdf', () => {
    it('gives the report of the user’s municipality, named by municipality and D', async () => {
      repository.pdf.mockResolvedValue({ municipality: 101, asOf: '2026-02-28', pdf: Buffer.from('%PDF-') });
      await expect(sut.pdf(user({ role: 'udvalg' }), '7')).resolves.toEqual({
        filename: 'udvalgsrapport-101-2026-02-28.pdf',
        pdf: Buffer.from('%PDF-'),
      });
    });

    it('says another municipality’s report, or a malformed id, does not exist (404)', async () => {
      repository.pdf.mockResolvedValue({ municipality: 461, asOf: '2026-02-28', pdf: Buffer.from('%PDF-') });
      await expect(sut.pdf(user({ role: 'chef' }), '7')).rejects.toThrow(new NotFoundException('Rapporten findes ikke'));
      await expect(sut.pdf(user(), '7 OR 1=1')).rejects.toBeInstanceOf(NotFoundException);
      expect(repository.pdf).toHaveBeenCalledTimes(1);
      // A national administrator opens every municipality's.
      await expect(sut.pdf(user({ role: 'admin', municipality: null }), '7')).resolves.toMatchObject({
        filename: 'udvalgsrapport-461-2026-02-28.pdf',
      });
    });
  });

  describe('schedule', () => {
    it('shows the defaults (off) until the administrator sets one', async () => {
      repository.schedule.mockResolvedValue(null);
      await expect(sut.schedule(admin)).resolves.toEqual({ municipality: 101, ...DEFAULT_SCHEDULE, updatedBy: null, updatedAt: null });
    });

    it('saves the recipients lower-cased once each, and registers the schedule with the job scheduler before the commit', async () => {
      repository.schedule.mockResolvedValue(null);
      // The repository runs the registration inside the save's transaction.
      let committed = false;
      repository.saveSchedule.mockImplementation(async (_s: unknown, then: () => Promise<void>) => {
        await then();
        committed = true;
      });
      queue.schedule.mockImplementation(async () => expect(committed).toBe(false));
      await sut.saveSchedule(admin, { enabled: true, dayOfMonth: 3, hour: 7, recipients: ['A@kk.dk', 'a@kk.dk ', 'b@kk.dk'] });
      expect(repository.saveSchedule).toHaveBeenCalledWith(
        { municipality: 101, enabled: true, dayOfMonth: 3, hour: 7, recipients: ['a@kk.dk', 'b@kk.dk'], updatedBy: 'admin-101' },
        expect.any(Function),
      );
      expect(queue.schedule).toHaveBeenCalledWith({ municipality: 101, enabled: true, dayOfMonth: 3, hour: 7 });
      expect(committed).toBe(true);
    });

    describe('with a queue that does not answer', () => {
      afterEach(() => void vi.useRealTimers());

      it('undoes the save after SCHEDULE_REGISTRATION_MS (503), and registers the table’s schedule once the queue answers', async () => {
        vi.useFakeTimers();
        let answer!: () => void;
        queue.schedule.mockReturnValueOnce(new Promise<void>((resolve) => (answer = resolve))).mockResolvedValue(undefined);
        let rolledBack = false;
        repository.saveSchedule.mockImplementation(async (_s: unknown, then: () => Promise<void>) => {
          await then().catch((e: unknown) => {
            rolledBack = true;
            throw e;
          });
        });
        const saved = { municipality: 101, enabled: true, dayOfMonth: 5, hour: 6 };
        // Read under the schedule's lock, in turn with the saves.
        repository.withSchedule.mockImplementation(async (_m: number, then: (row: typeof saved) => Promise<void>) => then(saved));
        const save = sut.saveSchedule(admin, { enabled: false, dayOfMonth: 3, hour: 7, recipients: [] });
        const refused = expect(save).rejects.toThrow(new ServiceUnavailableException(QUEUE_UNAVAILABLE));
        await vi.advanceTimersByTimeAsync(SCHEDULE_REGISTRATION_MS - 1);
        expect(rolledBack).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        await refused;
        expect(rolledBack).toBe(true);
        // The undone registration (turning it off) reaches the queue late: the table's is registered over it.
        expect(queue.schedule).toHaveBeenCalledTimes(1);
        answer();
        await vi.waitFor(() => expect(queue.schedule).toHaveBeenCalledTimes(2));
        expect(queue.schedule).toHaveBeenLastCalledWith(saved);
        expect(repository.withSchedule).toHaveBeenCalledWith(101, expect.any(Function));
      });
    });

    it('refuses to switch sending on without a recipient', async () => {
      await expect(sut.saveSchedule(admin, { enabled: true, dayOfMonth: 3, hour: 7, recipients: [] })).rejects.toThrow(
        new BadRequestException('Angiv mindst én modtager, når rapporten skal sendes'),
      );
      expect(queue.schedule).not.toHaveBeenCalled();
    });
  });

  describe('make', () => {
    it('queues the report for the resolved municipality, asked by the administrator', async () => {
      queue.enqueue.mockResolvedValue({ id: '12' } as never);
      await expect(sut.make(admin, { asOf: '2026-03-31' })).resolves.toEqual({ jobId: '12' });
      expect(queue.enqueue).toHaveBeenCalledWith('committee-report', {
        municipality: 101,
        asOf: '2026-03-31',
        requestedBy: 'admin-101',
        send: true,
      });
    });

    it('refuses a municipality without data', async () => {
      scope.resolve.mockResolvedValue(municipality({ exportDate: null }));
      await expect(sut.make(admin, {})).rejects.toThrow(
        new BadRequestException('Kommunen har ingen data endnu; der er intet at lave en rapport af'),
      );
    });
  });
});

describe("a report's send result as the committee reads it", () => {
  it('leaves out every address a mail server named, whole or cut short, and keeps the rest', () => {
    expect(committeeSendResult('sendt til 2 modtagere')).toBe('sendt til 2 modtagere');
    expect(committeeSendResult('sendt til 1 af 2 modtagere; mailserveren afviste chef@odense.test')).toBe('sendt til 1 af 2 modtagere');
    expect(committeeSendResult('ikke sendt: 550 5.1.1 <chef@odense.test>: Recipient address rejected')).toBe('ikke sendt');
    expect(committeeSendResult(`ikke sendt: ${'x'.repeat(280)} chef@`)).toBe('ikke sendt');
    expect(committeeSendResult('ikke sendt: SMTP er ikke sat op')).toBe('ikke sendt: SMTP er ikke sat op');
    expect(committeeSendResult('ikke sendt: ingen modtagere')).toBe('ikke sendt: ingen modtagere');
    expect(committeeSendResult('ikke sendt: kun arkiveret')).toBe('ikke sendt: kun arkiveret');
    expect(committeeSendResult('sendes nu')).toBe('sendes nu');
    expect(committeeSendResult('sendt til 1 modtager')).toBe('sendt til 1 modtager');
  });

  it('shows no mail server\'s answer, with or without an address in it: plain "ikke sendt"', () => {
    // An allowlist: the server's error names hosts, ports, its software, anything.
    for (const result of [
      'ikke sendt: connect ECONNREFUSED 10.20.30.40:587',
      'ikke sendt: Invalid login: 535 5.7.8 Authentication credentials invalid',
      'ikke sendt: getaddrinfo ENOTFOUND smtp.intern.kommune.test',
      'ikke sendt',
      'sendt til mange modtagere',
      'sendt til 2 modtagereX',
      'sendt',
      '',
    ])
      expect(committeeSendResult(result), result).toBe(COMMITTEE_NOT_SENT);
  });
});
