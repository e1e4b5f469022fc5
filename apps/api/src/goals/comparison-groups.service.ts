import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ComparisonGroup, ComparisonGroupBody } from '@bu/contracts';
import { isMunicipalityCode, municipalities } from '@bu/domain';
import type { AuthUser } from '../auth/auth.types';
import { KpiCache } from '../kpi/kpi-cache.service';
import { CommitteeTexts } from '../municipalities/committee-texts.service';
import { ScopeService } from '../municipalities/scope.service';
import { ComparisonGroupsRepository } from './comparison-groups.repository';

/** Named comparison groups for benchmarks, and a suggested group of statistical neighbours. */
@Injectable()
export class ComparisonGroupsService {
  constructor(
    @Inject(ComparisonGroupsRepository) private readonly repository: ComparisonGroupsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
    @Inject(CommitteeTexts) private readonly committeeTexts: CommitteeTexts,
  ) {}

  async list(user: AuthUser, municipality?: number): Promise<ComparisonGroup[]> {
    const m = await this.scope.resolve(user, municipality);
    return this.repository.groups(m.code);
  }

  /** The `size` nearest municipalities (1-97, default 10), with their names. */
  async suggested(user: AuthUser, municipality: number | undefined, size: string) {
    const m = await this.scope.resolve(user, municipality);
    const names = new Map(municipalities().map((x) => [x.code, x.name]));
    const neighbours = await this.repository.neighbours(m.code, Math.min(Math.max(Number(size) || 10, 1), 97));
    return neighbours.map((n) => ({ ...n, name: names.get(n.code) ?? String(n.code) }));
  }

  async save(user: AuthUser, body: ComparisonGroupBody): Promise<{ id: number }> {
    const m = await this.scope.resolve(user, body.municipality);
    // The shape was checked by ComparisonGroupBodySchema; which codes exist is the domain's reference data.
    if (body.members.some((c) => !isMunicipalityCode(c))) throw new BadRequestException('members skal være en liste af kommunekoder');
    // The committee reads the name: none of the municipality's caseworkers' names or case numbers.
    await this.committeeTexts.refuseIdentifying(m.code, [['Gruppens navn', body.name]]);
    const members = [...new Set(body.members)].sort((a, b) => a - b);
    const id = await this.repository.save(m.code, body.name.trim(), members, user.username);
    // The writer's next question sees its change at once (other processes hear of it by NOTIFY).
    await this.cache.read();
    return { id };
  }

  async remove(user: AuthUser, id: number, municipality?: number): Promise<void> {
    const m = await this.scope.resolve(user, municipality);
    if (!(await this.repository.delete(id, m.code))) throw new NotFoundException(`Gruppe ${id} findes ikke`);
    await this.cache.read();
  }
}
