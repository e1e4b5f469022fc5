import { useEffect, useState } from 'react';
import { dropFolders, type DropFolders } from '../../api';
import { linkHref } from '../../drill';
import { formatNumber } from '../../format';
import { AdminCard, formatDateTime, Messages, RUN_STATUS, SOURCE_NAMES } from './common';

/**
 * Afleveringsmapper: the folders the worker checks for deliveries, read-only (ADR 0051): path,
 * source, schedule, last check, last delivery and how its import went.
 */
export function DropFoldersAdmin() {
  const [answer, setAnswer] = useState<DropFolders | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    dropFolders().then(setAnswer, (e: Error) => setError(e.message));
  }, []);
  return (
    <AdminCard id="drop-h" title="Afleveringsmapper" testId="admin-drop-folders">
      {answer && (
        <p className="muted">
          Mapperne tjekkes hvert {formatNumber(answer.intervalMinutes)}. minut. En levering indlæses, når den er komplet (en .done-fil,
          eller samme indhold ved to tjek i træk). Mapper oprettes af driften på serveren (npm run etl -- drop-folder add), ikke her: en
          mappe er en sti på serveren.
        </p>
      )}
      <Messages error={error} />
      {answer && answer.folders.length === 0 && <p>Der er ingen afleveringsmapper.</p>}
      {answer && answer.folders.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Afleveringsmapper">
          <table className="value-table admin-table">
            <caption className="sr-only">Afleveringsmapper</caption>
            <thead>
              <tr>
                <th scope="col">Mappe</th>
                <th scope="col">Kilde</th>
                <th scope="col">Kommune</th>
                <th scope="col">Senest tjekket</th>
                <th scope="col">Seneste levering</th>
                <th scope="col">Resultat</th>
              </tr>
            </thead>
            <tbody>
              {answer.folders.map((f) => (
                <tr key={f.id} data-testid={`drop-folder-${f.id}`}>
                  <th scope="row">
                    <code>{f.path}</code>
                  </th>
                  <td>{SOURCE_NAMES[f.source] ?? f.source}</td>
                  <td>{f.municipality ?? 'Hele landet'}</td>
                  <td>{formatDateTime(f.checkedAt)}</td>
                  <td>{f.importedChecksum ? <code title={f.importedChecksum}>{f.importedChecksum.slice(0, 12)}</code> : '–'}</td>
                  <td>
                    {f.lastImport ? (
                      <a href={linkHref('admin/indlaesninger', { import: String(f.lastImport.id) })}>
                        Import {f.lastImport.id}: {RUN_STATUS[f.lastImport.status] ?? f.lastImport.status}
                        {f.lastImport.rejectedCount > 0 && `, ${formatNumber(f.lastImport.rejectedCount)} afvist`}
                      </a>
                    ) : (
                      'Ingen levering endnu'
                    )}
                    {(f.lastError ?? f.lastImport?.error) && (
                      <span className="error small block">{f.lastError ?? f.lastImport?.error}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminCard>
  );
}
