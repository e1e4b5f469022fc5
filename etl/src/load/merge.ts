import type { ClientBase, PoolClient } from 'pg';
import { EntityDef, scopeColumns } from './entities';

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export const stagingTable = (def: EntityDef): string => `stg_${def.table}`;

/**
 * A staging table shaped like the canonical table, plus the file, the line and the entity's
 * staging-only columns:
 * - `temporary`: in the import's session, dropped at commit (economy, statistics);
 * - `partition`: a regular table in the import's schema with the canonical table's defaults and
 *   checks, which can itself become the municipality's new partition (load/partition.ts); any of
 *   the import's connections can load it;
 * - `unlogged`: in the import's schema too, for rows copied into the partition anyway (rewritten on
 *   the way): no WAL for what is thrown away.
 */
export async function createStaging(
  client: ClientBase,
  def: EntityDef,
  kind: 'temporary' | 'partition' | 'unlogged' = 'temporary',
): Promise<void> {
  const columns = `_file text, _line integer${(def.extra ?? []).map(([c, t]) => `, ${c} ${t}`).join('')}`;
  const sql = {
    temporary: `CREATE TEMP TABLE ${stagingTable(def)} (LIKE ${def.table}, ${columns}) ON COMMIT DROP`,
    partition: `CREATE TABLE ${stagingTable(def)} (LIKE ${def.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, ${columns})`,
    unlogged: `CREATE UNLOGGED TABLE ${stagingTable(def)} (LIKE ${def.table}, ${columns})`,
  }[kind];
  await client.query(sql);
}

/** True when some key occurs more than once in the table (or query). */
export async function hasRepeatedKeys(client: PoolClient, from: string, key: string[]): Promise<boolean> {
  const k = key.join(', ');
  const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${from} AS staged GROUP BY ${k} HAVING count(*) > 1) AS repeated`);
  return rows[0].repeated;
}

/**
 * Merges the staged rows into the table. `replace` says which existing rows the staged rows
 * replace (rows there that are not staged are removed); null: nothing is removed.
 */
export async function mergeStaged(
  client: PoolClient,
  def: EntityDef,
  replace: { where: string; params: unknown[] } | null,
): Promise<MergeCounts> {
  const keys = [...scopeColumns(def), ...def.key];
  const cols = [...keys, ...def.values];
  const src = `${stagingTable(def)}_src`;
  const from = stagingTable(def);
  const keyMatch = keys.map((k) => `s.${k} = t.${k}`).join(' AND ');
  const plain = `SELECT ${cols.join(', ')} FROM ${from} AS staged`;
  // The last row of each key (only needed when some key repeats).
  const distinct = `SELECT DISTINCT ON (${keys.join(', ')}) ${cols.join(', ')} FROM ${from} AS staged ORDER BY ${keys.join(', ')}, _line DESC`;
  if (replace) {
    // A first import of this scope (nothing to compare with): one plain insert, no copy, no anti-join.
    const { rows: existing } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM ${def.table} t WHERE ${replace.where}) AS any`,
      replace.params,
    );
    if (!existing[0].any) {
      // Every row in file order (sorting by the key first costs more than the B-tree gains). The
      // primary key is the scope and key columns: when no key repeats, and that is the usual case,
      // the insert succeeds and no pass over the rows had to find out first.
      await client.query('SAVEPOINT merge_plain');
      try {
        const inserted = (await client.query(`INSERT INTO ${def.table} (${cols.join(', ')}) ${plain}`)).rowCount ?? 0;
        await client.query('RELEASE SAVEPOINT merge_plain');
        return { inserted, updated: 0, removed: 0, unchanged: 0 };
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        await client.query('ROLLBACK TO SAVEPOINT merge_plain');
      }
      const inserted = (await client.query(`INSERT INTO ${def.table} (${cols.join(', ')}) ${distinct}`)).rowCount ?? 0;
      return { inserted, updated: 0, removed: 0, unchanged: 0 };
    }
  }
  const repeated = await hasRepeatedKeys(client, from, keys);
  const lastOfEachKey = repeated ? distinct : plain;
  // The snapshot's rows, the last of each key; plain statements below rather than
  // INSERT ... ON CONFLICT, whose speculative insertion is several times slower in bulk.
  await client.query(`CREATE TEMP TABLE ${src} ON COMMIT DROP AS ${lastOfEachKey}`);
  await client.query(`ANALYZE ${src}`);
  const removed = replace
    ? ((
        await client.query(
          `DELETE FROM ${def.table} t WHERE (${replace.where}) AND NOT EXISTS (SELECT 1 FROM ${src} s WHERE ${keyMatch})`,
          replace.params,
        )
      ).rowCount ?? 0)
    : 0;
  const updated =
    def.values.length === 0
      ? 0
      : ((
          await client.query(
            `UPDATE ${def.table} t SET ${def.values.map((v) => `${v} = s.${v}`).join(', ')} FROM ${src} s
             WHERE ${keyMatch} AND (${def.values.map((v) => `t.${v}`).join(', ')}) IS DISTINCT FROM (${def.values.map((v) => `s.${v}`).join(', ')})`,
          )
        ).rowCount ?? 0);
  const inserted =
    (
      await client.query(
        `INSERT INTO ${def.table} (${cols.join(', ')}) SELECT ${cols.map((c) => `s.${c}`).join(', ')} FROM ${src} s
         WHERE NOT EXISTS (SELECT 1 FROM ${def.table} t WHERE ${keyMatch})`,
      )
    ).rowCount ?? 0;
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${src}`);
  return { inserted, updated, removed, unchanged: rows[0].n - inserted - updated };
}
