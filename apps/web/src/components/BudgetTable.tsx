import {
  BUDGET_LIGHTS as LIGHT,
  budgetSpendMonth,
  budgetTotal,
  displayThousandKr as kr,
  MONTHS_IN_WORDS,
  spendHeading,
  type BudgetLine,
} from '@bu/contracts';
import { formatShare } from '../format';
import { CommentEditor } from './CommentEditor';

/**
 * Budget per account function with a light in its colour, symbol and word; last year's accounts, and
 * a total row. Amounts in 1.000 kr. An amount withheld from the committee (it rests on fewer than 5
 * children) shows as "skjult".
 */
export function BudgetTable({
  lines,
  year,
  comments = {},
  onSaveComment,
}: {
  lines: Record<string, BudgetLine>;
  /** D's year: last year's accounts are year − 1's. */
  year?: number;
  comments?: Record<string, string>;
  /** Given for the roles that write the administration's comments (chef, admin). */
  onSaveComment?: (key: string, text: string | null) => Promise<void>;
}) {
  const all = Object.values(lines);
  const month = budgetSpendMonth(all);
  const total = budgetTotal(all);
  // The headings, also written beside each amount when a row is a card on a phone (styles.css).
  const lastYearHeading = year ? `Regnskab ${year - 1}` : 'Regnskab sidste år';
  const spentHeading = spendHeading(month);
  const share = (v: unknown) => (typeof v === 'number' ? <span className="muted small"> ({formatShare(v)})</span> : null);
  return (
    <>
      <p className="muted small unit-note" data-testid="budget-unit">
        Beløb i 1.000 kr.
      </p>
      <table className="value-table budget">
        <caption className="sr-only">Budgetopfølgning pr. funktion, beløb i 1.000 kr.</caption>
        <thead>
          <tr>
            <th scope="col">Funktion</th>
            <th scope="col" className="num" data-testid="budget-last-year-heading">
              {lastYearHeading}
            </th>
            <th scope="col" className="num">
              Korr. budget
            </th>
            <th scope="col" className="num" data-testid="budget-spent-heading">
              {spentHeading}
            </th>
            <th scope="col" className="num">
              Forventet
            </th>
            <th scope="col" className="num">
              Afvigelse
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(lines).map(([fn, l]) => (
            <tr key={fn} data-testid={`budget-${fn}`}>
              <th scope="row">
                {fn} {l.name}
                <CommentEditor
                  text={comments[fn]}
                  subject={`${fn} ${l.name ?? ''}`.trim()}
                  onSave={onSaveComment && ((text) => onSaveComment(fn, text))}
                />
              </th>
              <td className="num" data-label={lastYearHeading}>
                {kr(l.lastYear)}
              </td>
              <td className="num" data-label="Korr. budget">
                {kr(l.budget)}
              </td>
              <td className="num" data-label={spentHeading}>
                {kr(l.spent)}
                {l.month && l.month !== month ? <span className="muted small"> (t.o.m. {MONTHS_IN_WORDS[l.month - 1]})</span> : null}
              </td>
              <td className="num" data-label="Forventet">
                {kr(l.forecast)}
              </td>
              <td className="num" data-label="Afvigelse">
                {kr(l.deviation)}
                {share(l.deviationShare)}
              </td>
              <td data-label="Status">
                {l.light ? (
                  <span className={`light budget-light ${l.light}`}>
                    <span aria-hidden="true">{LIGHT[l.light].symbol}</span> {LIGHT[l.light].word}
                  </span>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
        {all.length > 0 ? (
          <tfoot>
            <tr className="total" data-testid="budget-total">
              <th scope="row">I alt</th>
              <td className="num" data-label={lastYearHeading}>
                {kr(total.lastYear)}
              </td>
              <td className="num" data-label="Korr. budget">
                {kr(total.budget)}
              </td>
              <td className="num" data-label={spentHeading}>
                {kr(total.spent)}
              </td>
              <td className="num" data-label="Forventet">
                {kr(total.forecast)}
              </td>
              <td className="num" data-label="Afvigelse">
                {kr(total.deviation)}
                {share(total.deviationShare)}
              </td>
              <td />
            </tr>
          </tfoot>
        ) : null}
      </table>
    </>
  );
}
