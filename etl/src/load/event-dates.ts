import { EntityDef, stagingColumns } from './entities';

// The event dates of a staged table as the parser wrote them: the newest date of an event that
// happened (`happened`, a subset) not after today (the default export date is the newest of these
// over the snapshot; a planned end is no sign of when the export was taken) and the latest of all (the
// date rule rejects dates more than a year after the export date). Known for every staged row, they
// spare the import a pass over each table for either, when no date is too late (the usual case).

/** ISO dates, or the ISO timestamps of local Danish time whose first ten characters are the local day. */
export class EventDateRange {
  newest: string | null = null;
  latest: string | null = null;
  /**
   * The earliest date of an event that happened after today: the day from which the same rows give
   * another default export date (a re-import of the same files is then not the same snapshot).
   */
  after: string | null = null;
  private readonly at: number[];
  private readonly ruleAt: Set<number>;
  private readonly happenedAt: Set<number>;

  constructor(
    def: EntityDef,
    columns: string[],
    private readonly today: string,
    happened: string[] = columns,
  ) {
    const staged = stagingColumns(def);
    const index = (column: string) => {
      const i = staged.indexOf(column);
      if (i < 0) throw new Error(`${def.table}: no staging column ${column}`);
      return i;
    };
    this.ruleAt = new Set(columns.map(index));
    this.happenedAt = new Set(happened.map(index));
    this.at = [...new Set([...this.ruleAt, ...this.happenedAt])];
  }

  /** A staged row (stagingColumns order). */
  see(values: unknown[]): void {
    for (const i of this.at) {
      const value = values[i];
      if (typeof value !== 'string') continue;
      const day = value.length > 10 ? value.slice(0, 10) : value;
      if (this.ruleAt.has(i) && (this.latest === null || day > this.latest)) this.latest = day;
      if (!this.happenedAt.has(i)) continue;
      if (day <= this.today) {
        if (this.newest === null || day > this.newest) this.newest = day;
      } else if (this.after === null || day < this.after) this.after = day;
    }
  }
}

/** PostgreSQL's `date + interval '1 year'` as a date: 29 February gives 28 February. */
export function oneYearAfter(date: string): string {
  const year = String(Number(date.slice(0, 4)) + 1).padStart(4, '0');
  return date.slice(5) === '02-29' ? `${year}-02-28` : `${year}${date.slice(4)}`;
}
