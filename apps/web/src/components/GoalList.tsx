import { displayKpiValue as show, GOAL_LIGHTS as LIGHT, type GoalStatus } from '@bu/contracts';
import { CommentEditor } from './CommentEditor';

export function GoalList({
  goals,
  comments,
  onSaveComment,
}: {
  goals: GoalStatus[];
  comments: Record<string, string>;
  onSaveComment?: (key: string, text: string | null) => Promise<void>;
}) {
  if (goals.length === 0) return <p>Der er ikke registreret politiske mål.</p>;
  const years = Object.keys(goals[0].previousYears).sort();
  return (
    <table className="value-table goals">
      <caption className="sr-only">Politiske mål med status og udvikling</caption>
      <thead>
        <tr>
          <th scope="col">Mål</th>
          {years.map((y) => (
            <th key={y} scope="col" className="num">
              {y}
            </th>
          ))}
          <th scope="col" className="num">
            Nu
          </th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {goals.map((g) => (
          <tr key={g.id} data-testid={`goal-${g.id}`}>
            <th scope="row">
              {g.title}
              <span className="muted small">
                {' '}
                (mål {g.direction === '>=' ? 'mindst' : 'højst'} {show(g.kpi, g.target)})
              </span>
              <CommentEditor
                text={comments[String(g.id)]}
                subject={`målet ${g.title}`}
                onSave={onSaveComment && ((text) => onSaveComment(String(g.id), text))}
              />
            </th>
            {years.map((y) => (
              <td key={y} className="num" data-label={y}>
                {show(g.kpi, g.previousYears[y])}
              </td>
            ))}
            <td className="num" data-label="Nu">
              <strong>{show(g.kpi, g.value)}</strong>
            </td>
            <td data-label="Status">
              {g.status ? (
                <span className={`light ${g.status}`}>
                  <span aria-hidden="true">{LIGHT[g.status].symbol}</span> {LIGHT[g.status].word}
                </span>
              ) : (
                '–'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
