import { FormEvent, useState } from 'react';
import type { CurrentUser } from '@bu/contracts';
import { changePassword } from '../api';

/**
 * After a login with a password an administrator gave (a new user, a reset): the user chooses their
 * own before anything else opens (ADR 0117). The API refuses every other call until then.
 */
export function ChoosePassword({
  username,
  onChosen,
  onLogout,
}: {
  username: string;
  onChosen: (user: CurrentUser) => void;
  onLogout: () => void;
}) {
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
      onChosen(await changePassword(current, next));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>Vælg din egen adgangskode</h1>
      <p className="lead">
        Din adgangskode er givet af en administrator. Vælg en ny, som kun du kender, før du fortsætter. Den skal være mindst 10 tegn.
      </p>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'password-error' : undefined}>
        {/* For the browser's password manager: whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <label htmlFor="current-password">Nuværende adgangskode (den du fik)</label>
        <input
          id="current-password"
          name="current-password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
        />
        <label htmlFor="new-password">Ny adgangskode</label>
        <input
          id="new-password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
        />
        <label htmlFor="new-password-again">Gentag den nye adgangskode</label>
        <input
          id="new-password-again"
          name="new-password-again"
          type="password"
          autoComplete="new-password"
          minLength={10}
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          required
        />
        {error && (
          <p id="password-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Gem og fortsæt
        </button>
        <button type="button" className="link" onClick={onLogout}>
          Log ud
        </button>
      </form>
    </main>
  );
}
