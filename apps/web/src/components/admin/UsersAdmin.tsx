import { FormEvent, useEffect, useId, useState } from 'react';
import type { MunicipalityInfo } from '@bu/contracts';
import { createUser, deleteUser, resetPassword, updateUser, users as fetchUsers, type User, type UserPatch } from '../../api';
import { AdminCard, formatLocal, Messages, ROLE_NAMES } from './common';

const ROLES = ['udvalg', 'chef', 'teamleder', 'admin'] as const;
type Role = (typeof ROLES)[number];
const SOURCE: Record<string, string> = { local: 'Adgangskode', oidc: 'Single sign-on (OpenID Connect)', saml: 'Single sign-on (SAML)' };

const teamList = (text: string): string[] =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');

/** A password for a new user, made in the browser: 16 characters without look-alikes. */
function suggestPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint32Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Brugere: the list with role (and whether a single sign-on user's grant was withdrawn since the
 * last login), municipality, teams, e-mail, how each logs in and the last login;
 * a new user; and one user's changes, disabling, password reset and deletion.
 */
export function UsersAdmin({ me, national, places }: { me: string; national: boolean; places: MunicipalityInfo[] }) {
  const [list, setList] = useState<User[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  const reload = () => fetchUsers().then(setList, (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);
  const user = list?.find((u) => u.username === selected) ?? null;

  return (
    <>
      <AdminCard id="users-h" title="Brugere" testId="admin-users">
        <p className="muted">
          Brugere, der logger ind med single sign-on, oprettes og opdateres ved hvert login ud fra gruppetilknytningen.
        </p>
        <div className="admin-actions">
          <button
            type="button"
            onClick={() => {
              setCreating(true);
              setSelected(null);
            }}
          >
            Ny bruger
          </button>
        </div>
        <Messages status={status} error={error} />
        {list && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Brugere">
            <table className="value-table admin-table">
              <caption className="sr-only">Brugere</caption>
              <thead>
                <tr>
                  <th scope="col">Brugernavn</th>
                  <th scope="col">Rolle</th>
                  <th scope="col">Kommune</th>
                  <th scope="col">Teams</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Logger ind med</th>
                  <th scope="col">Seneste login</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="sr-only">Handlinger</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.username} data-testid={`user-${u.username}`} className={u.username === selected ? 'selected' : undefined}>
                    <th scope="row">{u.username}</th>
                    <td>
                      {ROLE_NAMES[u.role]}
                      {u.grantEnded && (
                        <>
                          {' '}
                          <span className="grant-ended small" data-testid="grant-ended">
                            Adgangen er trukket tilbage – rollen gælder først igen efter næste login
                          </span>
                        </>
                      )}
                    </td>
                    <td>{u.municipality ?? 'Alle'}</td>
                    <td>{u.teams.join(', ') || '–'}</td>
                    <td>{u.email ?? '–'}</td>
                    <td>{u.secondFactor ? 'Adgangskode og engangskode' : SOURCE[u.authSource]}</td>
                    <td>{formatLocal(u.lastLoginAt)}</td>
                    <td>{u.disabled ? 'Spærret' : 'Aktiv'}</td>
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Ret ${u.username}`}
                        onClick={() => {
                          setSelected(u.username);
                          setCreating(false);
                          setStatus('');
                        }}
                      >
                        Ret
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AdminCard>
      {creating && (
        <NewUserForm
          national={national}
          places={places}
          onCancel={() => setCreating(false)}
          onCreated={async (name) => {
            setCreating(false);
            await reload();
            setSelected(name);
            setStatus(`Brugeren ${name} er oprettet.`);
          }}
        />
      )}
      {user && (
        <UserEditor
          key={user.username}
          user={user}
          self={user.username === me}
          national={national}
          places={places}
          onClose={() => setSelected(null)}
          onChanged={async (message, keep = true) => {
            await reload();
            if (!keep) setSelected(null);
            setStatus(message);
          }}
        />
      )}
    </>
  );
}

function MunicipalityField({
  value,
  onChange,
  places,
  role,
}: {
  value: string;
  onChange: (v: string) => void;
  places: MunicipalityInfo[];
  role: string;
}) {
  const list = useId();
  return (
    <label>
      Kommune (kode){' '}
      <input
        inputMode="numeric"
        list={list}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={role === 'admin' ? 'tom: alle kommuner' : ''}
        size={8}
      />
      <datalist id={list}>
        {places.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </datalist>
    </label>
  );
}

function NewUserForm({
  national,
  places,
  onCancel,
  onCreated,
}: {
  national: boolean;
  places: MunicipalityInfo[];
  onCancel: () => void;
  onCreated: (username: string) => Promise<void>;
}) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('chef');
  const [municipality, setMunicipality] = useState(String(places[0]?.code ?? ''));
  const [teams, setTeams] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await createUser({
        username: username.trim(),
        password,
        role,
        ...(national ? { municipality: municipality.trim() === '' ? null : Number(municipality) } : {}),
        teams: teamList(teams),
        ...(email.trim() ? { email: email.trim() } : {}),
      });
      await onCreated(username.trim());
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <AdminCard focus id="new-user-h" title="Ny bruger" testId="new-user">
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <label>
          Brugernavn <input value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          Rolle{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_NAMES[r]}
              </option>
            ))}
          </select>
        </label>
        {national && <MunicipalityField value={municipality} onChange={setMunicipality} places={places} role={role} />}
        <label>
          Teams (adskilt med komma) <input value={teams} onChange={(e) => setTeams(e.target.value)} />
        </label>
        <label>
          E-mail (valgfri) <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Første adgangskode (mindst 10 tegn){' '}
          <input value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
        </label>
        <p className="small">Brugeren vælger sin egen adgangskode ved første login.</p>
        <button type="button" className="secondary" onClick={() => setPassword(suggestPassword())}>
          Foreslå en adgangskode
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="comment-actions">
          <button type="submit">Opret brugeren</button>
          <button type="button" className="secondary" onClick={onCancel}>
            Annuller
          </button>
        </div>
      </form>
    </AdminCard>
  );
}

function UserEditor({
  user,
  self,
  national,
  places,
  onClose,
  onChanged,
}: {
  user: User;
  self: boolean;
  national: boolean;
  places: MunicipalityInfo[];
  onClose: () => void;
  onChanged: (message: string, keep?: boolean) => Promise<void>;
}) {
  const sso = user.authSource !== 'local';
  const [role, setRole] = useState<Role>(user.role);
  const [teams, setTeams] = useState(user.teams.join(', '));
  const [municipality, setMunicipality] = useState(user.municipality === null ? '' : String(user.municipality));
  const [email, setEmail] = useState(user.email ?? '');
  const [password, setPassword] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<string | null>, keep = true) {
    setError(null);
    try {
      const message = await action();
      if (message) await onChanged(message, keep);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const change: UserPatch = {};
    if (!sso && role !== user.role) change.role = role;
    if (!sso && teamList(teams).join(',') !== user.teams.join(',')) change.teams = teamList(teams);
    const code = municipality.trim() === '' ? null : Number(municipality);
    if (!sso && national && code !== user.municipality) change.municipality = code;
    if (email.trim() !== (user.email ?? '')) change.email = email.trim() === '' ? null : email.trim();
    if (Object.keys(change).length === 0) return setError('Der er ingen ændringer at gemme.');
    await run(async () => {
      await updateUser(user.username, change);
      return `Ændringerne af ${user.username} er gemt.${change.role || change.teams || change.municipality !== undefined ? ' Brugeren skal logge ind igen.' : ''}`;
    });
  }

  return (
    <AdminCard focus id="edit-user-h" title={`Ret ${user.username}`} testId="edit-user">
      {sso && (
        <p className="note" data-testid="sso-note">
          {user.username} logger ind med {SOURCE[user.authSource].replace('Single', 'single')}. Rolle, kommune og teams kommer fra
          gruppetilknytningen ved hvert login; ret gruppen under Log ind. Brugeren har ingen adgangskode i Børneblik.
        </p>
      )}
      <form className="admin-form" onSubmit={(e) => void save(e)}>
        <label>
          Rolle{' '}
          <select value={role} disabled={sso || self} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_NAMES[r]}
              </option>
            ))}
          </select>
        </label>
        {national && !sso && <MunicipalityField value={municipality} onChange={setMunicipality} places={places} role={role} />}
        <label>
          Teams (adskilt med komma) <input value={teams} disabled={sso || self} onChange={(e) => setTeams(e.target.value)} />
        </label>
        <label>
          E-mail <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </label>
        <div className="comment-actions">
          <button type="submit">Gem ændringer</button>
          <button type="button" className="secondary" onClick={onClose}>
            Luk
          </button>
        </div>
      </form>
      {!self && (
        <div className="admin-actions">
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void run(async () => {
                await updateUser(user.username, { disabled: !user.disabled });
                return user.disabled ? `${user.username} kan logge ind igen.` : `${user.username} er spærret og logget ud.`;
              })
            }
          >
            {user.disabled ? 'Genåbn brugeren' : 'Spær brugeren'}
          </button>
          {!sso && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void run(async () => {
                  if (!window.confirm(`Nulstil adgangskoden for ${user.username}? Brugeren logges ud.`)) return null;
                  setPassword((await resetPassword(user.username)).password);
                  return null;
                })
              }
            >
              Nulstil adgangskoden
            </button>
          )}
          <button
            type="button"
            className="secondary danger"
            onClick={() =>
              void run(async () => {
                const question = sso
                  ? `Slet brugeren ${user.username}? Brugeren oprettes igen ved næste login, hvis en af dens grupper stadig giver adgang; spær den i stedet for at holde den ude.`
                  : `Slet brugeren ${user.username}?`;
                if (!window.confirm(question)) return null;
                await deleteUser(user.username);
                return `Brugeren ${user.username} er slettet.`;
              }, false)
            }
          >
            Slet brugeren
          </button>
        </div>
      )}
      {password && (
        <div className="note" role="status" data-testid="new-password">
          <p>
            Ny adgangskode til {user.username}: <code>{password}</code>
          </p>
          <p className="small">
            Den vises kun denne ene gang. Giv den til brugeren; de gamle logins er afsluttet. Brugeren vælger sin egen adgangskode ved næste
            login.
          </p>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </AdminCard>
  );
}
