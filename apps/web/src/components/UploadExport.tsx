import { FormEvent, useEffect, useState } from 'react';
import { importJob, uploadExport } from '../api';
import { formatNumber } from '../format';
import { DateField } from './DateField';

interface JobState {
  state: string;
  progress: { file?: string; rowsRead?: number; rejected?: number } | number | null;
  failedReason: string | null;
  /** The import's summary: counts (the rejected rows themselves are in the import log). */
  result: { loaded: Record<string, number>; rejectedCount: number; warningCount: number } | null;
}

const SOURCES = [
  ['dubu', 'DUBU (mappe med .csv-filer)'],
  ['csc', 'CSC Social (mappe med .txt-filer)'],
  ['economy', 'Økonomi (oekonomi.csv)'],
  ['statistics', 'Statistik (befolkning.csv, noegletal.csv)'],
];

/** Admin: upload an export folder as a zip and watch the import job's progress. */
export function UploadExport({ onDone }: { onDone?: () => void }) {
  const [source, setSource] = useState('dubu');
  const [file, setFile] = useState<File | null>(null);
  const [exportDate, setExportDate] = useState('');
  const [allowShrink, setAllowShrink] = useState(false);
  const [allowOlder, setAllowOlder] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<JobState | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setError(null);
    setJob(null);
    const form = new FormData();
    form.append('source', source);
    if (exportDate) form.append('exportDate', exportDate);
    if (allowShrink) form.append('allowShrink', 'true');
    if (allowOlder) form.append('allowOlder', 'true');
    form.append('file', file);
    try {
      setJobId(await uploadExport(form));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let state: JobState;
      try {
        state = await importJob<JobState>(jobId);
      } catch (e) {
        // A session that ended (the login form follows), a job gone: stop asking, say why.
        if (!stopped) setError((e as Error).message);
        return;
      }
      if (stopped) return;
      setJob(state);
      if (state.state === 'completed' || state.state === 'failed') onDone?.();
      // Every look is an audit row (import jobs show rejected values): once a second is enough to watch.
      else timer = setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId]);

  const progress = job && typeof job.progress === 'object' ? job.progress : null;
  return (
    <section className="card card-budget-table" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Indlæs et nyt udtræk</h2>
      <form className="upload" onSubmit={(e) => void submit(e)}>
        <label>
          Kilde{' '}
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            {SOURCES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Udtræk (zip) <input type="file" accept=".zip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </label>
        <DateField label="Udtræksdato (valgfri)" value={exportDate} onChange={setExportDate} />
        <label title="Et udtræk, der ville fjerne mere end kommunens grænse (import.max_shrink_share) af dens åbne sager eller budgetlinjer, afvises ellers">
          <input type="checkbox" checked={allowShrink} onChange={(e) => setAllowShrink(e.target.checked)} /> Tillad at data fjernes
        </label>
        <label title="Et DUBU- eller CSC-udtræk med en ældre udtræksdato end det indlæste afvises ellers">
          <input type="checkbox" checked={allowOlder} onChange={(e) => setAllowOlder(e.target.checked)} /> Tillad et ældre udtræk
        </label>
        <button type="submit" disabled={!file}>
          Indlæs
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {job && (
        <p role="status" data-testid="upload-status">
          {job.state === 'completed'
            ? `✓ Indlæst: ${formatNumber(Object.values(job.result?.loaded ?? {}).reduce((a, b) => a + b, 0))} rækker nye eller ændrede, ${formatNumber(job.result?.rejectedCount ?? 0)} afvist.`
            : job.state === 'failed'
              ? `✕ Importen fejlede: ${job.failedReason}`
              : `… ${progress?.file ?? 'venter'}: ${formatNumber(progress?.rowsRead ?? 0)} rækker læst, ${formatNumber(progress?.rejected ?? 0)} afvist`}
        </p>
      )}
    </section>
  );
}
