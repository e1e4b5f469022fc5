import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { kpiById } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { KpiCache } from '../kpi/kpi-cache.service';
import { ScopeService } from '../municipalities/scope.service';
import { GoalsRepository, type CommentRow, type GoalRow, type GoalWrite } from './goals.repository';

export interface GoalBody {
  municipality?: number;
  kpi?: string;
  title?: string;
  policyText?: string;
  direction?: string;
  target?: number;
  tolerance?: number;
  validFrom?: string;
  validTo?: string;
}

export interface CommentBody {
  municipality?: number;
  subjectType?: string;
  subjectKey?: string;
  period?: string;
  text?: string;
}

export interface CommentKey {
  subjectType?: string;
  subjectKey?: string;
  period?: string;
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
  ) {}

  async list(user: AuthUser, municipality?: number): Promise<GoalRow[]> {
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

  async comments(user: AuthUser, period?: string, municipality?: number): Promise<CommentRow[]> {
    const m = await this.scope.resolve(user, municipality);
    return this.repository.comments(m.code, period ?? null);
  }

  async saveComment(user: AuthUser, body: CommentBody): Promise<{ ok: true }> {
    const m = await this.scope.resolve(user, body.municipality);
    if (!body.subjectType || !['budget', 'goal'].includes(body.subjectType))
      throw new BadRequestException('subjectType skal være budget eller goal');
    if (!body.subjectKey || !body.period || !/^\d{4}(-\d{2})?$/.test(body.period))
      throw new BadRequestException('subjectKey og period (ÅÅÅÅ eller ÅÅÅÅ-MM) skal angives');
    if (!body.text?.trim() || body.text.length > 2000) throw new BadRequestException('Kommentaren skal have 1-2000 tegn');
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
    const { subjectType, subjectKey, period } = key;
    if (!subjectType || !subjectKey || !period) throw new BadRequestException('subjectType, subjectKey og period skal angives');
    if (!(await this.repository.deleteComment(m.code, subjectType, subjectKey, period)))
      throw new NotFoundException('Kommentaren findes ikke');
  }

  /** The goal as written, in the user's municipality; 400 with the first rule it breaks. */
  private async validGoal(user: AuthUser, body: GoalBody): Promise<GoalWrite> {
    const m = await this.scope.resolve(user, body.municipality);
    const kpi = body.kpi ? kpiById(body.kpi) : undefined;
    if (!kpi || !GOAL_UNITS.includes(kpi.unit) || body.kpi === 'goal.status')
      throw new BadRequestException(`Et mål skal pege på et nøgletal med én værdi: ${body.kpi}`);
    if (!body.title?.trim()) throw new BadRequestException('Målet skal have en titel');
    if (body.direction !== '>=' && body.direction !== '<=') throw new BadRequestException('direction skal være >= eller <=');
    if (typeof body.target !== 'number' || !Number.isFinite(body.target))
      throw new BadRequestException('target skal være et tal i nøgletallets enhed');
    if (body.tolerance !== undefined && (typeof body.tolerance !== 'number' || body.tolerance < 0))
      throw new BadRequestException('tolerance skal være et tal ≥ 0');
    return {
      municipality: m.code,
      kpi: body.kpi!,
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
