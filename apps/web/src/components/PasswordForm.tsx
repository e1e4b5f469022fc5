import { FormEvent, useId, useState } from 'react';
import type { CurrentUser } from '@bu/contracts';
import { changePassword } from '../api';

/**
 * The user's own new password (ADR 0117): the current one, the new one twice. The API answers with
 * a new session (kept by `changePassword`) and ends the user's other sessions.
 */
export function PasswordForm({
  username,
  currentLabel,
  submitLabel,
  onChanged,
}: {
  username: string;
  currentLabel: string;
  submitLabel: string;
  onChanged: (user: CurrentUser) => void;
}) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (next !== again) {
      setError('De to nye adgangskoder er ikke ens.');
      return;
    }
    setBusy(true);
    try {
      const user = await changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      onChanged(user);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-describedby={error ? `${id}-error` : undefined}>
      {/* For the browser's password manager: whose password this is. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <label htmlFor={`${id}-current`}>{currentLabel}</label>
      <input
        id={`${id}-current`}
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        required
      />
      <label htmlFor={`${id}-new`}>Ny adgangskode (mindst 10 tegn)</label>
      <input
        id={`${id}-new`}
        type="password"
        autoComplete="new-password"
        minLength={10}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        required
      />
      <label htmlFor={`${id}-again`}>Gentag den nye adgangskode</label>
      <input
        id={`${id}-again`}
        type="password"
        autoComplete="new-password"
        minLength={10}
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        required
      />
      {error && (
        <p id={`${id}-error`} className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
