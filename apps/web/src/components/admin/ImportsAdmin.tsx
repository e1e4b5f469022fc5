import { FormEvent, useEffect, useState } from 'react';
import {
  cancelJob,
  importIssues,
  importRuns,
  jobs,
  retryJob,
  type FailedJob,
  type ImportFilter,
  type ImportIssues,
  type ImportRun,
} from '../../api';
import { importedBy } from '@bu/contracts';
import { formatNumber } from '../../format';
import { UploadExport } from '../UploadExport';
import { AdminCard, formatDateTime, Messages, RUN_STATUS, SOURCE_NAMES } from './common';
import { DateField } from '../DateField';

const SEVERITY: Record<string, string> = { error: 'Afvist', warning: 'Advarsel' };

/**
 * Indlæsninger: the import log with filters (source, status, period), one import's rejected rows,
 * and (administrator) a new upload, failed jobs to run again and waiting jobs to cancel.
 */
export function ImportsAdmin({ canEdit, selected }: { canEdit: boolean; selected?: string }) {
  const [filter, setFilter] = useState<ImportFilter>({});
  const [runs, setRuns] = useState<ImportRun[] | null>(null);
  const [open, setOpen] = useState<string | null>(selected ?? null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    importRuns(filter).then(setRuns, (e: Error) => setError(e.message));
  }, [filter, version]);

  return (
    <>
      {canEdit && (
        <div className="admin-card">
          <UploadExport onDone={() => setVersion((v) => v + 1)} />
        </div>
      )}
      <AdminCard id="imports-h" title="Indlæsninger" testId="admin-imports">
        <ImportFilterForm onSearch={setFilter} />
        <Messages error={error} />
        {runs && runs.length === 0 && <p>Ingen indlæsninger passer på filtrene.</p>}
        {runs && runs.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Indlæsninger, nyeste først">
            <table className="value-table admin-table">
              <caption className="sr-only">Indlæsninger, nyeste først</caption>
              <thead>
                <tr>
                  <th scope="col">Nr.</th>
                  <th scope="col">Startet</th>
                  <th scope="col">Kilde</th>
                  <th scope="col">Kommune</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Rækker ind
                  </th>
                  <th scope="col" className="num">
                    Afvist
                  </th>
                  <th scope="col">Af</th>
                  <th scope="col">
                    <span className="sr-only">Afviste rækker</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id} data-testid={`import-${r.id}`} className={open === r.id ? 'selected' : undefined}>
                    <th scope="row">{r.id}</th>
                    <td>{formatDateTime(r.startedAt)}</td>
                    <td>{SOURCE_NAMES[r.source] ?? r.source}</td>
                    <td>{r.municipality ?? 'Hele landet'}</td>
                    <td>
                      {RUN_STATUS[r.status] ?? r.status}
                      {r.error && <span className="muted small block">{r.error}</span>}
                    </td>
                    <td className="num">{formatNumber(Object.values(r.loaded ?? {}).reduce((a, b) => a + b, 0))}</td>
                    <td className="num">{formatNumber(r.rejectedCount)}</td>
                    <td>{importedBy(r.requestedBy)}</td>
                    <td>
                      {r.rejectedCount + r.warningCount > 0 && (
                        <button
                          type="button"
                          className="link"
                          aria-label={`Vis afviste rækker i import ${r.id}`}
                          aria-expanded={open === r.id}
                          onClick={() => setOpen(open === r.id ? null : r.id)}
                        >
                          Afviste rækker
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AdminCard>
      {open && <IssuesPanel key={open} id={open} onClose={() => setOpen(null)} />}
      {canEdit && <JobsPanel onChanged={() => setVersion((v) => v + 1)} />}
    </>
  );
}

function ImportFilterForm({ onSearch }: { onSearch: (filter: ImportFilter) => void }) {
  const [source, setSource] = useState('');
  const [status, setStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch({
      ...(source ? { source } : {}),
      ...(status ? { status } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
  };
  return (
    <form className="admin-filters" role="search" aria-label="Filtrer indlæsninger" onSubmit={submit}>
      <label>
        Kilde{' '}
        <select value={source} onChange={(e) => setSource(e.target.value)}>
          <option value="">Alle</option>
          {Object.entries(SOURCE_NAMES).map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Alle</option>
          <option value="succeeded">Indlæst</option>
          <option value="failed">Fejlet</option>
          <option value="running">I gang</option>
        </select>
      </label>
      <DateField label="Fra" value={from} onChange={setFrom} max={to || undefined} maxMessage="Fra skal ligge før til-datoen" />
      <DateField label="Til" value={to} onChange={setTo} min={from || undefined} minMessage="Til skal ligge efter fra-datoen" />
      <button type="submit">Vis</button>
    </form>
  );
}

const PAGE = 200;

function IssuesPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const [issues, setIssues] = useState<ImportIssues | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    importIssues(id, offset, PAGE).then(setIssues, (e: Error) => setError(e.message));
  }, [id, offset]);
  return (
    <AdminCard focus id="issues-h" title={`Afviste rækker og advarsler i import ${id}`} testId="import-issues">
      <Messages error={error} />
      {issues && (
        <>
          <p>
            {formatNumber(issues.count)} i alt:{' '}
            {issues.byRule.map((r) => `${r.title} (${SEVERITY[r.severity].toLowerCase()}) ${formatNumber(r.count)}`).join(', ')}
          </p>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Afviste rækker og advarsler efter fil og linje">
            <table className="value-table admin-table">
              <caption className="sr-only">Afviste rækker og advarsler efter fil og linje</caption>
              <thead>
                <tr>
                  <th scope="col">Fil</th>
                  <th scope="col" className="num">
                    Linje
                  </th>
                  <th scope="col">Regel</th>
                  <th scope="col">Type</th>
                  <th scope="col">Værdi</th>
                  <th scope="col">Besked</th>
                </tr>
              </thead>
              <tbody>
                {issues.rows.map((row, i) => (
                  <tr key={i}>
                    <th scope="row">{row.file}</th>
                    <td className="num">{row.line ?? '–'}</td>
                    <td title={row.rule}>{row.title}</td>
                    <td>{SEVERITY[row.severity]}</td>
                    <td>{row.value ?? '–'}</td>
                    <td>{row.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="admin-actions">
            {offset > 0 && (
              <button type="button" className="secondary" onClick={() => setOffset(Math.max(offset - PAGE, 0))}>
                Forrige {PAGE}
              </button>
            )}
            {offset + PAGE < issues.count && (
              <button type="button" className="secondary" onClick={() => setOffset(offset + PAGE)}>
                Næste {PAGE}
              </button>
            )}
            <button type="button" className="secondary" onClick={onClose}>
              Luk
            </button>
          </div>
        </>
      )}
    </AdminCard>
  );
}

function JobsPanel({ onChanged }: { onChanged: () => void }) {
  const [failed, setFailed] = useState<FailedJob[] | null>(null);
  const [waiting, setWaiting] = useState<FailedJob[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = async () => {
    const [f, w, d] = await Promise.all([jobs('failed'), jobs('waiting'), jobs('delayed')]);
    setFailed(f);
    setWaiting([...w, ...d]);
  };
  useEffect(() => {
    reload().catch((e: Error) => setError(e.message));
  }, []);

  async function act(action: () => Promise<unknown>, message: string) {
    setError(null);
    try {
      await action();
      await reload();
      onChanged();
      setStatus(message);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const describe = (j: FailedJob) =>
    `${SOURCE_NAMES[j.data.source ?? ''] ?? j.data.source ?? 'Job'}${j.data.requestedBy ? ` af ${importedBy(j.data.requestedBy)}` : ''}`;

  return (
    <AdminCard id="jobs-h" title="Jobs i køen" testId="admin-jobs">
      <Messages status={status} error={error} />
      <h3>Fejlede jobs</h3>
      {failed && failed.length === 0 && <p>Ingen fejlede jobs.</p>}
      {failed && failed.length > 0 && (
        <ul className="job-list">
          {failed.map((j) => (
            <li key={j.id} data-testid={`job-${j.id}`}>
              <strong>{describe(j)}</strong> ({j.id}, {formatDateTime(j.finishedOn ? new Date(j.finishedOn).toISOString() : null)}):{' '}
              {j.failedReason ?? 'ukendt fejl'}{' '}
              <button type="button" className="link" onClick={() => void act(() => retryJob(j.id), `Job ${j.id} køres igen.`)}>
                Kør igen
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>Ventende jobs</h3>
      {waiting.length === 0 && <p>Ingen ventende jobs.</p>}
      {waiting.length > 0 && (
        <ul className="job-list">
          {waiting.map((j) => (
            <li key={j.id} data-testid={`job-${j.id}`}>
              <strong>{describe(j)}</strong> ({j.id}){' '}
              <button type="button" className="link" onClick={() => void act(() => cancelJob(j.id), `Job ${j.id} er annulleret.`)}>
                Annuller
              </button>
            </li>
          ))}
        </ul>
      )}
    </AdminCard>
  );
}
