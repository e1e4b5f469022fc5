import { FormEvent, useEffect, useState } from 'react';
import { KPI_CATALOGUE, type KpiId } from '@bu/contracts';
import { createGoal, deleteGoal, goals as fetchGoals, updateGoal, type Goal, type GoalBody } from '../../api';
import { formatDate, formatNumber } from '../../format';
import { unitOf } from '../../units';
import { AdminCard, Messages, parseNumber } from './common';
import { DateField } from '../DateField';

const UNIT_NAMES: Record<string, string> = { share: 'procent', count: 'antal', ratio: 'forholdstal', days: 'dage', kr: 'kr.' };
/** A goal is one number per period: the catalogue's KPIs of one value (as the API's rule). */
const GOAL_KPIS = (Object.keys(KPI_CATALOGUE) as KpiId[])
  .filter((id) => {
    const k = KPI_CATALOGUE[id];
    return id !== 'goal.status' && k.unit in UNIT_NAMES && (k.shape === 'number' || k.shape === 'fraction');
  })
  .sort((a, b) => KPI_CATALOGUE[a].title.localeCompare(KPI_CATALOGUE[b].title, 'da'));

const titleOf = (kpi: string): string => (KPI_CATALOGUE as Record<string, { title: string }>)[kpi]?.title ?? kpi;
/** A share is kept as a fraction (0.6) and typed and shown in per cent (60). */
const toShown = (kpi: string, v: number): number => (unitOf(kpi) === 'share' ? Math.round(v * 100 * 1e6) / 1e6 : v);
const fromShown = (kpi: string, v: number): number => (unitOf(kpi) === 'share' ? v / 100 : v);
const showValue = (kpi: string, v: number): string =>
  unitOf(kpi) === 'share' ? `${formatNumber(toShown(kpi, v))} %` : `${formatNumber(v)} ${UNIT_NAMES[unitOf(kpi)]}`;

type Field = 'title' | 'kpi' | 'direction' | 'target' | 'tolerance' | 'validFrom' | 'form';
/** The field the API's Danish message is about (GoalBodySchema's rules and the service's). */
function fieldOf(message: string): Field {
  if (/titel/.test(message)) return 'title';
  if (/nøgletal med én værdi/.test(message)) return 'kpi';
  if (/^direction/.test(message)) return 'direction';
  if (/^target/.test(message)) return 'target';
  if (/^tolerance/.test(message)) return 'tolerance';
  if (/valid|dato/i.test(message)) return 'validFrom';
  return 'form';
}

/** Politiske mål: the municipality's goals, created, changed and deleted by the administrator (read by the chief). */
export function GoalsAdmin({ municipality, canEdit }: { municipality: number; canEdit: boolean }) {
  const [list, setList] = useState<Goal[] | null>(null);
  const [editing, setEditing] = useState<Goal | 'new' | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = () => fetchGoals(municipality).then(setList, (e: Error) => setError(e.message));
  useEffect(() => {
    setEditing(null);
    void reload();
  }, [municipality]);

  async function remove(goal: Goal) {
    if (!window.confirm(`Slet målet "${goal.title}"?`)) return;
    setError(null);
    try {
      await deleteGoal(goal.id);
      await reload();
      setStatus(`Målet ${goal.title} er slettet.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <>
      <AdminCard id="goals-h" title="Politiske mål" testId="admin-goals">
        <p className="muted">
          Målene fra børne- og ungepolitikken, hver på ét nøgletal. Udvalget ser dem med status i udvalgsvisningen.
          {!canEdit && ' Kun administratoren kan ændre dem.'}
        </p>
        {canEdit && (
          <div className="admin-actions">
            <button type="button" onClick={() => setEditing('new')}>
              Nyt mål
            </button>
          </div>
        )}
        <Messages status={status} error={error} />
        {list && list.length === 0 && <p>Der er ikke registreret politiske mål.</p>}
        {list && list.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Politiske mål">
            <table className="value-table admin-table">
              <caption className="sr-only">Politiske mål</caption>
              <thead>
                <tr>
                  <th scope="col">Mål</th>
                  <th scope="col">Nøgletal</th>
                  <th scope="col">Målværdi</th>
                  <th scope="col">Tolerance</th>
                  <th scope="col">Gælder</th>
                  {canEdit && (
                    <th scope="col">
                      <span className="sr-only">Handlinger</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {list.map((g) => (
                  <tr key={g.id} data-testid={`admin-goal-${g.id}`}>
                    <th scope="row">{g.title}</th>
                    <td>{titleOf(g.kpi)}</td>
                    <td>
                      {g.direction === '>=' ? 'mindst' : 'højst'} {showValue(g.kpi, g.target)}
                    </td>
                    <td>{showValue(g.kpi, g.tolerance)}</td>
                    <td>
                      {g.validFrom || g.validTo
                        ? `${g.validFrom ? formatDate(g.validFrom) : ''}–${g.validTo ? formatDate(g.validTo) : ''}`
                        : 'Altid'}
                    </td>
                    {canEdit && (
                      <td className="nowrap">
                        <button type="button" className="link" aria-label={`Ret målet ${g.title}`} onClick={() => setEditing(g)}>
                          Ret
                        </button>
                        <button type="button" className="link" aria-label={`Slet målet ${g.title}`} onClick={() => void remove(g)}>
                          Slet
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AdminCard>
      {canEdit && editing && (
        <GoalForm
          key={editing === 'new' ? 'new' : editing.id}
          municipality={municipality}
          goal={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={async (title) => {
            setEditing(null);
            await reload();
            setStatus(`Målet ${title} er gemt.`);
          }}
        />
      )}
    </>
  );
}

function GoalForm({
  municipality,
  goal,
  onCancel,
  onSaved,
}: {
  municipality: number;
  goal: Goal | null;
  onCancel: () => void;
  onSaved: (title: string) => Promise<void>;
}) {
  const [title, setTitle] = useState(goal?.title ?? '');
  const [kpi, setKpi] = useState<string>(goal?.kpi ?? '');
  const [direction, setDirection] = useState<'>=' | '<='>(goal?.direction ?? '>=');
  const [target, setTarget] = useState(goal ? String(toShown(goal.kpi, goal.target)).replace('.', ',') : '');
  const [tolerance, setTolerance] = useState(goal ? String(toShown(goal.kpi, goal.tolerance)).replace('.', ',') : '0');
  const [validFrom, setValidFrom] = useState(goal?.validFrom ?? '');
  const [validTo, setValidTo] = useState(goal?.validTo ?? '');
  const [policyText, setPolicyText] = useState(goal?.policyText ?? '');
  const [problem, setProblem] = useState<{ field: Field; message: string } | null>(null);
  const unit = kpi ? (unitOf(kpi) === 'share' ? '%' : UNIT_NAMES[unitOf(kpi)]) : '';
  const kpis = goal && !GOAL_KPIS.includes(goal.kpi as KpiId) ? [goal.kpi, ...GOAL_KPIS] : GOAL_KPIS;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const body: GoalBody = {
      municipality,
      kpi,
      title,
      direction,
      target: fromShown(kpi, parseNumber(target)),
      tolerance: fromShown(kpi, parseNumber(tolerance || '0')),
      validFrom: validFrom || null,
      validTo: validTo || null,
      policyText: policyText.trim() || null,
    };
    try {
      if (goal) await updateGoal(goal.id, body);
      else await createGoal(body);
      await onSaved(title.trim());
    } catch (e) {
      const message = (e as Error).message;
      setProblem({ field: fieldOf(message), message });
    }
  }

  const err = (field: Field) =>
    problem?.field === field ? (
      <span className="error field-error" id={`goal-${field}-error`} role="alert">
        {problem.message}
      </span>
    ) : null;
  const described = (field: Field) => (problem?.field === field ? { 'aria-describedby': `goal-${field}-error`, 'aria-invalid': true } : {});

  return (
    <AdminCard focus id="goal-form-h" title={goal ? `Ret målet ${goal.title}` : 'Nyt politisk mål'} testId="goal-form">
      <form className="admin-form goal-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="goal-title">Titel</label>
          <input id="goal-title" value={title} onChange={(e) => setTitle(e.target.value)} {...described('title')} />
          {err('title')}
        </div>
        <div className="field">
          <label htmlFor="goal-kpi">Nøgletal</label>
          <select id="goal-kpi" value={kpi} onChange={(e) => setKpi(e.target.value)} {...described('kpi')}>
            <option value="">Vælg et nøgletal</option>
            {kpis.map((id) => (
              <option key={id} value={id}>
                {titleOf(id)} ({UNIT_NAMES[unitOf(id)] ?? unitOf(id)})
              </option>
            ))}
          </select>
          {err('kpi')}
        </div>
        <div className="field">
          <label htmlFor="goal-direction">Retning</label>
          <select
            id="goal-direction"
            value={direction}
            onChange={(e) => setDirection(e.target.value as '>=' | '<=')}
            {...described('direction')}
          >
            <option value=">=">Mindst (højere er bedre)</option>
            <option value="<=">Højst (lavere er bedre)</option>
          </select>
          {err('direction')}
        </div>
        <div className="field">
          <label htmlFor="goal-target">Målværdi{unit && ` (${unit})`}</label>
          <input id="goal-target" inputMode="decimal" value={target} onChange={(e) => setTarget(e.target.value)} {...described('target')} />
          {err('target')}
        </div>
        <div className="field">
          <label htmlFor="goal-tolerance">Tolerance{unit && ` (${unit})`}</label>
          <input
            id="goal-tolerance"
            inputMode="decimal"
            value={tolerance}
            onChange={(e) => setTolerance(e.target.value)}
            {...described('tolerance')}
          />
          {err('tolerance')}
        </div>
        <div className="field">
          <DateField
            label="Gælder fra (valgfri)"
            value={validFrom}
            onChange={setValidFrom}
            // The server's message about the date, tied to the field as the other fields' are.
            describedBy={problem?.field === 'validFrom' ? 'goal-validFrom-error' : undefined}
            invalid={problem?.field === 'validFrom'}
          />
          {err('validFrom')}
        </div>
        <div className="field">
          <DateField
            label="Gælder til (valgfri)"
            value={validTo}
            onChange={setValidTo}
            min={validFrom || undefined}
            minMessage="Gælder til skal ligge efter gælder fra"
          />
        </div>
        <div className="field wide">
          <label htmlFor="goal-policy">Politisk formulering (valgfri)</label>
          <textarea id="goal-policy" rows={2} value={policyText} onChange={(e) => setPolicyText(e.target.value)} />
        </div>
        <p className="muted small wide">Tolerance: hvor tæt på målet der vises gult i stedet for rødt.</p>
        {err('form')}
        <div className="comment-actions wide">
          <button type="submit">Gem målet</button>
          <button type="button" className="secondary" onClick={onCancel}>
            Annuller
          </button>
        </div>
      </form>
    </AdminCard>
  );
}
