import { useEffect, useId, useRef, useState } from 'react';
import { preferences as fetchPreferences, savePreferences, type Preferences } from '../api';
import { PasswordForm } from './PasswordForm';

/**
 * "Mine indstillinger": opened from the user's name in the header: the weekly e-mail of work-list
 * counts (team leaders and chiefs), saved at once, and a password user's own new password (ADR 0117).
 */
export function MySettings({ label, username }: { label: string; username: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    fetchPreferences().then(setPrefs, (e: Error) => setError(e.message));
    setTimeout(() => panel.current?.focus());
  }, [open]);

  const close = () => {
    setOpen(false);
    setTimeout(() => toggle.current?.focus());
  };

  return (
    <div className="user">
      <button
        ref={toggle}
        type="button"
        className="link user-button"
        data-testid="current-user"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => (open ? close() : setOpen(true))}
      >
        {label}
      </button>
      {open && (
        <div
          id={`${id}-panel`}
          ref={panel}
          className="my-settings"
          role="dialog"
          aria-labelledby={`${id}-title`}
          tabIndex={-1}
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          <h2 id={`${id}-title`}>Mine indstillinger</h2>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {prefs && prefs.weeklyMailForRole && (
            <>
              <label className="check">
                <input
                  type="checkbox"
                  checked={prefs.weeklyMail}
                  onChange={(e) => {
                    const on = e.target.checked;
                    setError(null);
                    setStatus('');
                    // Shown at once; put back if the API refuses.
                    setPrefs({ ...prefs, weeklyMail: on });
                    savePreferences(on).then(
                      (p) => {
                        setPrefs(p);
                        setStatus(on ? 'Du får ugens e-mail.' : 'Du får ikke længere ugens e-mail.');
                      },
                      (err: Error) => {
                        setPrefs({ ...prefs, weeklyMail: !on });
                        setError(err.message);
                      },
                    );
                  }}
                />{' '}
                Send mig ugens e-mail om arbejdslister (mandag morgen)
              </label>
              <p className="muted small">
                {prefs.email
                  ? `Sendes til ${prefs.email}. Kun antal, aldrig sagsnumre eller navne.`
                  : 'Du har ingen e-mailadresse i Børneblik. Bed en administrator om at tilføje den.'}
              </p>
            </>
          )}
          {prefs && !prefs.weeklyMailForRole && <p className="muted small">Ugens e-mail om arbejdslister er for teamledere og chefer.</p>}
          {prefs?.password && (
            <details className="own-password">
              <summary>Skift adgangskode</summary>
              <PasswordForm
                username={username}
                currentLabel="Nuværende adgangskode"
                submitLabel="Skift adgangskoden"
                onChanged={() => setStatus('Din adgangskode er skiftet. Dine logins andre steder er afsluttet.')}
              />
            </details>
          )}
          <p role="status" className="muted small">
            {status}
          </p>
          <button type="button" className="secondary" onClick={close}>
            Luk
          </button>
        </div>
      )}
    </div>
  );
}
