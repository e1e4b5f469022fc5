import { FormEvent, useState } from 'react';
import {
  createReviewExample,
  deleteReviewExample,
  reviewExamples,
  updateReviewExample,
  type ReviewExample,
  type ReviewExampleBody,
} from '../../api';
import { formatDate } from '../../format';
import { useLoad } from '../../useLoad';

// The chief's child-perspective examples for the committee (CASE-REVIEW.md; ADR 63): the committee
// reads them beside its aggregated results, the chief writes them. The API refuses a text holding a
// CPR number or a name, in Danish; the message is shown beside the form.

const EMPTY = { title: '', text: '' };

export function Examples({ municipality, editable }: { municipality: number; editable: boolean }) {
  const [list, setList] = useState<ReviewExample[] | null>(null);
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);

  useLoad(
    () => reviewExamples(municipality),
    [municipality, version],
    setList,
    (e) => setError(e.message),
  );

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setStatus('');
    const body: ReviewExampleBody = { municipality, title: form.title, text: form.text };
    try {
      if (editing === null) await createReviewExample(body);
      else await updateReviewExample(editing, body);
      setStatus(editing === null ? 'Eksemplet er gemt.' : 'Ændringen er gemt.');
      setForm(EMPTY);
      setEditing(null);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function remove(x: ReviewExample) {
    if (!window.confirm(`Slet eksemplet "${x.title}"?`)) return;
    setError(null);
    try {
      await deleteReviewExample(x.id);
      setStatus(`Eksemplet "${x.title}" er slettet.`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  if (!editable && list && list.length === 0) return null;
  return (
    <section className="card" aria-labelledby="examples-title" data-testid="review-examples">
      <h2 id="examples-title">Barnets perspektiv: eksempler til udvalget</h2>
      {list && list.length === 0 && <p>Der er endnu ingen eksempler.</p>}
      {list?.map((x) => (
        <article key={x.id} className="review-example" data-testid={`example-${x.id}`}>
          <h3>{x.title}</h3>
          <p className="pre">{x.text}</p>
          <p className="muted small">Senest ændret {formatDate(x.updatedAt.slice(0, 10))}</p>
          {editable && (
            <p>
              <button
                type="button"
                className="link"
                aria-label={`Ret eksemplet ${x.title}`}
                onClick={() => {
                  setEditing(x.id);
                  setForm({ title: x.title, text: x.text });
                  setError(null);
                }}
              >
                Ret
              </button>{' '}
              <button type="button" className="link" aria-label={`Slet eksemplet ${x.title}`} onClick={() => void remove(x)}>
                Slet
              </button>
            </p>
          )}
        </article>
      ))}
      {editable && (
        <form className="review-form" onSubmit={(e) => void save(e)} data-testid="example-form" noValidate>
          <h3>{editing === null ? 'Nyt eksempel' : 'Ret eksemplet'}</h3>
          <p className="muted small">
            Skriv uden navne og CPR-numre, fx &quot;pigen på 12 år&quot; eller &quot;rådgiveren&quot;: udvalget må ikke kunne genkende
            barnet. Teksten kontrolleres for CPR-numre og almindelige navne, men ikke for alle navne.
          </p>
          <label>
            Titel
            <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} aria-describedby="example-error" />
          </label>
          <label>
            Eksempel
            <textarea
              rows={4}
              value={form.text}
              onChange={(e) => setForm({ ...form, text: e.target.value })}
              aria-describedby="example-error"
            />
          </label>
          <button type="submit">{editing === null ? 'Gem eksempel' : 'Gem ændringen'}</button>{' '}
          {editing !== null && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setEditing(null);
                setForm(EMPTY);
              }}
            >
              Fortryd
            </button>
          )}
        </form>
      )}
      <p role="status" className="muted small">
        {status}
      </p>
      {error && (
        <p className="error" role="alert" id="example-error">
          {error}
        </p>
      )}
    </section>
  );
}
