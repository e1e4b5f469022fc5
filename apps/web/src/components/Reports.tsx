import { FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Role } from '@bu/contracts';
import {
  makeReport,
  reportPdf,
  reports as fetchReports,
  reportSchedule,
  saveReportSchedule,
  type Report,
  type ReportSchedule,
} from '../api';
import { formatDate, formatDateTime } from '../format';
import { useLoad } from '../useLoad';
import { REPORT_ROLES } from '../areas';

/** The roles that see the report archive (the API's rule). */
export { REPORT_ROLES };

/** Saves a blob as a file through a temporary link (the PDF needs the session's token, so no plain link). */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The archive of the committee's monthly reports, newest first. */
function Archive({ list, municipality }: { list: Report[]; municipality: number }) {
  const [error, setError] = useState<string | null>(null);
  if (list.length === 0) return <p data-testid="reports-empty">Der er endnu ingen rapporter i arkivet.</p>;
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="value-table" data-testid="report-archive">
        <caption className="sr-only">Udvalgsrapporter, nyeste først</caption>
        <thead>
          <tr>
            <th scope="col">Opgørelsesdato</th>
            <th scope="col">Lavet</th>
            <th scope="col">Af</th>
            <th scope="col">Udsendelse</th>
            <th scope="col">PDF</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id} data-testid={`report-${r.id}`}>
              <td>{formatDate(r.asOf)}</td>
              <td>{formatDateTime(r.madeAt)}</td>
              <td>{r.madeBy === 'planlagt' ? 'Planlagt' : (r.madeBy ?? 'Administrationen')}</td>
              <td>{r.sendResult}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-label={`Hent PDF af rapporten pr. ${formatDate(r.asOf)}, lavet ${formatDateTime(r.madeAt)}`}
                  onClick={() => {
                    setError(null);
                    reportPdf(r.id).then(
                      (blob) => download(blob, `udvalgsrapport-${municipality}-${r.asOf}.pdf`),
                      (e: Error) => setError(e.message),
                    );
                  }}
                >
                  Hent PDF
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** The administrator's schedule and recipients of the municipality's monthly report, and "make one now". */
function ScheduleForm({ municipality, onMade }: { municipality: number; onMade: () => void }) {
  const id = useId();
  const [schedule, setSchedule] = useState<ReportSchedule | null>(null);
  const [recipients, setRecipients] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useLoad(
    () => reportSchedule(municipality),
    [municipality],
    (s) => {
      setSchedule(s);
      setRecipients(s.recipients.join('\n'));
    },
    (e) => setError(e.message),
  );

  if (!schedule) return error ? <p className="error">{error}</p> : null;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!schedule) return;
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const saved = await saveReportSchedule({
        municipality,
        enabled: schedule.enabled,
        dayOfMonth: schedule.dayOfMonth,
        hour: schedule.hour,
        recipients: recipients
          .split(/[\n,;]+/)
          .map((r) => r.trim())
          .filter(Boolean),
      });
      setSchedule(saved);
      setRecipients(saved.recipients.join('\n'));
      setStatus('Gemt.');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function makeNow() {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await makeReport(municipality);
      setStatus('Rapporten laves nu og kommer i arkivet om lidt.');
      onMade();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="report-schedule" onSubmit={(e) => void save(e)} aria-labelledby={`${id}-title`} data-testid="report-schedule">
      <h2 id={`${id}-title`}>Udsendelse</h2>
      <p className="muted">Rapporten sendes som PDF til modtagerne på den valgte dag hver måned (dansk tid).</p>
      <label className="check">
        <input type="checkbox" checked={schedule.enabled} onChange={(e) => setSchedule({ ...schedule, enabled: e.target.checked })} /> Send
        rapporten automatisk hver måned
      </label>
      <div className="report-when">
        <label>
          Dag i måneden{' '}
          <input
            type="number"
            min={1}
            max={28}
            value={schedule.dayOfMonth}
            onChange={(e) => setSchedule({ ...schedule, dayOfMonth: Number(e.target.value) })}
          />
        </label>
        <label>
          Klokken{' '}
          <select value={schedule.hour} onChange={(e) => setSchedule({ ...schedule, hour: Number(e.target.value) })}>
            {HOURS.map((h) => (
              <option key={h} value={h}>
                {String(h).padStart(2, '0')}.00
              </option>
            ))}
          </select>
        </label>
      </div>
      <label htmlFor={`${id}-recipients`}>Modtagere (én e-mailadresse pr. linje)</label>
      <textarea
        id={`${id}-recipients`}
        rows={4}
        value={recipients}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => setRecipients(e.target.value)}
      />
      {error && (
        <p id={`${id}-error`} className="error" role="alert">
          {error}
        </p>
      )}
      <div className="report-actions">
        <button type="submit" disabled={busy}>
          Gem udsendelse
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void makeNow()}>
          Lav rapport nu
        </button>
        <span role="status" className="muted small">
          {status}
        </span>
      </div>
      {schedule.updatedBy && (
        <p className="muted small">
          Sidst ændret af {schedule.updatedBy}
          {schedule.updatedAt ? ` ${formatDateTime(schedule.updatedAt)}` : ''}.
        </p>
      )}
    </form>
  );
}

/** The "Rapporter" view: the committee's monthly reports, and for the administrator their schedule. */
export function Reports({ municipality, role }: { municipality: number; role: Role }) {
  const [list, setList] = useState<Report[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useLoad(
    () => {
      setError(null);
      return fetchReports(municipality);
    },
    [municipality, version],
    setList,
    (e) => setError(e.message),
  );

  // After "make one now": look again until the new report is in the archive (a minute at most).
  const watching = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const stopWatching = () => {
    clearInterval(watching.current);
    watching.current = undefined;
  };
  // Leaving the view (or another municipality) stops the watch below.
  useEffect(() => stopWatching, [municipality]);
  const watchForNew = () => {
    stopWatching();
    const before = list?.length ?? 0;
    let tries = 0;
    const timer = setInterval(() => {
      tries++;
      fetchReports(municipality).then((r) => {
        // A look still under way when the watch stopped (another municipality, the view left) is dropped.
        if (watching.current !== timer) return;
        if (r.length > before || tries >= 30) {
          stopWatching();
          setList(r);
        }
      }, stopWatching);
    }, 2000);
    watching.current = timer;
  };

  return (
    <>
      <h1>Rapporter</h1>
      <p className="muted">Udvalgets månedlige rapport: udvalgsvisningen med kommentarer som PDF, opgjort pr. månedens udgang.</p>
      <div className="grid">
        <section className="card" aria-labelledby="report-archive-title">
          <h2 id="report-archive-title">Arkiv</h2>
          {error && <p className="error">{error}</p>}
          {list && <Archive list={list} municipality={municipality} />}
          <button type="button" className="link small" onClick={() => setVersion((v) => v + 1)}>
            Opdater listen
          </button>
        </section>
        {role === 'admin' && (
          <section className="card">
            <ScheduleForm key={municipality} municipality={municipality} onMade={watchForNew} />
          </section>
        )}
      </div>
    </>
  );
}
