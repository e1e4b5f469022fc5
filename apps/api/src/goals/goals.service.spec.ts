import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import type { CommentBody, GoalBody } from '@bu/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { Versions, type KpiCache } from '../kpi/kpi-cache.service';
import type { CommitteeTexts } from '../municipalities/committee-texts.service';
import type { ScopeService } from '../municipalities/scope.service';
import { fake, municipality, user, type Fake } from '../testing/fake';
import type { GoalsRepository } from './goals.repository';
import { GoalsService } from './goals.service';

describe(GoalsService.name, () => {
  let sut: GoalsService;
  let repository: Fake<GoalsRepository>;
  let scope: Fake<ScopeService>;
  let cache: Fake<KpiCache>;
  const admin = user({ role: 'admin' });
  const goal: GoalBody = { kpi: 'activity.family_care_share', title: ' Flere i familiepleje ', direction: '>=', target: 0.5 };

  beforeEach(() => {
    repository = fake<GoalsRepository>();
    scope = fake<ScopeService>();
    cache = fake<KpiCache>();
    scope.resolve.mockResolvedValue(municipality());
    cache.read.mockResolvedValue(new Versions(new Map(), new Map()));
    const texts = fake<CommitteeTexts>();
    texts.refuseIdentifying.mockResolvedValue(undefined);
    sut = new GoalsService(repository as never, scope as never, cache as never, texts as never);
  });

  describe('create', () => {
    it('writes the goal in the resolved municipality, trimmed, with defaults, and moves the cache on', async () => {
      repository.createGoal.mockResolvedValue(7);
      await expect(sut.create(admin, goal)).resolves.toEqual({ id: 7 });
      expect(repository.createGoal).toHaveBeenCalledWith(
        {
          municipality: 101,
          kpi: goal.kpi,
          title: 'Flere i familiepleje',
          policyText: null,
          direction: '>=',
          target: 0.5,
          tolerance: 0,
          validFrom: null,
          validTo: null,
        },
        'anna',
      );
      expect(cache.read).toHaveBeenCalled();
    });

    // The body's shape is GoalBodySchema's (libs/contracts/src/requests.test.ts); the catalogue is checked here.
    it.each(['goal.status', 'no.such', 'caseload.unassigned'])('refuses a goal on %s with 400', async (kpi) => {
      await expect(sut.create(admin, { ...goal, kpi })).rejects.toThrow(
        new BadRequestException(`Et mål skal pege på et nøgletal med én værdi: ${kpi}`),
      );
      expect(repository.createGoal).not.toHaveBeenCalled();
    });

    it('checks the municipality scope before the KPI', async () => {
      scope.resolve.mockRejectedValue(new ForbiddenException('Ingen adgang til kommune 147'));
      await expect(sut.create(admin, { ...goal, municipality: 147, kpi: 'no.such' })).rejects.toBeInstanceOf(ForbiddenException);
    });
  });

  describe('update', () => {
    it("answers 404 for a goal the municipality doesn't have", async () => {
      repository.updateGoal.mockResolvedValue(false);
      await expect(sut.update(admin, 9, goal)).rejects.toThrow(new NotFoundException('Mål 9 findes ikke'));
      expect(cache.read).not.toHaveBeenCalled();
    });
  });

  describe('remove', () => {
    it("deletes within the administrator's municipality", async () => {
      repository.deleteGoal.mockResolvedValue(true);
      await sut.remove(admin, 3);
      expect(repository.deleteGoal).toHaveBeenCalledWith(3, 101);
      expect(cache.read).toHaveBeenCalled();
    });
  });

  describe('saveComment', () => {
    const comment: CommentBody = { subjectType: 'budget', subjectKey: '5.28.20', period: '2026', text: ' Forklaring ' };

    it('stores the trimmed text with the author', async () => {
      await expect(sut.saveComment(user(), comment)).resolves.toEqual({ ok: true });
      expect(repository.saveComment).toHaveBeenCalledWith({ ...comment, municipality: 101, text: 'Forklaring', author: 'anna' });
    });
  });

  describe('removeComment', () => {
    it('answers 404 for a comment that does not exist', async () => {
      repository.deleteComment.mockResolvedValue(false);
      await expect(sut.removeComment(user(), { subjectType: 'goal', subjectKey: '1', period: '2026' })).rejects.toBeInstanceOf(
        NotFoundException,
      );
    });
  });
});
