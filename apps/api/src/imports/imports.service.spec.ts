import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it } from 'vitest';
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
});
