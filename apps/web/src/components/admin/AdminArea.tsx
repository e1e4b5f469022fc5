import type { CurrentUser, MunicipalityInfo } from '@bu/contracts';
import { linkHref } from '../../drill';
import { AuditAdmin } from './AuditAdmin';
import { DropFoldersAdmin } from './DropFoldersAdmin';
import { GoalsAdmin } from './GoalsAdmin';
import { ImportsAdmin } from './ImportsAdmin';
import { LoginAdmin } from './LoginAdmin';
import { SettingsAdmin } from './SettingsAdmin';
import { UsersAdmin } from './UsersAdmin';
import { ADMIN_SECTIONS, mayAdminister } from '../../areas';

/** The sections, each for the roles the API lets use it (the chief reads goals, settings and imports). */
export { ADMIN_SECTIONS, mayAdminister };

/** `#/admin/<section>`: the administration area with its own navigation. */
export function AdminArea({
  user,
  section,
  query,
  municipality,
  places,
}: {
  user: CurrentUser;
  section: string;
  query: URLSearchParams;
  municipality: number | null;
  places: MunicipalityInfo[];
}) {
  const allowed = ADMIN_SECTIONS.filter((s) => (s.roles as readonly string[]).includes(user.role));
  const current = allowed.find((s) => s.id === section) ?? allowed[0];
  const admin = user.role === 'admin';
  // A product administrator has no municipality of its own (the API's scope: every municipality).
  const national = admin && user.municipalities.length === 0;
  return (
    <div className="admin-area">
      <h1>Administration</h1>
      <nav aria-label="Administration" className="admin-nav">
        <ul>
          {allowed.map((s) => (
            <li key={s.id}>
              <a href={linkHref(`admin/${s.id}`)} aria-current={s.id === current.id ? 'page' : undefined}>
                {s.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {current.id === 'brugere' && <UsersAdmin me={user.username} national={national} places={places} />}
      {current.id === 'maal' && municipality !== null && <GoalsAdmin municipality={municipality} canEdit={admin} />}
      {current.id === 'indstillinger' && municipality !== null && (
        <SettingsAdmin municipality={municipality} canEdit={admin} national={national} />
      )}
      {current.id === 'log-ind' && municipality !== null && <LoginAdmin municipality={municipality} />}
      {current.id === 'afleveringsmapper' && <DropFoldersAdmin />}
      {current.id === 'indlaesninger' && <ImportsAdmin canEdit={admin} selected={query.get('import') ?? undefined} />}
      {current.id === 'revisionslog' && <AuditAdmin />}
      {(current.id === 'maal' || current.id === 'indstillinger' || current.id === 'log-ind') && municipality === null && (
        <p>Der er endnu ingen kommuner med data.</p>
      )}
    </div>
  );
}
