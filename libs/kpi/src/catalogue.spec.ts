import { readFileSync } from 'fs';
import { describe, expect, it } from 'vitest';
import { KPI_CATALOGUE, type KpiId as CatalogueKpiId } from '@bu/contracts';
import { KPI_CATALOGUE_PATH, kpiCatalogueSource } from '../../../scripts/lib/kpi-catalogue';
import { KPIS, type KpiId } from './registry';

// The web app and the dashboards know the KPIs from libs/contracts/src/kpi-catalogue.ts only.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails typecheck when the generated ids and the registry's differ.
const sameIds: Same<KpiId, CatalogueKpiId> = true;

describe('the generated KPI catalogue', () => {
  it('is what `npm run generate:kpi-catalogue` writes from the registry (run it when this fails)', async () => {
    expect(readFileSync(KPI_CATALOGUE_PATH, 'utf8')).toBe(await kpiCatalogueSource());
    expect(sameIds).toBe(true);
  });

  it('names every KPI once, in the registry order', () => {
    expect(Object.keys(KPI_CATALOGUE)).toEqual(KPIS.map((k) => k.id));
    expect(new Set(KPIS.map((k) => k.id)).size).toBe(KPIS.length);
  });
});
