import { FormEvent, useEffect, useId, useRef, useState } from 'react';

export const COMMENT_MAX = 2000;

/**
 * The administration's written comment on a budget line or a goal: shown to everyone, and for
 * chef and admin a small form to write or change it. Saving goes through onSave (the API); the
 * form stays open with the error when that fails. onSave(null) deletes the comment.
 */
export function CommentEditor({
  text,
  subject,
  onSave,
}: {
  text?: string;
  subject: string;
  onSave?: (text: string | null) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const toggle = useRef<HTMLButtonElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  useEffect(() => {
    if (editing) area.current?.focus();
  }, [editing]);

  async function submit(event: FormEvent | null, remove = false) {
    event?.preventDefault();
    if (!onSave || (!remove && !draft.trim())) return;
    setBusy(true);
    setError(null);
    try {
      await onSave(remove ? null : draft.trim());
      setEditing(false);
      setSaved(remove ? 'Slettet.' : 'Gemt.');
      setTimeout(() => toggle.current?.focus());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const verb = text ? 'Ret kommentar' : 'Skriv kommentar';
  return (
    <>
      {text && !editing && (
        <p className="comment" data-testid="comment">
          {text}
        </p>
      )}
      {onSave && !editing && (
        <span className="comment-edit">
          <button
            ref={toggle}
            type="button"
            className="link small"
            aria-label={`${verb} til ${subject}`}
            onClick={() => {
              setDraft(text ?? '');
              setSaved('');
              setEditing(true);
            }}
          >
            {verb}
          </button>
          <span role="status" className="muted small">
            {saved}
          </span>
        </span>
      )}
      {onSave && editing && (
        <form className="comment-form comment-edit" onSubmit={(e) => void submit(e)}>
          <label htmlFor={`${id}-text`}>Kommentar til {subject}</label>
          <textarea
            id={`${id}-text`}
            ref={area}
            value={draft}
            maxLength={COMMENT_MAX}
            rows={3}
            required
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setEditing(false);
                setTimeout(() => toggle.current?.focus());
              }
            }}
          />
          {error && (
            <p id={`${id}-error`} className="error" role="alert">
              {error}
            </p>
          )}
          <div className="comment-actions">
            <button type="submit" disabled={busy || !draft.trim()}>
              Gem
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(false);
                setTimeout(() => toggle.current?.focus());
              }}
            >
              Annuller
            </button>
            {text && (
              <button type="button" className="secondary" disabled={busy} onClick={() => void submit(null, true)}>
                Slet kommentar
              </button>
            )}
            <span className="muted small">
              {draft.length} / {COMMENT_MAX} tegn
            </span>
          </div>
        </form>
      )}
    </>
  );
}
