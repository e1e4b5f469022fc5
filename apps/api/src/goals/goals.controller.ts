import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { kpiById } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { ScopeService } from '../municipalities/scope.service';
import { KpiCache } from '../kpi/kpi-cache.service';

interface GoalBody {
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

interface CommentBody {
  municipality?: number;
  subjectType?: string;
  subjectKey?: string;
  period?: string;
  text?: string;
}

/** Political goals (managed by admin) and the administration's comments (written by chef and admin). */
@ApiTags('goals')
@ApiBearerAuth()
@Controller({ version: '1' })
export class GoalsController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
  ) {}

  @Get('goals')
  @Roles('udvalg', 'chef', 'admin')
  async list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string) {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    return this.db.query(
      `SELECT id, municipality_code AS municipality, kpi_id AS kpi, title, policy_text AS "policyText", direction, target::float AS target,
              tolerance::float AS tolerance, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"
       FROM political_goal WHERE municipality_code = $1 ORDER BY id`,
      [m.code],
    );
  }

  @Post('goals')
  @Roles('admin')
  async create(@CurrentUser() user: AuthUser, @Body() body: GoalBody) {
    const g = await this.validGoal(user, body);
    const [row] = await this.db.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, policy_text, direction, target, tolerance, valid_from, valid_to, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        g.municipality,
        g.kpi,
        g.title,
        g.policyText ?? null,
        g.direction,
        g.target,
        g.tolerance ?? 0,
        g.validFrom ?? null,
        g.validTo ?? null,
        user.username,
      ],
    );
    // The writer's next question sees its change at once (other processes hear of it by NOTIFY).
    await this.cache.read();
    return { id: row.id };
  }

  @Put('goals/:id')
  @Roles('admin')
  async update(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number, @Body() body: GoalBody) {
    const g = await this.validGoal(user, body);
    const [, count] = await this.db.query(
      `UPDATE political_goal SET kpi_id = $2, title = $3, policy_text = $4, direction = $5, target = $6, tolerance = $7, valid_from = $8, valid_to = $9
       WHERE id = $1 AND municipality_code = $10`,
      [
        id,
        g.kpi,
        g.title,
        g.policyText ?? null,
        g.direction,
        g.target,
        g.tolerance ?? 0,
        g.validFrom ?? null,
        g.validTo ?? null,
        g.municipality,
      ],
    );
    if (!count) throw new NotFoundException(`Mål ${id} findes ikke`);
    await this.cache.read();
    return { id };
  }

  @Delete('goals/:id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number) {
    // Another municipality's goal does not exist for this administrator.
    const [, count] = await this.db.query('DELETE FROM political_goal WHERE id = $1 AND ($2::smallint IS NULL OR municipality_code = $2)', [
      id,
      user.municipality,
    ]);
    if (!count) throw new NotFoundException(`Mål ${id} findes ikke`);
    await this.cache.read();
  }

  /** Comments for a period (e.g. "2026"), read by every role of the municipality. */
  @Get('comments')
  @Roles('udvalg', 'chef', 'teamleder', 'admin')
  async comments(@CurrentUser() user: AuthUser, @Query('period') period?: string, @Query('municipality') municipality?: string) {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    return this.db.query(
      `SELECT subject_type AS "subjectType", subject_key AS "subjectKey", period, text, author, updated_at AS "updatedAt"
       FROM admin_comment WHERE municipality_code = $1 AND ($2::text IS NULL OR period = $2) ORDER BY subject_type, subject_key`,
      [m.code, period ?? null],
    );
  }

  @Put('comments')
  @Roles('chef', 'admin')
  async comment(@CurrentUser() user: AuthUser, @Body() body: CommentBody) {
    const m = await this.scope.resolve(user, body.municipality);
    if (!body.subjectType || !['budget', 'goal'].includes(body.subjectType))
      throw new BadRequestException('subjectType skal være budget eller goal');
    if (!body.subjectKey || !body.period || !/^\d{4}(-\d{2})?$/.test(body.period))
      throw new BadRequestException('subjectKey og period (ÅÅÅÅ eller ÅÅÅÅ-MM) skal angives');
    if (!body.text?.trim() || body.text.length > 2000) throw new BadRequestException('Kommentaren skal have 1-2000 tegn');
    await this.db.query(
      `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (municipality_code, subject_type, subject_key, period) DO UPDATE SET text = EXCLUDED.text, author = EXCLUDED.author, updated_at = now()`,
      [m.code, body.subjectType, body.subjectKey, body.period, body.text.trim(), user.username],
    );
    return { ok: true };
  }

  /** Removes the comment on one budget line or goal for the period (chef and admin). */
  @Delete('comments')
  @Roles('chef', 'admin')
  @HttpCode(204)
  async removeComment(
    @CurrentUser() user: AuthUser,
    @Query('subjectType') subjectType?: string,
    @Query('subjectKey') subjectKey?: string,
    @Query('period') period?: string,
    @Query('municipality') municipality?: string,
  ) {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    if (!subjectType || !subjectKey || !period) throw new BadRequestException('subjectType, subjectKey og period skal angives');
    const [, count] = await this.db.query(
      'DELETE FROM admin_comment WHERE municipality_code = $1 AND subject_type = $2 AND subject_key = $3 AND period = $4',
      [m.code, subjectType, subjectKey, period],
    );
    if (!count) throw new NotFoundException('Kommentaren findes ikke');
  }

  private async validGoal(
    user: AuthUser,
    body: GoalBody,
  ): Promise<Required<Pick<GoalBody, 'kpi' | 'title' | 'direction' | 'target'>> & GoalBody & { municipality: number }> {
    const m = await this.scope.resolve(user, body.municipality);
    const kpi = body.kpi ? kpiById(body.kpi) : undefined;
    if (!kpi || !['share', 'count', 'ratio', 'days', 'kr'].includes(kpi.unit) || body.kpi === 'goal.status')
      throw new BadRequestException(`Et mål skal pege på et nøgletal med én værdi: ${body.kpi}`);
    if (!body.title?.trim()) throw new BadRequestException('Målet skal have en titel');
    if (body.direction !== '>=' && body.direction !== '<=') throw new BadRequestException('direction skal være >= eller <=');
    if (typeof body.target !== 'number' || !Number.isFinite(body.target))
      throw new BadRequestException('target skal være et tal i nøgletallets enhed');
    if (body.tolerance !== undefined && (typeof body.tolerance !== 'number' || body.tolerance < 0))
      throw new BadRequestException('tolerance skal være et tal ≥ 0');
    return { ...body, kpi: body.kpi!, title: body.title.trim(), direction: body.direction, target: body.target, municipality: m.code };
  }
}
