import { BadRequestException, ForbiddenException, ServiceUnavailableException } from '@nestjs/common';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { ComparisonGroupsRepository } from '../goals/comparison-groups.repository';
import type { ScopeService } from '../municipalities/scope.service';
import { fake, municipality, user, type Fake } from '../testing/fake';
import { Versions, type KpiCache } from './kpi-cache.service';
import type { KpiRepository } from './kpi.repository';
import { KpiService } from './kpi.service';

describe(KpiService.name, () => {
  let sut: KpiService;
  let repository: Fake<KpiRepository>;
  let groups: Fake<ComparisonGroupsRepository>;
  let scope: Fake<ScopeService>;
  let audit: Fake<AuditService>;
  let cache: Fake<KpiCache>;

  beforeEach(() => {
    repository = fake<KpiRepository>();
    groups = fake<ComparisonGroupsRepository>();
    scope = fake<ScopeService>();
    audit = fake<AuditService>();
    cache = fake<KpiCache>();
    scope.resolve.mockResolvedValue(municipality());
    cache.versions.mockResolvedValue(new Versions(new Map(), new Map()));
    repository.reader.mockImplementation(async () => ({ on: 'primary', query: repository.query as never }));
    cache.get.mockImplementation((_at, _dependency, _key, load) => load());
    cache.lookup.mockImplementation(async (_at, _dependency, _key, load) => ({ value: await load(), hit: false }));
    cache.chargedTo.mockImplementation((_caller, work) => work());
    sut = new KpiService(repository as never, groups as never, scope as never, audit as never, cache as never);
  });

  // The checks both endpoints share: each request fails the same way through either.
  const endpoints = {
    kpis: (u = user(), q: Record<string, string> = {}) => sut.kpis(u, q, undefined, undefined),
    series: (u = user(), q: Record<string, string> = {}, id = 'caseload.open_cases') => sut.series(u, id, q),
  };

  describe.each(Object.entries(endpoints))('%s', (_name, ask) => {
    it('refuses a team leader without teams every figure', async () => {
      await expect(ask(user({ role: 'teamleder', teams: [] }))).rejects.toThrow(ForbiddenException);
      expect(scope.resolve).not.toHaveBeenCalled();
    });

    it('refuses a malformed municipality code before looking at the scope', async () => {
      await expect(ask(user(), { municipality: 'abc' })).rejects.toThrow(new BadRequestException('Ukendt kommunekode: abc'));
      expect(scope.resolve).not.toHaveBeenCalled();
    });

    it('refuses a municipality half-way through a key rotation', async () => {
      scope.resolve.mockResolvedValue(municipality({ pseudonymKeysMixed: true }));
      await expect(ask()).rejects.toThrow(ServiceUnavailableException);
    });

    it('refuses an invalid date', async () => {
      await expect(ask(user(), { asOf: '2026-02-30' })).rejects.toThrow(
        new BadRequestException('asOf skal være en dato (ÅÅÅÅ-MM-DD): 2026-02-30'),
      );
    });

    it('needs asOf where the municipality has no data', async () => {
      scope.resolve.mockResolvedValue(municipality({ exportDate: null }));
      await expect(ask()).rejects.toThrow(new BadRequestException('Kommunen har ingen data endnu; angiv asOf'));
    });
  });

  describe('kpis', () => {
    it('refuses an unknown KPI with 400 and one the role may not read with 403', async () => {
      await expect(endpoints.kpis(user(), { ids: 'no.such' })).rejects.toThrow(new BadRequestException('Ukendt nøgletal: no.such'));
      await expect(endpoints.kpis(user({ role: 'udvalg' }), { ids: 'caseload.unassigned' })).rejects.toThrow(
        new ForbiddenException('Din rolle kan ikke se: caseload.unassigned'),
      );
    });

    it('refuses a saved comparison group the municipality does not have', async () => {
      groups.members.mockResolvedValue(undefined);
      await expect(endpoints.kpis(user(), { groupId: '5' })).rejects.toThrow(new BadRequestException('Ukendt sammenligningsgruppe: 5'));
      expect(groups.members).toHaveBeenCalledWith(5, 101);
    });

    it('refuses a period that ends before it begins', async () => {
      await expect(endpoints.kpis(user(), { from: '2026-03-01', to: '2026-02-01' })).rejects.toThrow(
        new BadRequestException('Perioden slutter før den begynder'),
      );
    });
  });

  describe('series', () => {
    it('refuses a list, an unknown grouping and a series longer than 240 points', async () => {
      await expect(endpoints.series(user(), {}, 'caseload.unassigned')).rejects.toThrow(BadRequestException);
      await expect(endpoints.series(user(), { by: 'week' })).rejects.toThrow(new BadRequestException('by skal være month eller year'));
      await expect(endpoints.series(user(), { from: '2000-01-01' })).rejects.toThrow(/højst have 240 punkter/);
    });
  });
});
