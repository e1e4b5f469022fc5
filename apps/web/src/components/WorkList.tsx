import { Fragment, useState } from 'react';
import type { CaseworkerInfo } from '@bu/contracts';
import type { ListColumn } from '@bu/dashboards';
import { linkHref } from '../drill';
import { formatDate, formatNumber } from '../format';

type Row = Record<string, unknown>;

function cell(value: unknown, column: ListColumn, names: Record<string, CaseworkerInfo>): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value)) return value.join(', ');
  switch (column.format) {
    case 'date':
      return formatDate(String(value));
    case 'datetime': {
      const [date, time] = String(value).split('T');
      return `${formatDate(date)} kl. ${time}`;
    }
    case 'days':
      // Whole days, and whole kroner where a list shows an amount (its header says kr.).
      return formatNumber(Math.round(Number(value)));
    case 'days-left':
      return formatNumber(0 - Number(value)); // 0 - 0 is 0, where -0 would print "-0"
    case 'worker':
      return names[String(value)]?.name ?? String(value);
    default:
      return String(value);
  }
}

const numeric = (c: ListColumn) => c.format === 'days' || c.format === 'days-left';

const SHOWN = 10;

/** More than a year overdue: an old registration to correct in the case system, not today's work. */
export const OLD_AFTER_DAYS = 365;
export const isOld = (row: Row) => row.daysOverdue != null && Number(row.daysOverdue) > OLD_AFTER_DAYS;

/** A work list the team leader acts on: sorted by the API (days overdue first), first rows shown. */
export function WorkList({
  caption,
  rows,
  columns,
  names,
  drilled = false,
}: {
  caption: string;
  rows: Row[];
  columns: ListColumn[];
  names: Record<string, CaseworkerInfo>;
  /** The rows are a drill-down's part of the list. */
  drilled?: boolean;
}) {
  if (rows.length === 0) return <p className="ok-note">✓ Ingen på listen{drilled ? ' i dette udsnit' : ''}.</p>;
  // Today's work first; items more than a year overdue apart, with the way to correct them.
  const current = rows.filter((r) => !isOld(r));
  const old = rows.filter(isOld);
  return (
    <>
      {current.length > 0 ? (
        <ListTable caption={caption} rows={current} columns={columns} names={names} part="current" />
      ) : (
        <p className="ok-note">✓ Intet aktuelt på listen{drilled ? ' i dette udsnit' : ''}.</p>
      )}
      {old.length > 0 && (
        <div className="old-registrations" data-testid="old-registrations">
          <h3>Gamle registreringer — ret i fagsystemet ({formatNumber(old.length)})</h3>
          <p className="muted small">
            Mere end et år over fristen: oftest en registrering, der ikke er lukket i fagsystemet. Se{' '}
            <a href={linkHref('datakvalitet')}>datakvalitet</a>.
          </p>
          <ListTable caption={`${caption}: gamle registreringer`} rows={old} columns={columns} names={names} part="old" />
        </div>
      )}
    </>
  );
}

function ListTable({
  caption,
  rows,
  columns,
  names,
  part,
}: {
  caption: string;
  rows: Row[];
  columns: ListColumn[];
  names: Record<string, CaseworkerInfo>;
  /** Today's work, or the old registrations grouped apart. */
  part: 'current' | 'old';
}) {
  const [all, setAll] = useState(false);
  // The rows whose count is opened to the rows behind it (a column with `opens`).
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const toggle = (i: number) => setOpened((o) => (o.has(i) ? new Set([...o].filter((x) => x !== i)) : new Set([...o, i])));
  const shown = all ? rows : rows.slice(0, SHOWN);
  return (
    <>
      <table className="value-table work-list" data-part={part}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={numeric(c) ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, i) => {
            const opener = columns.find((c) => c.opens && Array.isArray(row[c.opens.key]) && (row[c.opens.key] as Row[]).length > 0);
            return (
              <Fragment key={i}>
                <tr data-testid={`list-row-${String(row.case ?? i)}`}>
                  {columns.map((c) => (
                    <td
                      key={c.key}
                      className={numeric(c) ? 'num' : undefined}
                      data-value={numeric(c) ? String(row[c.key]) : undefined}
                      data-label={c.label}
                    >
                      {c === opener ? (
                        <button
                          type="button"
                          className="link"
                          aria-expanded={opened.has(i)}
                          aria-label={`${c.opens!.label}: ${cell(row[c.key], c, names)}`}
                          onClick={() => toggle(i)}
                        >
                          {cell(row[c.key], c, names)}
                        </button>
                      ) : (
                        cell(row[c.key], c, names)
                      )}
                    </td>
                  ))}
                </tr>
                {opener && opened.has(i) && (
                  <tr className="opened-rows" data-testid={`opened-${String(row.case ?? i)}`}>
                    <td colSpan={columns.length}>
                      <table className="value-table">
                        <caption>{opener.opens!.label}</caption>
                        <thead>
                          <tr>
                            {opener.opens!.columns.map((c) => (
                              <th key={c.key} scope="col" className={numeric(c) ? 'num' : undefined}>
                                {c.label}
                              </th>
                            ))}
                          </tr>
                        </thead>
                        <tbody>
                          {(row[opener.opens!.key] as Row[]).map((sub, j) => (
                            <tr key={j}>
                              {opener.opens!.columns.map((c) => (
                                <td key={c.key} className={numeric(c) ? 'num' : undefined}>
                                  {cell(sub[c.key], c, names)}
                                </td>
                              ))}
                            </tr>
                          ))}
                        </tbody>
                      </table>
                      {Number(row[opener.key]) > (row[opener.opens!.key] as Row[]).length && (
                        <p className="muted small">
                          De første {formatNumber((row[opener.opens!.key] as Row[]).length)} af {formatNumber(Number(row[opener.key]))}.
                        </p>
                      )}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {rows.length > SHOWN && (
        <button type="button" className="link" onClick={() => setAll(!all)}>
          {all ? 'Vis færre' : `Vis alle ${formatNumber(rows.length)}`}
        </button>
      )}
    </>
  );
}
