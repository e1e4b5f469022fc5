import 'reflect-metadata';
import { DataSource } from 'typeorm';
import * as caseFacts from './entities/case-facts';
import * as reference from './entities/reference';
import * as system from './entities/system';
import { CanonicalModel1732000000000 } from './migrations/1732000000000-CanonicalModel';
import { DropFolders1732100000000 } from './migrations/1732100000000-DropFolders';
import { GoalsAndComments1732200000000 } from './migrations/1732200000000-GoalsAndComments';
import { ComparisonGroups1732300000000 } from './migrations/1732300000000-ComparisonGroups';
import { DataVersion1732400000000 } from './migrations/1732400000000-DataVersion';
import { CaseIndexes1732500000000 } from './migrations/1732500000000-CaseIndexes';
import { AuditCaseSets1732600000000 } from './migrations/1732600000000-AuditCaseSets';
import { FactTablesWithoutMunicipalityFk1732750000000 } from './migrations/1732750000000-FactTablesWithoutMunicipalityFk';
import { DataVersionNotify1732800000000 } from './migrations/1732800000000-DataVersionNotify';
import { CaseFactsPartitionedByMunicipality1732900000000 } from './migrations/1732900000000-CaseFactsPartitionedByMunicipality';
import { KeysInByteOrder1732950000000 } from './migrations/1732950000000-KeysInByteOrder';
import { ImportIssueOrder1732960000000 } from './migrations/1732960000000-ImportIssueOrder';
import { ScopeColumnsLastInKeys1733000000000 } from './migrations/1733000000000-ScopeColumnsLastInKeys';

export const ENTITIES = [...Object.values(reference), ...Object.values(caseFacts), ...Object.values(system)];
export const MIGRATIONS = [
  CanonicalModel1732000000000, DropFolders1732100000000, GoalsAndComments1732200000000, ComparisonGroups1732300000000, DataVersion1732400000000,
  CaseIndexes1732500000000, AuditCaseSets1732600000000, FactTablesWithoutMunicipalityFk1732750000000, DataVersionNotify1732800000000,
  CaseFactsPartitionedByMunicipality1732900000000, KeysInByteOrder1732950000000, ImportIssueOrder1732960000000, ScopeColumnsLastInKeys1733000000000,
];

/** A TypeORM data source on a Postgres URL. The schema changes only through MIGRATIONS. */
export function createDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    extra: { max: options.poolSize ?? 10 },
  });
}

/** Applies pending migrations; returns their names. */
export async function migrate(url: string): Promise<string[]> {
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
