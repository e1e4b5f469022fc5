import { FormEvent, useEffect, useState } from 'react';
import {
  authProviders,
  createGroupMapping,
  deleteGroupMapping,
  groupMappings,
  loginPolicy,
  setLoginPolicy,
  updateGroupMapping,
  type GroupMapping,
  type LoginPolicy,
} from '../../api';
import { AdminCard, Messages, ROLE_NAMES } from './common';

const ROLES = ['udvalg', 'chef', 'teamleder', 'admin'] as const;
type Role = (typeof ROLES)[number];

/**
 * Log ind: which of the organisation's groups give which role and teams in the municipality
 * (single sign-on), and whether passwords still log in. A change takes effect at the user's next login.
 */
export function LoginAdmin({ municipality }: { municipality: number }) {
  const [mappings, setMappings] = useState<GroupMapping[] | null>(null);
  const [policy, setPolicy] = useState<LoginPolicy | null>(null);
  const [providers, setProviders] = useState<string[] | null>(null);
  const [editing, setEditing] = useState<GroupMapping | 'new' | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  const reload = async () => {
    const [m, p] = await Promise.all([groupMappings(municipality), loginPolicy(municipality)]);
    setMappings(m);
    setPolicy(p);
  };
  useEffect(() => {
    setEditing(null);
    reload().catch((e: Error) => setError(e.message));
    authProviders().then(
      (list) => setProviders(list.map((p) => p.label)),
      () => setProviders([]),
    );
  }, [municipality]);

  async function run(action: () => Promise<unknown>, message: string) {
    setError(null);
    try {
      await action();
      await reload();
      setStatus(message);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <>
      <AdminCard id="login-h" title="Log ind" testId="admin-login">
        <p className="muted">
          {providers === null
            ? ''
            : providers.length > 0
              ? `Log ind med organisationens konto: ${providers.join(', ')}.`
              : 'Log ind med organisationens konto er ikke sat op på serveren (OIDC_ISSUER eller SAML).'}{' '}
          Rolle, kommune og teams for en bruger fra single sign-on kommer fra grupperne nedenfor og opdateres ved brugerens næste login. En
          bruger uden nogen af grupperne får ingen adgang.
        </p>
        <Messages status={status} error={error} />
        {policy && (
          <div className="admin-actions">
            <span data-testid="password-login">
              Log ind med adgangskode er <strong>{policy.passwordLogin ? 'slået til' : 'slået fra'}</strong> for kommunen.
            </span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                if (
                  policy.passwordLogin &&
                  !window.confirm(
                    'Slå log ind med adgangskode fra? Kommunens brugere, også du, hvis du logger ind med adgangskode, kan derefter kun logge ind med organisationens konto.',
                  )
                )
                  return;
                void run(
                  () => setLoginPolicy(municipality, !policy.passwordLogin),
                  policy.passwordLogin ? 'Log ind med adgangskode er slået fra.' : 'Log ind med adgangskode er slået til.',
                );
              }}
            >
              {policy.passwordLogin ? 'Slå log ind med adgangskode fra' : 'Slå log ind med adgangskode til'}
            </button>
          </div>
        )}
        <h3>Grupper</h3>
        <div className="admin-actions">
          <button type="button" onClick={() => setEditing('new')}>
            Ny gruppe
          </button>
        </div>
        {mappings && mappings.length === 0 && <p>Ingen grupper er sat op.</p>}
        {mappings && mappings.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Grupper og den adgang, de giver">
            <table className="value-table admin-table">
              <caption className="sr-only">Grupper og den adgang, de giver</caption>
              <thead>
                <tr>
                  <th scope="col">Gruppe</th>
                  <th scope="col">Rolle</th>
                  <th scope="col">Teams</th>
                  <th scope="col">
                    <span className="sr-only">Handlinger</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {mappings.map((m) => (
                  <tr key={m.id} data-testid={`mapping-${m.group}`}>
                    <th scope="row">{m.group}</th>
                    <td>{ROLE_NAMES[m.role]}</td>
                    <td>{m.teams.join(', ') || '–'}</td>
                    <td className="nowrap">
                      <button type="button" className="link" aria-label={`Ret gruppen ${m.group}`} onClick={() => setEditing(m)}>
                        Ret
                      </button>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Slet gruppen ${m.group}`}
                        onClick={() => {
                          if (window.confirm(`Slet gruppen ${m.group}? Brugerne mister adgangen ved næste login.`))
                            void run(() => deleteGroupMapping(m.id), `Gruppen ${m.group} er slettet.`);
                        }}
                      >
                        Slet
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AdminCard>
      {editing && (
        <MappingForm
          key={editing === 'new' ? 'new' : editing.id}
          municipality={municipality}
          mapping={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={async (group) => {
            setEditing(null);
            await reload();
            setStatus(`Gruppen ${group} er gemt. Den gælder fra brugernes næste login.`);
          }}
        />
      )}
    </>
  );
}

function MappingForm({
  municipality,
  mapping,
  onCancel,
  onSaved,
}: {
  municipality: number;
  mapping: GroupMapping | null;
  onCancel: () => void;
  onSaved: (group: string) => Promise<void>;
}) {
  const [group, setGroup] = useState(mapping?.group ?? '');
  const [role, setRole] = useState<Role>(mapping?.role ?? 'chef');
  const [teams, setTeams] = useState(mapping?.teams.join(', ') ?? '');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const body = {
      municipality,
      group,
      role,
      teams: teams
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    };
    try {
      if (mapping) await updateGroupMapping(mapping.id, body);
      else await createGroupMapping(body);
      await onSaved(group.trim());
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <AdminCard focus id="mapping-form-h" title={mapping ? `Ret gruppen ${mapping.group}` : 'Ny gruppe'} testId="mapping-form">
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <label>
          Gruppe (navn eller id, som identitetsudbyderen sender den){' '}
          <input value={group} onChange={(e) => setGroup(e.target.value)} required size={40} />
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
        <label>
          Teams (adskilt med komma) <input value={teams} onChange={(e) => setTeams(e.target.value)} />
        </label>
        {error && (
          <p className="error wide" role="alert">
            {error}
          </p>
        )}
        <div className="comment-actions">
          <button type="submit">Gem gruppen</button>
          <button type="button" className="secondary" onClick={onCancel}>
            Annuller
          </button>
        </div>
      </form>
    </AdminCard>
  );
}
