import { MigrationInterface, QueryRunner } from 'typeorm';
import { FACT_TABLES } from './1732750000000-FactTablesWithoutMunicipalityFk';

// The case-system fact tables become partitioned by municipality (LIST on municipality_code), one
// partition per municipality holding every case-system source of it.
//
// Why: an import is a full snapshot of one municipality from one source. The ETL now builds the
// municipality's new partition as a table of its own (bulk insert without indexes, then the index
// builds, in parallel where the server can) and swaps it in at the end of the import's transaction,
// instead of inserting, updating and deleting rows in one big shared table, where every row paid for
// B-tree maintenance in every index (npm run bench -- etl: inserting 1,000,000 measures took 7.8 s,
// loading the table and building its indexes 3.5 s). It is also the shape the architecture asks for:
// every fact row carries its municipality, so a national service can shard by it.
//
// Each table keeps its name, columns, checks, primary key and indexes (now partitioned indexes with
// the same names); queries are unchanged and prune to the municipality they ask for. Existing rows
// move into one partition per municipality.

export class CaseFactsPartitionedByMunicipality1732900000000 implements MigrationInterface {
  name = 'CaseFactsPartitionedByMunicipality1732900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of FACT_TABLES) await partition(q, table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of FACT_TABLES) await unpartition(q, table);
  }
}

interface IndexDef {
  name: string;
  def: string;
  constraint: string | null;
  constraintDef: string | null;
}

async function indexesOf(q: QueryRunner, table: string): Promise<IndexDef[]> {
  return q.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, c.conname AS constraint, pg_get_constraintdef(c.oid) AS "constraintDef"
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u') AND c.conrelid = x.indrelid
     WHERE x.indrelid = $1::regclass ORDER BY i.relname`,
    [table],
  );
}

/** Recreates the indexes read off the old table (their definitions name the table, now the new one). */
async function recreateIndexes(q: QueryRunner, table: string, indexes: IndexDef[]): Promise<void> {
  for (const index of indexes) {
    if (index.constraint) await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${index.constraint} ${index.constraintDef}`);
    else await q.query(index.def);
  }
}

async function partition(q: QueryRunner, table: string): Promise<void> {
  const indexes = await indexesOf(q, table);
  const old = `${table}_unpartitioned`;
  await q.query(`ALTER TABLE ${table} RENAME TO ${old}`);
  // Renaming an index that backs a constraint renames the constraint too: the names are free again.
  for (const index of indexes) await q.query(`ALTER INDEX ${index.name} RENAME TO ${index.name}_old`);
  await q.query(`CREATE TABLE ${table} (LIKE ${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (municipality_code)`);
  await recreateIndexes(q, table, indexes);
  const codes: { code: number }[] = await q.query(`SELECT DISTINCT municipality_code AS code FROM ${old} ORDER BY 1`);
  for (const { code } of codes) {
    await q.query(`CREATE TABLE ${table}_m${code} PARTITION OF ${table} FOR VALUES IN (${Number(code)})`);
  }
  if (codes.length > 0) await q.query(`INSERT INTO ${table} SELECT * FROM ${old}`);
  await q.query(`DROP TABLE ${old}`);
}

async function unpartition(q: QueryRunner, table: string): Promise<void> {
  const indexes = await indexesOf(q, table);
  const old = `${table}_partitioned`;
  await q.query(`ALTER TABLE ${table} RENAME TO ${old}`);
  for (const index of indexes) await q.query(`ALTER INDEX ${index.name} RENAME TO ${index.name}_old`);
  await q.query(`CREATE TABLE ${table} (LIKE ${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await q.query(`INSERT INTO ${table} SELECT * FROM ${old}`);
  await recreateIndexes(
    q,
    table,
    indexes.map((i) => ({ ...i, def: i.def.replace(/ ON ONLY /, ' ON ') })),
  );
  await q.query(`DROP TABLE ${old} CASCADE`);
}
