import { FormEvent, useEffect, useState } from 'react';
import type { CurrentUser } from '@bu/contracts';
import { ApiError, authProviders, login, type AuthProvider } from '../api';

/** The login page: the organisation's button(s) when single sign-on is set up, and the password form. */
export function Login({ onLogin, notice }: { onLogin: (user: CurrentUser) => void; notice?: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // Asked for after the right password of a user with a second factor (ADR 0116).
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(notice ?? null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<AuthProvider[]>([]);

  useEffect(() => {
    // Without the list (an old server, a network error) the password form still works.
    authProviders().then(setProviders, () => setProviders([]));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await login(username, password, code ?? undefined));
    } catch (e) {
      if (e instanceof ApiError && e.secondFactor) {
        // The password was right: the code next (a new one after a wrong one).
        setCode('');
        setError(e.secondFactor === 'code-needed' ? null : e.message);
      } else {
        setCode(null);
        setError(e instanceof ApiError && e.status === 401 ? 'Forkert brugernavn eller adgangskode' : (e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>Børneblik</h1>
      <p className="lead">Ledelsesinformation for børn og unge med særlige behov</p>
      {providers.length > 0 && (
        <div className="sso" role="group" aria-label="Log ind med din organisation">
          {providers.map((p) => (
            <a key={p.id} className="button" href={p.loginUrl}>
              {p.label}
            </a>
          ))}
          <p>Eller log ind med brugernavn og adgangskode:</p>
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <label htmlFor="username">Brugernavn</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => {
            setUsername(e.target.value);
            setCode(null);
          }}
          required
        />
        <label htmlFor="password">Adgangskode</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            setCode(null);
          }}
          required
        />
        {code !== null && (
          <>
            <label htmlFor="code">Engangskode fra din godkendelses-app</label>
            <input
              id="code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoFocus
              required
            />
          </>
        )}
        {error && (
          <p id="login-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Log ind
        </button>
      </form>
    </main>
  );
}
