import type { ListColumn } from '@bu/dashboards';
import { formatNumber, formatShare } from '../format';
import { SMALL_N } from './ShareCard';
import { displayValue } from './ValueTable';

/** The counts behind a cell's share, when the value carries them (`basis` per column key). */
const countsOf = (cells: Record<string, unknown>, key: string) =>
  (cells.basis as Record<string, { numerator: number; denominator: number }> | undefined)?.[key];

/**
 * An object of objects (per team: per deadline) as a table: shares in %, or plain numbers when
 * `asShares` is false (per measure type: count, median, mean).
 */
export function ShareTable({
  caption,
  value,
  columns,
  rowHref,
  rowHeader = 'Team',
  asShares = true,
}: {
  caption: string;
  value: Record<string, Record<string, unknown>>;
  columns: ListColumn[];
  /** Each row (team) links to the rows behind it (drill-down). */
  rowHref?: (row: string) => string;
  rowHeader?: string;
  asShares?: boolean;
}) {
  const format = asShares ? formatShare : formatNumber;
  // On a phone the columns (one per deadline) are wider than the screen: the table scrolls
  // sideways inside its card, focusable for the keyboard, and the page does not.
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="value-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{rowHeader}</th>
            {columns.map((c) => (
              <th key={c.key} scope="col" className="num">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(value).map(([row, cells]) => (
            <tr key={row} data-testid={`share-row-${row}`}>
              <th scope="row">{rowHref ? <a href={rowHref(row)}>{row}</a> : row}</th>
              {columns.map((c) => (
                <td key={c.key} className="num" data-value={String(cells[c.key] ?? '')}>
                  {typeof cells[c.key] === 'number' ? format(cells[c.key] as number) : displayValue(cells[c.key])}
                  {/* A share of few says its n ("2 af 4"): one case moves it by more than 5 points. */}
                  {asShares && (countsOf(cells, c.key)?.denominator ?? SMALL_N) < SMALL_N && (
                    <span className="muted small" data-testid="share-n">
                      {' '}
                      ({formatNumber(countsOf(cells, c.key)!.numerator)} af {formatNumber(countsOf(cells, c.key)!.denominator)})
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
