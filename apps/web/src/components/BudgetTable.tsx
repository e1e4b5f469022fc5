import { BUDGET_LIGHTS as LIGHT, displayThousandKr as kr, type BudgetLine } from '@bu/contracts';
import { formatShare } from '../format';
import { CommentEditor } from './CommentEditor';

/**
 * Budget per account function with a colour-blind-safe light (colour, symbol and word); amounts in
 * 1.000 kr. An amount withheld from the committee (it rests on fewer than 5 children) shows as "skjult".
 */
export function BudgetTable({
  lines,
  comments = {},
  onSaveComment,
}: {
  lines: Record<string, BudgetLine>;
  comments?: Record<string, string>;
  /** Given for the roles that write the administration's comments (chef, admin). */
  onSaveComment?: (key: string, text: string | null) => Promise<void>;
}) {
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
            <th scope="col" className="num">
              Korr. budget
            </th>
            <th scope="col" className="num">
              Forbrug
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
              <td className="num">{kr(l.budget)}</td>
              <td className="num">
                {kr(l.spent)}
                {l.month ? <span className="muted small"> (t.o.m. md. {l.month})</span> : null}
              </td>
              <td className="num">{kr(l.forecast)}</td>
              <td className="num">
                {kr(l.deviation)}
                {typeof l.deviationShare === 'number' ? <span className="muted small"> ({formatShare(l.deviationShare)})</span> : null}
              </td>
              <td>
                {l.light ? (
                  <span className={`light ${l.light}`}>
                    <span aria-hidden="true">{LIGHT[l.light].symbol}</span> {LIGHT[l.light].word}
                  </span>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
