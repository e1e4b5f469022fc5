import type { PoolClient } from 'pg';
import { EntityDef, scopeColumns } from './entities';

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export const stagingTable = (def: EntityDef): string => `stg_${def.table}`;

/** A temporary staging table shaped like the canonical table, plus line numbers; dropped at commit. */
export async function createStaging(client: PoolClient, def: EntityDef): Promise<void> {
  const extra = (def.extra ?? []).map(([c, t]) => `, ADD COLUMN ${c} ${t}`).join('');
  await client.query(`CREATE TEMP TABLE ${stagingTable(def)} (LIKE ${def.table}) ON COMMIT DROP`);
  await client.query(`ALTER TABLE ${stagingTable(def)} ADD COLUMN _file text, ADD COLUMN _line integer${extra}`);
}

export interface MergeOptions {
  /**
   * Whether a key repeats among the staged rows, when the caller knows: without repeats the
   * last-of-each-key pass (a sort of every staged row) is skipped. Unknown: a first import tries
   * the plain insert (the primary key refuses a repeated key, and the sorted insert follows);
   * otherwise a hash aggregate checks (cheaper than the sort).
   */
  repeated?: boolean;
  /**
   * The staged rows as a query (every merged column and _line) instead of the staging table
   * itself: the same rows and keys, other values (notifications linked to cases).
   */
  from?: string;
  /** Called once, before the merge, when some key repeats among the staged rows (the duplicate warnings). */
  onRepeated?: () => Promise<unknown>;
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
  options: MergeOptions = {},
): Promise<MergeCounts> {
  const keys = [...scopeColumns(def), ...def.key];
  const cols = [...keys, ...def.values];
  const src = `${stagingTable(def)}_src`;
  const from = options.from ?? stagingTable(def);
  const keyMatch = keys.map((k) => `s.${k} = t.${k}`).join(' AND ');
  const plain = `SELECT ${cols.join(', ')} FROM ${from} AS staged`;
  // The last row of each key (only needed when some key repeats).
  const distinct = `SELECT DISTINCT ON (${keys.join(', ')}) ${cols.join(', ')} FROM ${from} AS staged ORDER BY ${keys.join(', ')}, _line DESC`;
  if (replace) {
    // A first import of this scope (nothing to compare with): one plain insert, no copy, no anti-join.
    const { rows: existing } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${def.table} t WHERE ${replace.where}) AS any`, replace.params);
    if (!existing[0].any) {
      if (options.repeated !== true) {
        // Every row in file order (sorting by the key first costs more than the B-tree gains).
        // The primary key is the scope and key columns: when no key repeats, and that is the
        // usual case, the insert succeeds and no pass over the rows had to find out first.
        if (options.repeated === undefined) await client.query('SAVEPOINT merge_plain');
        try {
          const inserted = (await client.query(`INSERT INTO ${def.table} (${cols.join(', ')}) ${plain}`)).rowCount ?? 0;
          if (options.repeated === undefined) await client.query('RELEASE SAVEPOINT merge_plain');
          return { inserted, updated: 0, removed: 0, unchanged: 0 };
        } catch (error) {
          if (options.repeated !== undefined || (error as { code?: string }).code !== '23505') throw error;
          await client.query('ROLLBACK TO SAVEPOINT merge_plain');
        }
      }
      await options.onRepeated?.();
      const inserted = (await client.query(`INSERT INTO ${def.table} (${cols.join(', ')}) ${distinct}`)).rowCount ?? 0;
      return { inserted, updated: 0, removed: 0, unchanged: 0 };
    }
  }
  const repeated = options.repeated ?? (await hasRepeatedKeys(client, stagingTable(def), keys));
  if (repeated) await options.onRepeated?.();
  const lastOfEachKey = repeated ? distinct : plain;
  // The snapshot's rows, the last of each key; plain statements below rather than
  // INSERT ... ON CONFLICT, whose speculative insertion is several times slower in bulk.
  await client.query(
    `CREATE TEMP TABLE ${src} ON COMMIT DROP AS ${lastOfEachKey}`,
  );
  await client.query(`ANALYZE ${src}`);
  const removed = replace
    ? (await client.query(`DELETE FROM ${def.table} t WHERE (${replace.where}) AND NOT EXISTS (SELECT 1 FROM ${src} s WHERE ${keyMatch})`, replace.params)).rowCount ?? 0
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
