import { FormEvent, useState } from 'react';
import { createChecklist, type Checklist } from '../../api';

// The chief writes a new version of the municipality's checklist (CASE-REVIEW.md: the checklist is
// data, versioned; a round keeps the version it started with; ADR 60, 62). The form starts from
// the newest version: items are re-titled, removed or added (professional items: pro.…). The API
// says in Danish what it refuses (a formal item the product cannot answer, a CPR number, …).

interface Row {
  id: string;
  kind: 'formal' | 'professional';
  title: string;
}

/** pro.<slug> from a title: lower case, Danish letters spelt out, others as _. */
const proId = (title: string): string =>
  `pro.${
    title
      .toLowerCase()
      .replace(/æ/g, 'ae')
      .replace(/ø/g, 'oe')
      .replace(/å/g, 'aa')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'punkt'
  }`;

/** The versions (newest first, null until read) come from the review page, which reads them once. */
export function ChecklistEditor({
  municipality,
  versions,
  loadError,
  onSaved,
}: {
  municipality: number;
  versions: Checklist[] | null;
  /** Why the versions could not be read. */
  loadError: string | null;
  /** A version saved: the page reads the versions again. */
  onSaved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [rows, setRows] = useState<Row[]>([]);
  const [newTitle, setNewTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const newest = versions?.[0];

  function start() {
    if (!newest) return;
    setTitle(newest.title);
    setRows(newest.items.map((i) => ({ id: i.id, kind: i.kind, title: i.title })));
    setError(null);
    setStatus('');
    setOpen(true);
  }

  function add() {
    const t = newTitle.trim();
    if (t === '') return;
    let id = proId(t);
    for (let n = 2; rows.some((r) => r.id === id); n++) id = `${proId(t).slice(0, 60)}_${n}`;
    setRows([...rows, { id, kind: 'professional', title: t }]);
    setNewTitle('');
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const made = await createChecklist({ municipality, title, items: rows.map((r) => ({ id: r.id, title: r.title })) });
      setStatus(`Tjeklisten "${made.title}" er gemt som version ${made.version}. Nye gennemgange bruger den; tidligere beholder deres.`);
      setOpen(false);
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="card" aria-labelledby="checklist-title" data-testid="checklist-editor">
      <h2 id="checklist-title">Tjekliste</h2>
      {newest && (
        <p data-testid="checklist-newest">
          Nyeste version: {newest.title} (version {newest.version}, {newest.items.length} punkter
          {newest.municipality === null ? ', produktets standard' : ''}).
        </p>
      )}
      {!open && newest && (
        <button type="button" onClick={start}>
          Skriv en ny version
        </button>
      )}
      {open && (
        <form className="review-form" onSubmit={(e) => void save(e)} data-testid="checklist-form" noValidate>
          <label>
            Tjeklistens titel
            <input value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <fieldset>
            <legend>Punkter</legend>
            <p className="muted small">
              Formelle punkter udfyldes fra data og kan kun fjernes eller omdøbes; faglige punkter besvares af den, der gennemgår.
            </p>
            {rows.map((r, i) => (
              <div key={r.id} className="checklist-row" data-testid={`checklist-row-${r.id}`}>
                <label>
                  {r.kind === 'formal' ? 'Formelt punkt' : 'Fagligt punkt'} {i + 1} ({r.id})
                  <input value={r.title} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)))} />
                </label>
                <button
                  type="button"
                  className="link"
                  aria-label={`Fjern punktet ${r.title}`}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                >
                  Fjern
                </button>
              </div>
            ))}
            <label>
              Nyt fagligt punkt
              <input value={newTitle} onChange={(e) => setNewTitle(e.target.value)} />
            </label>
            <button type="button" className="link" onClick={add}>
              Tilføj punktet
            </button>
          </fieldset>
          <button type="submit">Gem som ny version</button>{' '}
          <button type="button" className="link" onClick={() => setOpen(false)}>
            Fortryd
          </button>
        </form>
      )}
      <p role="status" className="muted small">
        {status}
      </p>
      {(error ?? loadError) && (
        <p className="error" role="alert">
          {error ?? loadError}
        </p>
      )}
    </section>
  );
}
