import type { EventDateRange } from './event-dates';
import type { MergeCounts } from './merge';

/**
 * What is known of one entity's staging table when the snapshot's rules and partition builds start:
 * one record per staged entity, filled in as its file is staged (DUBU's loader, builders and
 * checker know all of it; CSC stages in the transaction and knows only `asPartition`). The snapshot
 * (case-snapshot.ts) and the partition build (partition.ts) read it instead of a flag each.
 */
export interface StagedTable {
  /** Made as a `partition` staging table: it can become the municipality's partition as it is (stagesAsPartition). */
  asPartition?: boolean;
  /** The table already has the partition's primary key and indexes (prebuildPartition). */
  prebuilt?: boolean;
  /** The rows in the table, when the loader counted them (a table that becomes the partition is not counted again). */
  rows?: number;
  /**
   * Its event dates as the parser saw them: the default export date and the date rule need no pass
   * over a table whose dates are all early enough.
   */
  dates?: EventDateRange;
  /** UNKNOWN_CASE already checked beside the loader (checkCaseReferencesEarly): the rows found. */
  unknownCases?: number;
  /**
   * The staged rows compared with the municipality's current partition beside the loader
   * (compareStagedEarly): they stand for the partition build when no rule removed a row since.
   */
  compared?: EarlyComparison;
  /** Rows the snapshot's rules removed from the table (finishCaseSnapshot). */
  removed?: number;
}

/** What compareStagedEarly found: the partition compared with, and the counts. */
export interface EarlyComparison {
  current: string;
  counts: MergeCounts;
}
