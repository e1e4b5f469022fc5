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
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { isMunicipalityCode, municipalities } from '@bu/domain';
import { statisticalNeighbours } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { ScopeService } from '../municipalities/scope.service';
import { KpiCache } from '../kpi/kpi-cache.service';

/** Named comparison groups for benchmarks, and a suggested group of statistical neighbours. */
@ApiTags('benchmarks')
@ApiBearerAuth()
@Controller({ path: 'comparison-groups', version: '1' })
export class ComparisonGroupsController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
  ) {}

  @Get()
  @Roles('udvalg', 'chef', 'admin')
  async list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string) {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    return this.db.query(`SELECT id, name, members::int[] AS members FROM comparison_group WHERE municipality_code = $1 ORDER BY name`, [
      m.code,
    ]);
  }

  @Get('suggested')
  @Roles('udvalg', 'chef', 'admin')
  async suggested(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string, @Query('size') size = '10') {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    const names = new Map(municipalities().map((x) => [x.code, x.name]));
    const neighbours = await statisticalNeighbours(
      (sql, params) => this.db.query(sql, params),
      m.code,
      Math.min(Math.max(Number(size) || 10, 1), 97),
    );
    return neighbours.map((n) => ({ ...n, name: names.get(n.code) ?? String(n.code) }));
  }

  @Post()
  @Roles('chef', 'admin')
  async create(@CurrentUser() user: AuthUser, @Body() body: { municipality?: number; name?: string; members?: number[] }) {
    const m = await this.scope.resolve(user, body.municipality);
    if (!body.name?.trim() || body.name.length > 100) throw new BadRequestException('Gruppen skal have et navn (højst 100 tegn)');
    if (!Array.isArray(body.members) || body.members.length === 0 || body.members.some((c) => !isMunicipalityCode(c))) {
      throw new BadRequestException('members skal være en liste af kommunekoder');
    }
    const [row] = await this.db.query(
      `INSERT INTO comparison_group (municipality_code, name, members, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (municipality_code, name) DO UPDATE SET members = EXCLUDED.members RETURNING id`,
      [m.code, body.name.trim(), [...new Set(body.members)].sort((a, b) => a - b), user.username],
    );
    // The writer's next question sees its change at once (other processes hear of it by NOTIFY).
    await this.cache.read();
    return { id: row.id };
  }

  @Delete(':id')
  @Roles('chef', 'admin')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number, @Query('municipality') municipality?: string) {
    const m = await this.scope.resolve(user, municipality ? Number(municipality) : undefined);
    const [, count] = await this.db.query('DELETE FROM comparison_group WHERE id = $1 AND municipality_code = $2', [id, m.code]);
    if (!count) throw new NotFoundException(`Gruppe ${id} findes ikke`);
    await this.cache.read();
  }
}
