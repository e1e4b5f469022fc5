import { formatNumber, formatShare } from '../format';
import { CONTINUITY_ROWS } from '../figure-rows';

interface Continuity {
  children: number;
  mean: number | null;
  noChangeShare: number | null;
  oneChangeShare: number | null;
  twoOrMoreShare: number | null;
}

const PARTS = [
  { key: 'noChangeShare', label: 'Ingen skift', className: 'none' },
  { key: 'oneChangeShare', label: '1 skift', className: 'one' },
  { key: 'twoOrMoreShare', label: '2 eller flere skift', className: 'two' },
] as const;

/**
 * Caseworker changes (continuity.caseworker_changes): the children judged, spread over no change,
 * one change and two or more as one bar of 100 %, each part with its share in words, and the mean.
 */
export function ContinuityChart({ value, title }: { value: Continuity; title: string }) {
  if (value.children === 0) return <p>Ingen børn med en sag, der har været åben i mindst 12 måneder.</p>;
  const spoken = PARTS.map((p) => `${p.label} ${formatShare(value[p.key] ?? 0)}`).join(', ');
  return (
    <>
      <p className="continuity-facts" data-testid="continuity-facts">
        <strong>{formatNumber(value.children)} børn</strong> · {value.mean === null ? '–' : formatNumber(value.mean)} skift pr. barn i
        gennemsnit
      </p>
      <div className="continuity-bar" role="img" aria-label={`${title}: ${formatNumber(value.children)} børn: ${spoken}`}>
        {PARTS.map((p) =>
          (value[p.key] ?? 0) > 0 ? (
            <span key={p.key} className={`part ${p.className}`} style={{ width: `${(value[p.key] ?? 0) * 100}%` }} />
          ) : null,
        )}
      </div>
      <ul className="continuity-legend">
        {PARTS.map((p) => (
          <li key={p.key}>
            <span className={`swatch ${p.className}`} aria-hidden="true" /> {p.label}: {formatShare(value[p.key] ?? 0)}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The same as a table: every field with its Danish label. */
export function ContinuityTable({ value, caption }: { value: Continuity; caption: string }) {
  return (
    <table className="value-table">
      <caption>{caption}</caption>
      <tbody>
        {CONTINUITY_ROWS.map(([key, label]) => {
          const v = value[key];
          return (
            <tr key={key} data-testid={`continuity-row-${key}`}>
              <th scope="row">{label}</th>
              <td className="num" data-value={String(v)}>
                {v === null ? '–' : key.endsWith('Share') ? formatShare(v) : formatNumber(v)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
