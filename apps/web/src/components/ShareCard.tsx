import { GOAL_LIGHTS, type FractionCounts, type GoalStatus } from '@bu/contracts';
import { formatNumber, formatShare } from '../format';
import { displayValue, isSuppressed } from './ValueTable';

/** Below this many, a share says what it is out of ("3 af 4"): one case moves it by more than 5 points. */
export const SMALL_N = 20;

/** A small share's n, " (3 af 4)", beside its value; nothing when the counts are missing or not small. */
export function ShareN({ counts }: { counts?: FractionCounts | null }) {
  if (!counts || counts.denominator >= SMALL_N) return null;
  return (
    <span className="muted small" data-testid="share-n">
      {' '}
      ({formatNumber(counts.numerator)} af {formatNumber(counts.denominator)})
    </span>
  );
}

/**
 * A share with a colour-blind-safe light: colour, symbol and word. One goal, one light (ADR 66): a
 * political goal on the KPI gives the light, word and target, as in the committee's goal list; the
 * view's own target only where no goal exists.
 */
export function ShareCard({
  value,
  target,
  goal,
  basis,
}: {
  value: unknown;
  target?: number;
  goal?: GoalStatus;
  /** The two counts the share rests on (the KPI answer's `basis`; never the committee's). */
  basis?: FractionCounts;
}) {
  if (value === null || value === undefined)
    return (
      <p className="big-number">
        –<span className="muted small"> ingen sager i perioden</span>
      </p>
    );
  if (isSuppressed(value) || typeof value !== 'number') return <p className="big-number">{displayValue(value)}</p>;
  // A share of few says its n: the counts from the goal's basis or the answer's (never sent to the committee).
  const counts = goal?.basis?.value ?? basis;
  const n = <ShareN counts={counts && 'denominator' in counts ? counts : undefined} />;
  if (goal) {
    const light = goal.status ? GOAL_LIGHTS[goal.status] : null;
    return (
      <p className="big-number" data-value={String(value)}>
        {formatShare(value)}
        {light && (
          <span className={`light ${goal.status}`} data-testid="goal-light">
            <span aria-hidden="true">{light.symbol}</span> {light.word}
          </span>
        )}
        {n}
        <span className="muted small" data-testid="goal-target">
          {' '}
          Politisk mål: {goal.direction === '>=' ? 'mindst' : 'højst'} {formatShare(goal.target)}
        </span>
      </p>
    );
  }
  const met = target === undefined ? null : value >= target;
  return (
    <p className="big-number" data-value={String(value)}>
      {formatShare(value)}
      {met !== null && (
        <span className={`light ${met ? 'green' : 'red'}`}>
          <span aria-hidden="true">{met ? '✓' : '✕'}</span> {met ? 'Mål nået' : 'Under mål'} ({formatShare(target!)})
        </span>
      )}
      {n}
    </p>
  );
}
