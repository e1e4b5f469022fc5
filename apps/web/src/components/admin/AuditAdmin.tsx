import { FormEvent, useEffect, useState } from 'react';
import { auditLog, type AuditFilter, type AuditPage, type AuditRow } from '../../api';
import { formatNumber } from '../../format';
import { workbook, type Cell } from '../../xlsx';
import { AdminCard, formatDateTime, Messages, ROLE_NAMES } from './common';
import { DateField } from '../DateField';

const PAGE_SIZE = 50;
/** The most rows an export fetches (10 pages of 1000; each page read is itself logged). */
const EXPORT_MAX = 10_000;

/** What a row is, in Danish. */
export function actionName(row: Pick<AuditRow, 'action'>): string {
  const a = row.action;
  if (a === 'login') return 'Login';
  if (a === 'login.failed') return 'Mislykket login';
  if (a === 'login.disabled') return 'Login afvist: brugeren er spærret';
  if (a === 'login.code') return 'Login: rigtig adgangskode, engangskode bedt om';
  if (a === 'refused') return 'Afvist';
  if (a === 'not-found') return 'Findes ikke (eller uden for brugerens adgang)';
  if (a === 'change') return 'Ændring';
  if (a === 'read:audit') return 'Søgte i revisionsloggen';
  if (a === 'read:import-issues') return 'Læste afviste rækker';
  if (a === 'read:import-jobs') return 'Læste jobs';
  if (a === 'read:review') return 'Læste sagsgennemgang';
  if (a === 'read:review-meetings') return 'Læste dialogmøder';
  if (a.startsWith('kpi:')) return `Så sager (${a.slice(4)})`;
  return a;
}

const toRow = (r: AuditRow): Cell[] => [
  formatDateTime(r.at),
  r.username,
  ROLE_NAMES[r.role] ?? r.role,
  actionName(r),
  r.municipality,
  r.cases.join(', '),
  r.method && r.path ? `${r.method} ${r.path}` : '',
  r.status,
  r.ip,
];
const HEADER: Cell[] = ['Tidspunkt', 'Bruger', 'Rolle', 'Handling', 'Kommune', 'Sager', 'Anmodning', 'Status', 'IP-adresse'];

/** Revisionslog: the audit log searched by user, case and date range, paged, and exported to Excel. */
export function AuditAdmin() {
  // The newest rows at once; a search narrows them.
  const [filter, setFilter] = useState<AuditFilter | null>({});
  const [page, setPage] = useState(1);
  const [answer, setAnswer] = useState<AuditPage | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!filter) return;
    setError(null);
    auditLog(filter, page, PAGE_SIZE).then(setAnswer, (e: Error) => setError(e.message));
  }, [filter, page]);

  async function exportAll() {
    if (!filter) return;
    setError(null);
    setStatus('Henter revisionsloggen …');
    try {
      const rows: AuditRow[] = [];
      for (let p = 1; rows.length < EXPORT_MAX; p++) {
        const part = await auditLog(filter, p, 1000);
        rows.push(...part.rows);
        if (part.rows.length < 1000) break;
      }
      const bytes = workbook('Revisionslog', [HEADER, ...rows.map(toRow)]);
      const url = URL.createObjectURL(
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = `revisionslog-${new Date().toISOString().slice(0, 10)}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setStatus(
        `${formatNumber(rows.length)} rækker er hentet som Excel${answer && answer.total > rows.length ? ` (de nyeste ${formatNumber(EXPORT_MAX)}; afgræns søgningen for at få resten)` : ''}.`,
      );
    } catch (e) {
      setStatus('');
      setError((e as Error).message);
    }
  }

  const pages = answer ? Math.max(Math.ceil(answer.total / answer.pageSize), 1) : 1;
  return (
    <AdminCard id="audit-h" title="Revisionslog" testId="admin-audit">
      <p className="muted">Hvem har set hvilke sager, logins, afvisninger og ændringer. Søgninger her skrives selv i revisionsloggen.</p>
      <AuditFilterForm
        onSearch={(f) => {
          setFilter(f);
          setPage(1);
          setStatus('');
        }}
      />
      <Messages status={status} error={error} />
      {answer && (
        <>
          <div className="admin-actions">
            <span data-testid="audit-total">
              {formatNumber(answer.total)} {answer.total === 1 ? 'række' : 'rækker'}
            </span>
            <button type="button" className="secondary" onClick={() => void exportAll()} disabled={answer.total === 0}>
              Hent som Excel
            </button>
          </div>
          {answer.rows.length > 0 && (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Revisionslog, nyeste først">
              <table className="value-table admin-table">
                <caption className="sr-only">Revisionslog, nyeste først</caption>
                <thead>
                  <tr>
                    {HEADER.map((h) => (
                      <th key={String(h)} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {answer.rows.map((r) => (
                    <tr key={r.id} data-testid={`audit-${r.id}`}>
                      {toRow(r).map((c, i) =>
                        i === 0 ? (
                          <th key={i} scope="row">
                            {c}
                          </th>
                        ) : (
                          <td key={i}>{c ?? '–'}</td>
                        ),
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="admin-actions" aria-label="Sider i revisionsloggen">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Forrige side
            </button>
            <span>
              Side {page} af {pages}
            </span>
            <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Næste side
            </button>
          </nav>
        </>
      )}
    </AdminCard>
  );
}

function AuditFilterForm({ onSearch }: { onSearch: (filter: AuditFilter) => void }) {
  const [user, setUser] = useState('');
  const [kase, setKase] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch({
      ...(user.trim() ? { user: user.trim() } : {}),
      ...(kase.trim() ? { case: kase.trim() } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
  };
  return (
    <form className="admin-filters" role="search" aria-label="Søg i revisionsloggen" onSubmit={submit}>
      <label>
        Bruger <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Sag <input value={kase} onChange={(e) => setKase(e.target.value)} autoComplete="off" />
      </label>
      <DateField label="Fra" value={from} onChange={setFrom} max={to || undefined} maxMessage="Fra skal ligge før til-datoen" />
      <DateField label="Til" value={to} onChange={setTo} min={from || undefined} minMessage="Til skal ligge efter fra-datoen" />
      <button type="submit">Søg</button>
    </form>
  );
}
