import { useEffect, useState } from 'react';
import { importedBy } from '@bu/contracts';
import { imports, type ImportRun } from '../api';
import { formatDate, formatDateTime, formatNumber } from '../format';

const STATUS: Record<string, string> = { succeeded: '✓ Indlæst', failed: '✕ Fejlet', running: '… I gang' };
const SOURCE: Record<string, string> = {
  dubu: 'DUBU',
  csc: 'CSC Social',
  economy: 'Økonomi',
  statistics: 'Statistik',
  purge: 'Sletning (opbevaringsfrist)',
};

/** The import log: when, what, how many rows, and why an import failed. */
export function ImportLog() {
  const [runs, setRuns] = useState<ImportRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    imports().then(setRuns, (e: Error) => setError(e.message));
  }, []);
  if (error) return <p className="error">{error}</p>;
  if (!runs) return null;
  return (
    <section className="card card-budget-table" aria-labelledby="import-log" data-testid="import-log">
      <h2 id="import-log">Importer</h2>
      <table className="value-table">
        <caption className="sr-only">Importer, nyeste først</caption>
        <thead>
          <tr>
            <th scope="col">Nr.</th>
            <th scope="col">Tidspunkt</th>
            <th scope="col">Kilde</th>
            <th scope="col">Udtræksdato</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Rækker ind
            </th>
            <th scope="col" className="num">
              Afvist
            </th>
            <th scope="col">Af</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>{formatDateTime(r.startedAt)}</td>
              <td>{SOURCE[r.source] ?? r.source}</td>
              <td>{r.exportDate ? formatDate(r.exportDate) : '–'}</td>
              <td title={r.error ?? undefined}>
                {r.sameAs ? `✓ Uændret (som import ${r.sameAs})` : (STATUS[r.status] ?? r.status)}
                {r.error ? <span className="muted small"> {r.error}</span> : null}
              </td>
              <td className="num">{formatNumber(Object.values(r.loaded ?? {}).reduce((a, b) => a + b, 0))}</td>
              <td className="num">{formatNumber(r.rejectedCount)}</td>
              <td>{importedBy(r.requestedBy)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
