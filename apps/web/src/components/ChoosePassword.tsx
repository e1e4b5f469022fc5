import type { CurrentUser } from '@bu/contracts';
import { PasswordForm } from './PasswordForm';

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
  return (
    <main className="login">
      <h1>Vælg din egen adgangskode</h1>
      <p className="lead">Din adgangskode er givet af en administrator. Vælg en ny, som kun du kender, før du fortsætter.</p>
      <PasswordForm
        username={username}
        currentLabel="Nuværende adgangskode (den du fik)"
        submitLabel="Gem og fortsæt"
        onChanged={onChosen}
      />
      <button type="button" className="link" onClick={onLogout}>
        Log ud
      </button>
    </main>
  );
}
