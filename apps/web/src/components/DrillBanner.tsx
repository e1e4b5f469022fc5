import { useEffect, useRef } from 'react';
import type { KpiList, KpiResponse } from '@bu/contracts';
import type { DashboardDefinition } from '@bu/dashboards';
import { drillHref, rowMatches, type Drill } from '../drill';
import { formatNumber } from '../format';

/**
 * Says which caseworker or team the work lists are filtered to, how many rows each list keeps
 * (each a jump to the list), and "Vis alle" to clear the filter. Takes the focus when the
 * drill-down opens, so keyboard and screen-reader users land on it.
 */
export function DrillBanner({ drill, dashboard, response }: { drill: Drill; dashboard: DashboardDefinition; response: KpiResponse }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, [drill.worker, drill.team]);

  const worker = drill.worker ? response.dimensions?.caseworker?.[drill.worker] : undefined;
  const who = drill.worker ? `rådgiver ${worker?.name ?? drill.worker}${worker?.team ? ` (${worker.team})` : ''}` : `${drill.team}`;
  const lists = dashboard.figures
    .filter((f) => f.chart === 'work-list')
    .map((f) => {
      const value = response.kpis[f.kpi] as unknown as (KpiList & Record<string, KpiList>) | undefined;
      const rows = [...(value?.rows ?? []), ...(f.secondary ? (value?.[f.secondary.key]?.rows ?? []) : [])];
      return { figure: f, count: rows.filter((r) => rowMatches(r, drill)).length };
    });

  return (
    <section ref={ref} tabIndex={-1} className="drill-banner" aria-labelledby="drill-heading" data-testid="drill">
      <h2 id="drill-heading">Sager for {who}</h2>
      <a className="show-all" href={drillHref({})}>
        Vis alle
      </a>
      <p className="muted small">Arbejdslisterne viser kun disse sager. Nøgletal og andele gælder fortsat hele visningen.</p>
      <ul>
        {lists.map(({ figure, count }) => (
          <li key={figure.kpi}>
            <button
              type="button"
              className="link"
              onClick={() => {
                const card = document.querySelector<HTMLElement>(`[data-testid="figure-${figure.kpi}"]`);
                card?.scrollIntoView({ block: 'start' });
                card?.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1');
                card?.querySelector<HTMLElement>('h2')?.focus();
              }}
            >
              {figure.title}: {formatNumber(count)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
