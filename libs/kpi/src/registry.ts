import { openCases } from './caseload/open-cases';
import type { KpiDefinition } from './types';

/** Every KPI the API serves, by catalogue id. */
export const KPIS: readonly KpiDefinition[] = [openCases];

const BY_ID = new Map(KPIS.map((k) => [k.id, k]));

export function kpiById(id: string): KpiDefinition | undefined {
  return BY_ID.get(id);
}
