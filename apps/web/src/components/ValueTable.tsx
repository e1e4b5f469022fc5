import type { KpiValue, Suppressed } from '@bu/contracts';
import { formatNumber } from '../format';

export const isSuppressed = (v: unknown): v is Suppressed => typeof v === 'object' && v !== null && (v as Suppressed).suppressed === true;

export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (isSuppressed(v)) return '<5';
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

/** The numbers behind a figure as an accessible table; raw values in data-value for tests and export. */
export function ValueTable({
  caption,
  value,
  label,
  keyHeader,
  href,
  selected,
}: {
  caption: string;
  value: KpiValue;
  label?: (key: string) => string;
  keyHeader?: string;
  /** Each key links to the rows behind it (drill-down). */
  href?: (key: string) => string;
  /** The key of the active drill-down, marked in the table. */
  selected?: string;
}) {
  const entries: [string, unknown][] =
    typeof value === 'object' && value !== null && !isSuppressed(value)
      ? Object.entries(value as Record<string, unknown>)
      : [['Værdi', value]];
  return (
    <table className="value-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{keyHeader ?? 'Nøgle'}</th>
          <th scope="col" className="num">
            Værdi
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, v]) => (
          <tr key={key} data-testid={`row-${key}`} className={key === selected ? 'selected' : undefined}>
            <th scope="row">
              {href ? (
                <a href={href(key)} aria-current={key === selected ? 'true' : undefined}>
                  {label ? label(key) : key}
                </a>
              ) : label ? (
                label(key)
              ) : (
                key
              )}
            </th>
            <td className="num" data-value={typeof v === 'number' ? String(v) : ''}>
              {displayValue(v)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
