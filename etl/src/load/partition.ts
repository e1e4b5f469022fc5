import type { ClientBase, PoolClient } from 'pg';
import { EntityDef, scopeColumns } from './entities';
import type { MergeCounts } from './merge';
import { stagingTable } from './merge';
import type { EarlyComparison, StagedTable } from './staged-table';

// A case-system snapshot replaces one municipality's rows from one source. The case-system tables
// are partitioned by municipality (migration 1732900000000), so the import builds the
// municipality's new partition as a table of its own: a bulk insert without indexes, then the
// primary key and the other indexes built from the parent's definitions (a sort each, in parallel
// where the server can), instead of B-tree maintenance row by row in a big shared table. The new
// partition replaces the current one just before commit (`swapPartitions`).

export interface PartitionBuild {
  table: string;
  municipality: number;
  /** The partition being replaced, null for the municipality's first rows in the table. */
  current: string | null;
  /** The new partition's name, not yet attached; null when nothing changed (the current one stays). */
  next: string | null;
  /** The table that becomes it, in the import's schema until `placePartitions`. */
  built: string | null;
}

/** The partition of `table` holding `municipality`, if any. */
export async function currentPartition(client: ClientBase, table: string, municipality: number): Promise<string | null> {
  const { rows } = await client.query(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass AND pg_get_expr(c.relpartbound, c.oid) = $2`,
    [table, `FOR VALUES IN ('${municipality}')`],
  );
  return rows[0]?.name ?? null;
}

interface ParentIndex {
  name: string;
  def: string;
  constraint: string | null;
  constraintDef: string | null;
}

async function parentIndexes(client: ClientBase, table: string): Promise<ParentIndex[]> {
  const { rows } = await client.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, c.conname AS constraint, pg_get_constraintdef(c.oid) AS "constraintDef"
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u') AND c.conrelid = x.indrelid
     WHERE x.indrelid = $1::regclass ORDER BY c.conname IS NULL, i.relname`,
    [table],
  );
  return rows;
}

/** The parent's index name with the partition's name in place of the table's (within 63 bytes). */
function partitionIndexName(table: string, partition: string, index: string): string {
  const name = index.startsWith(`${table}_`) ? `${partition}${index.slice(table.length)}` : `${partition}_${index}`;
  return name.slice(0, 63);
}

export interface PartitionOptions {
  /**
   * Whether a key repeats among the staged rows, when the caller knows: without repeats the
   * last-of-each-key copy (a sort of every staged row) is not needed. Unknown: the primary key's
   * build says, and the sorted copy follows only when it refuses a repeated key.
   */
  repeated?: boolean;
  /**
   * The staged rows as a query (every column and _line) instead of the staging table itself: the
   * same rows and keys, other values (notifications linked to cases).
   */
  from?: string;
  /** Called once, before the copy, when some key repeats among the staged rows (the duplicate warnings). */
  onRepeated?: () => Promise<unknown>;
  /**
   * What is known of the staging table (StagedTable): whether it can become the partition as it is
   * (`asPartition`), already has the partition's indexes (`prebuilt`, ignored with `from`), and its
   * rows (`rows`, not counted again when the table becomes the partition).
   */
  staging?: StagedTable;
  /**
   * Runs the CREATE TABLE of a fresh partition on a connection outside the import's transaction.
   * `LIKE` the parent table takes a lock on it that a transaction keeps until commit, and another
   * import's swap needs the parent to itself: two imports of different municipalities would wait
   * for each other.
   */
  createOutside?: (sql: string) => Promise<unknown>;
  /** The new partition's name, when not the usual one (a build that may be thrown away and done again). */
  name?: string;
  /**
   * false when the municipality has no snapshot of another source: its partitions then hold only
   * this source's rows, and no pass over the current partition looks for others to keep.
   */
  otherSources?: boolean;
}

/** The parent's indexes other than the primary key, as statements on `target` named after `next`. */
function otherIndexStatements(table: string, next: string, target: string, others: ParentIndex[]): string[] {
  return others.map((index) =>
    index.def.replace(
      /^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+/,
      (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${partitionIndexName(table, next, index.name)} ON ${target}`,
    ),
  );
}

/** The name of the municipality's partition this import builds. */
export const partitionName = (table: string, municipality: number, importId: string): string =>
  `${table}_m${Number(municipality)}_i${Number(importId)}`;

/**
 * Builds the primary key and the other indexes on a staging table that can become the partition
 * as it is, as soon as its file is loaded, on a connection of its own outside the import's
 * transaction (autocommit: each statement stands or fails alone; the staging table is the import's
 * scratch until the transaction adopts it): while later files are read and the import's
 * transaction links notifications, PostgreSQL builds these indexes at the same time. false (and
 * nothing built) when a key repeats: then the snapshot's rules run first and the last row of each
 * key is copied (`buildSnapshotPartition`). The import's transaction must not have touched the
 * table yet (ADD PRIMARY KEY waits for every lock on it).
 */
export async function prebuildPartition(builders: ClientBase[], def: EntityDef, municipality: number, importId: string): Promise<boolean> {
  const table = def.table;
  const next = partitionName(table, municipality, importId);
  const [builder] = builders;
  const [primary, ...others] = await parentIndexes(builder, table);
  const key = /^PRIMARY KEY \((.*)\)$/.exec(primary.constraintDef ?? '')?.[1];
  if (!key) throw new Error(`${table}: primary key not understood: ${primary.constraintDef}`);
  const primaryName = partitionIndexName(table, next, primary.constraint ?? primary.name);
  // The primary key's index and the other indexes at the same time, each on its own connection (a
  // CREATE INDEX lets another run on the same table; ADD PRIMARY KEY would not): two sorts on two
  // cores instead of one after the other. Then the index becomes the primary key (no second build).
  const statements = [
    `CREATE UNIQUE INDEX ${primaryName} ON ${stagingTable(def)} (${key})`,
    ...otherIndexStatements(table, next, stagingTable(def), others),
  ];
  const results = await Promise.allSettled(statements.map((statement, i) => builders[i % builders.length].query(statement)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    if ((failure.reason as { code?: string }).code === '23505' && results[0].status === 'rejected') {
      // A key repeats: the partition is built after the rules, as a table of its own whose indexes
      // take these names.
      for (const index of others) await builder.query(`DROP INDEX IF EXISTS ${partitionIndexName(table, next, index.name)}`);
      return false;
    }
    throw failure.reason;
  }
  await builder.query(`ALTER TABLE ${stagingTable(def)} ADD CONSTRAINT ${primaryName} PRIMARY KEY USING INDEX ${primaryName}`);
  await addScopeCheck(builder, stagingTable(def), next, municipality);
  return true;
}

/**
 * The statistics of a staging table that may become the partition, at the default target (see
 * scopeAndStatistics), on a connection outside the transaction. Not while its indexes are built:
 * ANALYZE and CREATE INDEX lock each other out, and an ANALYZE waiting for one build makes the
 * second build wait behind it (PostgreSQL queues a lock behind a waiting conflicting one).
 */
export async function analyzeStaging(client: ClientBase, def: EntityDef): Promise<void> {
  await client.query(statisticsSql(stagingTable(def), 'SET'));
}

/**
 * Drops what prebuildPartition built on a staging table that does not become the partition after
 * all (its rows are copied into a fresh table, whose indexes take these names). In the import's
 * transaction, which may now touch the table: the builders are done with it.
 */
export async function discardPrebuilt(client: ClientBase, def: EntityDef, municipality: number, importId: string): Promise<void> {
  const table = def.table;
  const next = partitionName(table, municipality, importId);
  const [primary, ...others] = await parentIndexes(client, table);
  await client.query(
    `ALTER TABLE ${stagingTable(def)} DROP CONSTRAINT IF EXISTS ${partitionIndexName(table, next, primary.constraint ?? primary.name)}`,
  );
  for (const index of others) await client.query(`DROP INDEX IF EXISTS ${partitionIndexName(table, next, index.name)}`);
}

/**
 * The check that lets ATTACH PARTITION skip its own scan of the table (made here, before the swap's
 * exclusive lock), and the statistics a new table lacks: the KPI queries right after the import
 * need them (the import's own, rougher target is for its staging tables). Rows the snapshot's rules
 * remove later do not change the picture.
 */
async function scopeAndStatistics(client: ClientBase, target: string, next: string, municipality: number): Promise<void> {
  await addScopeCheck(client, target, next, municipality);
  await client.query(statisticsSql(target, 'SET LOCAL'));
}

/** The statistics the KPI queries need, at the default target, back to the import's own after. */
const statisticsSql = (target: string, set: 'SET' | 'SET LOCAL'): string =>
  `${set} default_statistics_target = 100; ANALYZE ${target}; ${set} default_statistics_target = 10`;

/**
 * The check that the partition `next` holds only the municipality's rows, on `target` (the table
 * that becomes it) unless it is there already: made on an empty table (`scopeEmptyStaging`), the
 * rows are checked as they are loaded, instead of in a pass of their own afterwards.
 */
async function addScopeCheck(client: ClientBase, target: string, next: string, municipality: number): Promise<void> {
  const { rows } = await client.query(`SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2`, [
    target,
    `${next}_scope`,
  ]);
  if (rows.length === 0)
    await client.query(`ALTER TABLE ${target} ADD CONSTRAINT ${next}_scope CHECK (municipality_code = ${Number(municipality)})`);
}

/** The scope check on a staging table that can become the partition, while it is still empty (see addScopeCheck). */
export async function scopeEmptyStaging(client: ClientBase, def: EntityDef, municipality: number, importId: string): Promise<void> {
  await addScopeCheck(client, stagingTable(def), partitionName(def.table, municipality, importId), municipality);
}

/**
 * Builds the municipality's new partition of `def.table`: the staged rows of `source` (the last of
 * each key) plus the current partition's rows of other sources, with the parent's primary key, and
 * counts what changed against the current partition. When something changed, the other indexes are
 * built and the table analysed; it is attached just before commit (`swapPartitions`).
 */
export async function buildSnapshotPartition(
  client: PoolClient,
  def: EntityDef,
  municipality: number,
  source: string,
  importId: string,
  options: PartitionOptions = {},
): Promise<{ counts: MergeCounts; build: PartitionBuild }> {
  const table = def.table;
  const keys = [...scopeColumns(def), ...def.key];
  const cols = [...keys, ...def.values];
  const from = options.from ?? stagingTable(def);
  const current = await currentPartition(client, table, municipality);
  const next = options.name ?? partitionName(table, municipality, importId);
  const [primary, ...others] = await parentIndexes(client, table);
  const addPrimary = (target: string) =>
    `ALTER TABLE ${target} ADD CONSTRAINT ${partitionIndexName(table, next, primary.constraint ?? primary.name)} ${primary.constraintDef}`;
  const lastOfEachKey = `SELECT DISTINCT ON (${keys.join(', ')}) ${cols.join(', ')} FROM ${from} AS staged ORDER BY ${keys.join(', ')}, _line DESC`;
  const fresh = async (rows: string): Promise<number> => {
    // IF NOT EXISTS: made outside the transaction, it outlives a rollback to a savepoint (empty again).
    const create = `CREATE TABLE IF NOT EXISTS ${next} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`;
    await (options.createOutside ? options.createOutside(create) : client.query(create));
    await addScopeCheck(client, next, next, municipality);
    const n = (await client.query(`INSERT INTO ${next} (${cols.join(', ')}) ${rows}`)).rowCount ?? 0;
    await client.query(addPrimary(next));
    return n;
  };

  let staged: number;
  let adopted = false;
  const { asPartition = false, prebuilt = false, rows: rowsKnown } = options.staging ?? {};
  if (options.repeated === true) {
    await options.onRepeated?.();
    staged = await fresh(lastOfEachKey);
  } else if (!options.from && (prebuilt || asPartition)) {
    // The staging table itself, when its primary key builds: then no key repeats.
    await client.query('SAVEPOINT partition_adopt');
    try {
      if (!prebuilt) await client.query(addPrimary(stagingTable(def)));
      await client.query('RELEASE SAVEPOINT partition_adopt');
      staged = rowsKnown ?? Number((await client.query(`SELECT count(*) AS n FROM ${stagingTable(def)}`)).rows[0].n);
      adopted = true;
    } catch (error) {
      if (options.repeated === false || (error as { code?: string }).code !== '23505') throw error;
      await client.query('ROLLBACK TO SAVEPOINT partition_adopt');
      await options.onRepeated?.();
      staged = await fresh(lastOfEachKey);
    }
  } else {
    const plain = `SELECT ${cols.join(', ')} FROM ${from} AS staged`;
    if (options.repeated === false) {
      staged = await fresh(plain);
    } else {
      // Every row in file order; the primary key's build says whether an id repeats (the usual
      // case: no), and only then are the rows taken again, the last of each key.
      await client.query('SAVEPOINT partition_plain');
      try {
        staged = await fresh(plain);
        await client.query('RELEASE SAVEPOINT partition_plain');
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        await client.query('ROLLBACK TO SAVEPOINT partition_plain');
        await options.onRepeated?.();
        staged = await fresh(lastOfEachKey);
      }
    }
  }
  const built = adopted ? stagingTable(def) : next;
  if (current && options.otherSources !== false) {
    // A municipality that changed case system keeps the other system's rows.
    await client.query(`INSERT INTO ${built} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM public.${current} WHERE source <> $1`, [
      source,
    ]);
  }
  // Compared beside the loader: the same rows of the source, when the staging table became the
  // partition as prebuilt and no rule removed a row of it since (rows of other sources added above
  // are not compared).
  const early = options.staging?.compared;
  const comparedEarly = early !== undefined && early.current === current && adopted && prebuilt && !options.staging?.removed;
  const compareInTransaction = async (current: string) => {
    // For this statement only, then back to what the transaction had (a failure aborts it anyway).
    const { rows } = await client.query<{ was: string }>(`SELECT current_setting('enable_hashjoin') AS was`);
    await client.query(`SET LOCAL enable_hashjoin = off`);
    const compared = await compareWithCurrent(client, def, current, built, source);
    await client.query(`SELECT set_config('enable_hashjoin', $1, true)`, [rows[0].was]);
    return compared;
  };
  const counts = current
    ? comparedEarly
      ? early.counts
      : await compareInTransaction(current)
    : { inserted: staged, updated: 0, removed: 0, unchanged: 0 };
  if (current && counts.inserted + counts.updated + counts.removed === 0) {
    // The same snapshot again: the current partition stays, nothing is locked; the new table goes
    // with the import's schema.
    return { counts, build: { table, municipality, current, next: null, built } };
  }
  if (adopted) {
    const staging = ['_file', '_line', ...(def.extra ?? []).map(([c]) => c)];
    await client.query(`ALTER TABLE ${built} ${staging.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
  }
  if (!(adopted && prebuilt)) {
    for (const statement of otherIndexStatements(table, next, built, others)) await client.query(statement);
    await scopeAndStatistics(client, built, next, municipality);
  }
  return { counts, build: { table, municipality, current, next, built } };
}

/**
 * A staging table that can become the partition as it is, compared with the municipality's current
 * partition on a connection beside the loader (its hash join in the server's memory, as in the
 * import's transaction), while the import's transaction goes on with the rules and the other
 * tables: a re-import's comparison then costs no wall time of its own. null for the municipality's
 * first rows in the table. The partition build takes the counts only when the rows compared are
 * still the rows it adopts (see buildSnapshotPartition).
 */
export async function compareStagedEarly(
  client: ClientBase,
  def: EntityDef,
  municipality: number,
  source: string,
): Promise<EarlyComparison | null> {
  const current = await currentPartition(client, def.table, municipality);
  if (!current) return null;
  // Without statistics yet (analysed meanwhile): the merge of the two key indexes is asked for.
  await client.query(
    `BEGIN; SET LOCAL work_mem = '256MB'; SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_nestloop = off`,
  );
  try {
    const counts = await compareWithCurrent(client, def, current, stagingTable(def), source);
    await client.query('COMMIT');
    return { current, counts };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * New, changed, unchanged and removed keys of one source between the current and the new partition.
 * Both have the primary key's index: a merge of the two in key order costs less than a hash of one
 * side's whole rows (a million measures: about 30 % less), and needs no memory.
 */
async function compareWithCurrent(client: ClientBase, def: EntityDef, current: string, next: string, source: string): Promise<MergeCounts> {
  const keys = [...scopeColumns(def), ...def.key];
  const match = keys.map((k) => `o.${k} = n.${k}`).join(' AND ');
  const changed =
    def.values.length === 0
      ? 'false'
      : `(${def.values.map((v) => `o.${v}`).join(', ')}) IS DISTINCT FROM (${def.values.map((v) => `n.${v}`).join(', ')})`;
  // The values compared once per kept key (unchanged = kept - updated), not once for each count.
  const { rows } = await client.query(
    `SELECT count(*) FILTER (WHERE o.source IS NULL)::int AS inserted,
            count(*) FILTER (WHERE n.source IS NULL)::int AS removed,
            count(*) FILTER (WHERE o.source IS NOT NULL AND n.source IS NOT NULL AND ${changed})::int AS updated,
            count(*) FILTER (WHERE o.source IS NOT NULL AND n.source IS NOT NULL)::int AS kept
     FROM (SELECT * FROM public.${current} WHERE source = $1) o FULL JOIN (SELECT * FROM ${next} WHERE source = $1) n ON ${match}`,
    [source],
  );
  const { inserted, removed, updated, kept } = rows[0];
  return { inserted, removed, updated, unchanged: kept - updated };
}

/**
 * Gives the built tables their partition names and moves them out of the import's schema, next to
 * the tables they will be partitions of (after every build: the staging names are used until then).
 */
export async function placePartitions(client: PoolClient, builds: PartitionBuild[]): Promise<void> {
  for (const b of builds) {
    if (!b.next || !b.built) continue;
    if (b.built !== b.next) await client.query(`ALTER TABLE ${b.built} RENAME TO ${b.next}`);
    await client.query(`ALTER TABLE ${b.next} SET SCHEMA public`);
  }
}

/**
 * Puts the new partitions in place of the current ones, just before commit. Dropping a partition
 * needs an ACCESS EXCLUSIVE lock on its parent table, held until commit: readers of every
 * municipality wait for it, so it is taken last, for all tables at once, and only with a short
 * lock timeout (a long KPI query keeps it from being granted: the import waits and tries again
 * rather than queueing every other reader behind it). Attaching a new partition takes only a
 * SHARE UPDATE EXCLUSIVE lock, which readers do not wait for.
 */
export async function swapPartitions(
  client: PoolClient,
  builds: PartitionBuild[],
  opts: { attempts?: number; lockTimeoutMs?: number } = {},
): Promise<void> {
  const changing = builds.filter((b) => b.next !== null);
  const replacing = changing.filter((b) => b.current !== null);
  const attempts = opts.attempts ?? 60;
  for (let attempt = 1; ; attempt++) {
    await client.query('SAVEPOINT swap_partitions');
    try {
      await client.query(`SET LOCAL lock_timeout = '${opts.lockTimeoutMs ?? 500}ms'`);
      if (replacing.length > 0) {
        await client.query(`LOCK TABLE ONLY ${replacing.map((b) => b.table).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      }
      for (const b of changing) {
        if (b.current) await client.query(`DROP TABLE public.${b.current}`);
        await client.query(`ALTER TABLE ${b.table} ATTACH PARTITION public.${b.next} FOR VALUES IN (${Number(b.municipality)})`);
      }
      await client.query(`SET LOCAL lock_timeout = 0`);
      await client.query('RELEASE SAVEPOINT swap_partitions');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03' || attempt >= attempts) throw error;
      await client.query('ROLLBACK TO SAVEPOINT swap_partitions');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
    }
  }
}
