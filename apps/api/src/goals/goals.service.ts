import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { AdminComment, CommentBody, Goal, GoalBody } from '@bu/contracts';
import { kpiById } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { KpiCache } from '../kpi/kpi-cache.service';
import { CommitteeTexts } from '../municipalities/committee-texts.service';
import { ScopeService } from '../municipalities/scope.service';
import { GoalsRepository, type GoalWrite } from './goals.repository';

export interface CommentKey {
  subjectType: string;
  subjectKey: string;
  period: string;
}

/** Units a goal can be set on: one number per period. */
const GOAL_UNITS = ['share', 'count', 'ratio', 'days', 'kr'];

/**
 * Political goals (managed by admin) and the administration's comments (written by chef and admin),
 * within the user's municipality. A change moves the KPI cache on, so goal.status is computed anew.
 */
@Injectable()
export class GoalsService {
  constructor(
    @Inject(GoalsRepository) private readonly repository: GoalsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
    @Inject(CommitteeTexts) private readonly committeeTexts: CommitteeTexts,
  ) {}

  async list(user: AuthUser, municipality?: number): Promise<Goal[]> {
    const m = await this.scope.resolve(user, municipality);
    return this.repository.goals(m.code);
  }

  async create(user: AuthUser, body: GoalBody): Promise<{ id: number }> {
    const id = await this.repository.createGoal(await this.validGoal(user, body), user.username);
    // The writer's next question sees its change at once (other processes hear of it by NOTIFY).
    await this.cache.read();
    return { id };
  }

  async update(user: AuthUser, id: number, body: GoalBody): Promise<{ id: number }> {
    if (!(await this.repository.updateGoal(id, await this.validGoal(user, body)))) throw new NotFoundException(`Mål ${id} findes ikke`);
    await this.cache.read();
    return { id };
  }

  async remove(user: AuthUser, id: number): Promise<void> {
    // Another municipality's goal does not exist for this administrator.
    if (!(await this.repository.deleteGoal(id, user.municipality))) throw new NotFoundException(`Mål ${id} findes ikke`);
    await this.cache.read();
  }

  async comments(user: AuthUser, period?: string, municipality?: number): Promise<AdminComment[]> {
    const m = await this.scope.resolve(user, municipality);
    const rows = await this.repository.comments(m.code, period ?? null);
    // The committee is shown no usernames (an organisation's login makes them names or e-mail addresses).
    return user.role === 'udvalg' ? rows.map((c) => ({ ...c, author: null })) : rows;
  }

  async saveComment(user: AuthUser, body: CommentBody): Promise<{ ok: true }> {
    const m = await this.scope.resolve(user, body.municipality);
    await this.committeeTexts.refuseIdentifying(m.code, [['Kommentaren', body.text]]);
    await this.repository.saveComment({
      municipality: m.code,
      subjectType: body.subjectType,
      subjectKey: body.subjectKey,
      period: body.period,
      text: body.text.trim(),
      author: user.username,
    });
    return { ok: true };
  }

  async removeComment(user: AuthUser, key: CommentKey, municipality?: number): Promise<void> {
    const m = await this.scope.resolve(user, municipality);
    if (!(await this.repository.deleteComment(m.code, key.subjectType, key.subjectKey, key.period)))
      throw new NotFoundException('Kommentaren findes ikke');
  }

  /**
   * The goal as written, in the user's municipality. Its shape was checked by GoalBodySchema
   * (@bu/contracts); that the KPI has one value per period needs the catalogue, here.
   */
  private async validGoal(user: AuthUser, body: GoalBody): Promise<GoalWrite> {
    const m = await this.scope.resolve(user, body.municipality);
    const kpi = kpiById(body.kpi);
    if (!kpi || !GOAL_UNITS.includes(kpi.unit) || body.kpi === 'goal.status')
      throw new BadRequestException(`Et mål skal pege på et nøgletal med én værdi: ${body.kpi}`);
    await this.committeeTexts.refuseIdentifying(m.code, [
      ['Målets titel', body.title],
      ['Den politiske tekst', body.policyText],
    ]);
    return {
      municipality: m.code,
      kpi: body.kpi,
      title: body.title.trim(),
      policyText: body.policyText ?? null,
      direction: body.direction,
      target: body.target,
      tolerance: body.tolerance ?? 0,
      validFrom: body.validFrom ?? null,
      validTo: body.validTo ?? null,
    };
  }
}
