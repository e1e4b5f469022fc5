import { MigrationInterface, QueryRunner } from 'typeorm';
import { FACT_TABLES } from './1732750000000-FactTablesWithoutMunicipalityFk';

// The text columns of the case-system tables' keys and indexes (case numbers, measure ids,
// pseudonyms, initials, source) compare byte by byte (COLLATE "C") instead of by the database's
// language rules. Why: an import builds each municipality's partition with its indexes (a sort per
// index), and PostgreSQL sorts text in a libc collation by calling strcoll for every comparison,
// without the abbreviated keys it uses for "C": the index builds of an import took about a fifth
// longer (npm run bench -- etl). These are identifiers, not words: nobody reads them in alphabetical
// order, and for UTF-8 byte order is code-point order, the order C.UTF-8 gives.

interface KeyColumn {
  table: string;
  column: string;
}

async function keyColumns(q: QueryRunner): Promise<KeyColumn[]> {
  return q.query(
    `SELECT DISTINCT c.relname AS table, a.attname AS column
     FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
     WHERE c.relname = ANY ($1) AND c.relnamespace = 'public'::regnamespace AND a.atttypid = 'text'::regtype
     ORDER BY 1, 2`,
    [FACT_TABLES],
  );
}

export class KeysInByteOrder1732950000000 implements MigrationInterface {
  name = 'KeysInByteOrder1732950000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, column } of await keyColumns(q)) await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "C"`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, column } of await keyColumns(q))
      await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "default"`);
  }
}
