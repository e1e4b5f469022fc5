import { formatShare } from '../format';
import { displayValue, isSuppressed } from './ValueTable';

/** A share with a colour-blind-safe light: colour, symbol and word. */
export function ShareCard({ value, target }: { value: unknown; target?: number }) {
  if (value === null || value === undefined)
    return (
      <p className="big-number">
        –<span className="muted small"> ingen sager i perioden</span>
      </p>
    );
  if (isSuppressed(value) || typeof value !== 'number') return <p className="big-number">{displayValue(value)}</p>;
  const met = target === undefined ? null : value >= target;
  return (
    <p className="big-number" data-value={String(value)}>
      {formatShare(value)}
      {met !== null && (
        <span className={`light ${met ? 'green' : 'red'}`}>
          <span aria-hidden="true">{met ? '✓' : '✕'}</span> {met ? 'Mål nået' : 'Under mål'} ({formatShare(target!)})
        </span>
      )}
    </p>
  );
}
