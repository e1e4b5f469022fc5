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

/**
 * Replaces what the municipality's previous snapshot from this source said with the staged rows:
 * new rows are inserted, changed rows updated, rows missing from the snapshot removed. Rows that
 * are the same are not touched, so importing the same export twice changes nothing. Within the
 * snapshot the last row of a key wins.
 */
export function mergeSnapshot(client: PoolClient, def: EntityDef, municipality: number, source: string): Promise<MergeCounts> {
  return mergeStaged(client, def, { where: 't.municipality_code = $1 AND t.source = $2', params: [municipality, source] });
}

/**
 * Merges the staged rows into the table. `replace` says which existing rows the staged rows
 * replace (rows there that are not staged are removed); null: nothing is removed.
 */
export async function mergeStaged(client: PoolClient, def: EntityDef, replace: { where: string; params: unknown[] } | null): Promise<MergeCounts> {
  const keys = [...scopeColumns(def), ...def.key];
  const cols = [...keys, ...def.values];
  const stg = stagingTable(def);
  const keyMatch = keys.map((k) => `s.${k} = t.${k}`).join(' AND ');
  const onConflict =
    def.values.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${def.values.map((v) => `${v} = EXCLUDED.${v}`).join(', ')}
         WHERE (${def.values.map((v) => `t.${v}`).join(', ')}) IS DISTINCT FROM (${def.values.map((v) => `EXCLUDED.${v}`).join(', ')})`;
  const removed = replace
    ? `DELETE FROM ${def.table} t WHERE (${replace.where}) AND NOT EXISTS (SELECT 1 FROM src s WHERE ${keyMatch}) RETURNING 1`
    : 'SELECT 1 WHERE false';
  const { rows } = await client.query(
    `WITH src AS (
       SELECT DISTINCT ON (${keys.join(', ')}) ${cols.join(', ')} FROM ${stg}
       ORDER BY ${keys.join(', ')}, _line DESC
     ),
     removed AS (${removed}),
     upserted AS (
       INSERT INTO ${def.table} AS t (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM src
       ON CONFLICT (${keys.join(', ')}) ${onConflict}
       RETURNING (xmax = 0) AS inserted
     )
     SELECT (SELECT count(*) FROM src)::int AS total,
            (SELECT count(*) FROM removed)::int AS removed,
            (SELECT count(*) FILTER (WHERE inserted) FROM upserted)::int AS inserted,
            (SELECT count(*) FILTER (WHERE NOT inserted) FROM upserted)::int AS updated`,
    replace?.params ?? [],
  );
  const r = rows[0];
  return { inserted: r.inserted, updated: r.updated, removed: r.removed, unchanged: r.total - r.inserted - r.updated };
}
