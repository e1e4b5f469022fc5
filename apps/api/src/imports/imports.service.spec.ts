import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobQueue } from '@bu/jobs';
import { fake, user, type Fake } from '../testing/fake';
import type { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

describe(ImportsService.name, () => {
  let sut: ImportsService;
  let repository: Fake<ImportsRepository>;
  let queue: Fake<Pick<JobQueue, 'enqueue' | 'getJob' | 'getJobState' | 'getJobs'>>;
  const admin = user({ role: 'admin', municipality: 461 });
  const file = { path: '/tmp/upload.zip', size: 10, originalname: 'export.zip' };

  beforeEach(() => {
    repository = fake<ImportsRepository>();
    queue = fake();
    sut = new ImportsService(repository as never, queue as never);
  });

  describe('upload', () => {
    it.each([
      [undefined, { source: 'dubu' }, 'Vedhæft udtrækket som en zip-fil i feltet "file".'],
      [file, { source: 'nope' }, 'source skal være en af: dubu, csc, economy, statistics'],
      [file, { source: 'dubu', municipality: '999' }, 'Ukendt kommunenummer: 999'],
      [file, { source: 'dubu', exportDate: '2026-13-01' }, 'exportDate skal være en dato, ÅÅÅÅ-MM-DD'],
      [file, { source: 'dubu', allowShrink: 'ja' }, 'allowShrink skal være "true" eller "false"'],
    ])('refuses %j %j with 400 before queueing anything', async (upload, fields, message) => {
      await expect(sut.upload(admin, upload, fields)).rejects.toThrow(new BadRequestException(message));
      expect(queue.enqueue).not.toHaveBeenCalled();
    });

    it("refuses a municipality's administrator national data and another municipality's export", async () => {
      await expect(sut.upload(admin, file, { source: 'economy' })).rejects.toBeInstanceOf(ForbiddenException);
      await expect(sut.upload(admin, file, { source: 'dubu', municipality: '101' })).rejects.toThrow(
        new ForbiddenException('Du har ikke adgang til at indlæse data for kommune 101'),
      );
    });
  });

  describe('issues', () => {
    it("answers 404 for another municipality's import, and 400 for an unknown severity", async () => {
      repository.runMunicipality.mockResolvedValue({ municipality: 101 });
      await expect(sut.issues(admin, 1, undefined, '0', '100')).rejects.toBeInstanceOf(NotFoundException);
      repository.runMunicipality.mockResolvedValue({ municipality: 461 });
      await expect(sut.issues(admin, 1, 'info', '0', '100')).rejects.toBeInstanceOf(BadRequestException);
    });

    it('clamps the page and counts every issue by rule', async () => {
      repository.runMunicipality.mockResolvedValue({ municipality: null });
      repository.issues.mockResolvedValue([]);
      repository.issueCounts.mockResolvedValue([
        { rule: 'A', severity: 'error', count: 2 },
        { rule: 'B', severity: 'warning', count: 3 },
      ]);
      const answer = await sut.issues(user({ role: 'admin', municipality: null }), 1, undefined, '-5', '5000');
      expect(repository.issues).toHaveBeenCalledWith(1, null, 0, 1000);
      expect(answer.count).toBe(5);
    });
  });

  describe('jobs', () => {
    it("shows a municipality's administrator only its municipality's jobs", async () => {
      queue.getJobs.mockResolvedValue([
        { id: '1', data: { allowedMunicipality: 461 }, attemptsMade: 1 },
        { id: '2', data: { municipality: 101 }, attemptsMade: 1 },
        { id: '3', data: {}, returnvalue: { municipality: 461 }, attemptsMade: 1 },
      ] as never);
      expect((await sut.jobs(admin, 'failed')).map((j) => j.id)).toEqual(['1', '3']);
      await expect(sut.jobs(admin, 'lost')).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('runs', () => {
    it('passes the filters on, and refuses an unknown source or status and a period backwards in Danish', async () => {
      repository.runs.mockResolvedValue([]);
      await sut.runs(admin, '20', { source: 'csc', status: 'failed', from: '2024-01-01', to: '2024-01-31' });
      expect(repository.runs).toHaveBeenCalledWith(461, 20, { source: 'csc', status: 'failed', from: '2024-01-01', to: '2024-01-31' });
      expect(() => sut.runs(admin, '20', { source: 'excel' })).toThrow(
        new BadRequestException('source skal være en af: dubu, csc, economy, statistics, purge'),
      );
      expect(() => sut.runs(admin, '20', { status: 'done' })).toThrow(
        new BadRequestException('status skal være en af: running, succeeded, failed'),
      );
      expect(() => sut.runs(admin, '20', { from: '2024-02-01', to: '2024-01-01' })).toThrow(
        new BadRequestException('Fra-datoen skal ligge før eller på til-datoen'),
      );
    });
  });

  describe('retry and cancel', () => {
    const job = (data: Record<string, unknown>) => ({ id: '7', data, retry: vi.fn(), remove: vi.fn() });

    it("retries the own municipality's failed job; another municipality's is 404", async () => {
      const own = job({ municipality: 461 });
      queue.getJob.mockResolvedValue(own as never);
      queue.getJobState.mockResolvedValueOnce('failed').mockResolvedValueOnce('waiting');
      await expect(sut.retry(admin, '7')).resolves.toEqual({ id: '7', state: 'waiting' });
      expect(own.retry).toHaveBeenCalledWith('failed');
      queue.getJob.mockResolvedValue(job({ municipality: 101 }) as never);
      await expect(sut.retry(admin, '7')).rejects.toBeInstanceOf(NotFoundException);
    });

    it('refuses to retry a job that did not fail, or whose upload or delivery is gone', async () => {
      queue.getJob.mockResolvedValue(job({ municipality: 461 }) as never);
      queue.getJobState.mockResolvedValue('active');
      await expect(sut.retry(admin, '7')).rejects.toThrow(new ConflictException('Kun et fejlet job kan køres igen; job 7 er i gang'));
      queue.getJobState.mockResolvedValue('failed');
      queue.getJob.mockResolvedValue(job({ municipality: 461, zip: '/tmp/bu-gone-for-good.zip' }) as never);
      await expect(sut.retry(admin, '7')).rejects.toThrow(/Indlæs udtrækket igen/);
      queue.getJob.mockResolvedValue(job({ municipality: 461, delivery: true }) as never);
      await expect(sut.retry(admin, '7')).rejects.toThrow(/Læg den i afleveringsmappen igen/);
    });

    it('cancels a waiting or delayed job only', async () => {
      const waiting = job({ municipality: 461 });
      queue.getJob.mockResolvedValue(waiting as never);
      queue.getJobState.mockResolvedValue('delayed');
      await expect(sut.cancel(admin, '7')).resolves.toEqual({ id: '7', state: 'removed' });
      expect(waiting.remove).toHaveBeenCalled();
      queue.getJobState.mockResolvedValue('completed');
      await expect(sut.cancel(admin, '7')).rejects.toThrow(new ConflictException('Kun et ventende job kan annulleres; job 7 er færdigt'));
    });
  });
});
