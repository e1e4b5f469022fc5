import { YEAR_ROW_LABELS as LABELS } from '@bu/contracts';
import { displayValue } from './ValueTable';

/** Figures per year side by side; suppressed cells show as "<5". */
export function YearTable({ years }: { years: Record<string, Record<string, unknown>> }) {
  const cols = Object.keys(years).sort();
  const rows = Object.keys(years[cols[0]] ?? {});
  return (
    <table className="value-table">
      <caption className="sr-only">Aktivitet pr. år</caption>
      <thead>
        <tr>
          <th scope="col">Nøgletal</th>
          {cols.map((y) => (
            <th key={y} scope="col" className="num">
              {y}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r} data-testid={`year-row-${r}`}>
            <th scope="row">{LABELS[r] ?? r}</th>
            {cols.map((y) => (
              <td key={y} className="num">
                {displayValue(years[y][r])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
