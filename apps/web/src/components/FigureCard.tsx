import { useState } from 'react';
import type { KpiResponse, KpiValue } from '@bu/contracts';
import type { FigureDefinition } from '@bu/dashboards';
import { BarPerCaseworker } from './BarPerCaseworker';
import { isSuppressed, ValueTable } from './ValueTable';

function caseworkerBars(value: KpiValue, response: KpiResponse, asOf: string) {
  const names = response.dimensions?.caseworker ?? {};
  return Object.entries(value as Record<string, number>).map(([key, v]) => ({
    key,
    label: names[key]?.name ?? key,
    value: v,
    inactive: !!names[key]?.employedTo && names[key]!.employedTo! < asOf,
  }));
}

export function FigureCard({ figure, response }: { figure: FigureDefinition; response: KpiResponse }) {
  const [asTable, setAsTable] = useState(false);
  const value = response.kpis[figure.kpi];
  const names = response.dimensions?.caseworker ?? {};
  const label = (key: string) => names[key]?.name ?? key;
  const chartable = figure.chart === 'bar-per-caseworker' && value && typeof value === 'object' && !isSuppressed(value);
  const empty = chartable && Object.keys(value as object).length === 0;
  const headingId = `fig-${figure.kpi.replace(/\W/g, '-')}`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`figure-${figure.kpi}`}>
      <div className="card-head">
        <h2 id={headingId}>{figure.title}</h2>
        <button type="button" className="link" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
          {asTable ? 'Vis som diagram' : 'Vis som tabel'}
        </button>
      </div>
      {figure.description && <p className="muted">{figure.description}</p>}
      {empty ? (
        <p>Ingen data på opgørelsesdatoen.</p>
      ) : asTable || !chartable ? (
        <ValueTable caption={figure.title} value={value ?? null} label={label} keyHeader={figure.chart === 'bar-per-caseworker' ? 'Rådgiver' : undefined} />
      ) : (
        <BarPerCaseworker title={figure.title} bars={caseworkerBars(value, response, response.asOf)} />
      )}
    </section>
  );
}
