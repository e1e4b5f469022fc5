import { lazy, Suspense, useEffect, useState } from 'react';
import type { CurrentUser, MunicipalityInfo } from '@bu/contracts';
import { earlyMe, earlyMunicipalities, exchangeSsoTicket, getToken, logout, me, takeLogoutNotice } from './api';
import { followableRedirect } from './session';
import { DashboardView } from './components/DashboardView';
import { ImportLog } from './components/ImportLog';
import { UploadExport } from './components/UploadExport';
import { ChoosePassword } from './components/ChoosePassword';
import { Login } from './components/Login';
import { MySettings } from './components/MySettings';
import { DRILL_VIEW, parseHash, routeHref, type Filters } from './drill';
import { DateField } from './components/DateField';
import { mayAdminister, REPORT_ROLES, REVIEW_ROLES, REVIEW_VIEW } from './areas';
import { dashboardFor, dashboardsOf, startingMunicipality } from './first-screen';

// The areas beside the dashboards load when first opened: the dashboards' first screen does not
// wait for their code (ADR 0080).
const AdminArea = lazy(() => import('./components/admin/AdminArea').then((m) => ({ default: m.AdminArea })));
const CaseReview = lazy(() => import('./components/review/CaseReview').then((m) => ({ default: m.CaseReview })));
const Reports = lazy(() => import('./components/Reports').then((m) => ({ default: m.Reports })));
const LOADING = <p className="muted">Henter …</p>;

/** The one-time ticket of `#/sso?ticket=…`, or null. */
const ssoTicket = (hash: string): string | null => (hash.startsWith('#/sso?') ? new URLSearchParams(hash.slice(6)).get('ticket') : null);

const ROLE_NAMES: Record<string, string> = { udvalg: 'Udvalg', chef: 'Chef', teamleder: 'Teamleder', admin: 'Administrator' };

export function App() {
  const [user, setUser] = useState<CurrentUser | null>(null);
  // A single sign-on callback lands on #/sso?ticket=…: exchanged once, then gone from the address.
  const [ticket] = useState(() => ssoTicket(window.location.hash));
  const [notice, setNotice] = useState<string | null>(takeLogoutNotice);
  // "Who am I" failed (the API down, a network error) while the token still holds: a retry, not the
  // login form, which would look like a logout while a reload resumes the session.
  const [unreachable, setUnreachable] = useState(false);
  const [checked, setChecked] = useState(!getToken() && !ticket);
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  const view = route.view;
  const [places, setPlaces] = useState<MunicipalityInfo[]>([]);
  // The list has answered (or failed): the administration is mounted once, for its municipality.
  const [placesKnown, setPlacesKnown] = useState(false);
  // The filters live in the address (ADR 66): a shared link opens the same figures, a reload keeps them.
  const filters = route.filters;
  // A filter the user sets is a step back can undo; one set for them (a remembered group) replaces.
  const setFilters = (change: Partial<Filters>, replace = false) => {
    const next = { ...filters, ...change };
    for (const k of Object.keys(next) as (keyof Filters)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    const hash = routeHref(view, route.drill, next);
    if (hash === window.location.hash) return;
    if (!replace) window.location.hash = hash;
    else {
      window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
      setRoute(parseHash(hash));
    }
  };
  // The municipality of the address when the user may see it, else the user's first.
  const municipality = startingMunicipality(places, filters);
  const asOf = filters.asOf ?? '';
  const from = filters.from ?? '';
  const [importsVersion, setImportsVersion] = useState(0);

  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    // The session ended (401, the token's end, "Log ud" in another tab): the login form, saying why.
    const onLogout = (event: Event) => {
      setUser(null);
      setUnreachable(false);
      takeLogoutNotice();
      setNotice((event as CustomEvent<{ notice?: string } | null>).detail?.notice ?? null);
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('boerneblik:logout', onLogout);
    if (ticket) {
      window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
      exchangeSsoTicket(ticket)
        .then(setUser, (e: Error) => setNotice(e.message))
        .finally(() => setChecked(true));
    } else if (getToken())
      earlyMe()
        .then(setUser, () => setUnreachable(getToken() !== null))
        .finally(() => setChecked(true));
    // The token was there at the first render but has gone since: the early "who am I" was refused
    // (an ended session) before this effect ran, and its logout event before the listener. Without
    // this the page stayed blank.
    else setChecked(true);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('boerneblik:logout', onLogout);
    };
  }, []);

  // The municipalities of the user signed in: none while nobody is, and a late answer for a user
  // who has since logged out is dropped (another user's list would ask for municipalities they
  // may not see).
  useEffect(() => {
    setPlacesKnown(false);
    if (!user || user.passwordChange) {
      setPlaces([]);
      return;
    }
    let current = true;
    earlyMunicipalities().then(
      (list) => {
        if (!current) return;
        setPlaces(list);
        setPlacesKnown(true);
      },
      () => current && setPlacesKnown(true),
    );
    return () => {
      current = false;
    };
  }, [user]);

  // Only to an https address (the sign-on provider's logout): the API's answer is not followed blindly.
  const signOut = () =>
    void logout().then((redirect) => {
      if (redirect && followableRedirect(redirect)) window.location.assign(redirect);
      else {
        setNotice(null);
        setUnreachable(false);
        setUser(null);
      }
    });
  const retry = () => {
    setUnreachable(false);
    setChecked(false);
    me()
      .then(setUser, () => setUnreachable(getToken() !== null))
      .finally(() => setChecked(true));
  };

  if (!checked) return null;
  if (!user && unreachable)
    return (
      <main className="login">
        <h1>Børneblik</h1>
        <p className="error" role="alert">
          Børneblik kan ikke hente dine oplysninger lige nu. Prøv igen om lidt.
        </p>
        <button type="button" onClick={retry}>
          Prøv igen
        </button>{' '}
        <button type="button" className="secondary" onClick={signOut}>
          Log ud
        </button>
      </main>
    );
  if (!user) return <Login onLogin={setUser} notice={notice} />;
  if (user.passwordChange) return <ChoosePassword username={user.username} onChosen={setUser} onLogout={signOut} />;

  // The administration area: #/admin/<section>[?import=<id>].
  const inAdmin = (view === 'admin' || view.startsWith('admin/')) && mayAdminister(user.role);
  // The committee's report archive (#/rapporter), for the roles that may read it.
  const reportsAllowed = REPORT_ROLES.includes(user.role);
  const onReports = reportsAllowed && view === 'rapporter';
  // Case review (#/sagsgennemgang[/<round>[/<case>]]): team leader, chief; the committee its aggregates.
  const reviewAllowed = REVIEW_ROLES.includes(user.role);
  const onReview = reviewAllowed && (view === REVIEW_VIEW || view.startsWith(`${REVIEW_VIEW}/`));
  const allowed = dashboardsOf(user.role);
  const dashboard = dashboardFor(user.role, view);
  const place = places.find((p) => p.code === municipality);
  // Drill-down opens the team leader view's work lists: only for roles that may open that view.
  const canDrill = allowed.some((d) => d.id === DRILL_VIEW);

  return (
    <>
      <header className="top">
        <a className="brand" href={routeHref(dashboard?.id ?? '', {}, filters)}>
          Børneblik
        </a>
        <nav aria-label="Visninger">
          <ul>
            {allowed.map((d) => (
              <li key={d.id}>
                <a
                  href={routeHref(d.id, {}, filters)}
                  aria-current={!inAdmin && !onReports && !onReview && d.id === dashboard?.id ? 'page' : undefined}
                >
                  {d.title}
                </a>
              </li>
            ))}
            {reportsAllowed && (
              <li>
                <a href={routeHref('rapporter', {}, filters)} aria-current={onReports ? 'page' : undefined}>
                  Rapporter
                </a>
              </li>
            )}
            {reviewAllowed && (
              <li>
                <a href={routeHref(REVIEW_VIEW, {}, filters)} aria-current={onReview ? 'page' : undefined}>
                  Sagsgennemgang
                </a>
              </li>
            )}
            {mayAdminister(user.role) && (
              <li>
                <a href={routeHref('admin', {}, filters)} aria-current={inAdmin ? 'page' : undefined}>
                  Administration
                </a>
              </li>
            )}
          </ul>
        </nav>
        <MySettings label={`${user.username} · ${ROLE_NAMES[user.role]}`} username={user.username} />
        <button type="button" onClick={signOut}>
          Log ud
        </button>
      </header>
      <div className="filters" role="group" aria-label="Filtre">
        {places.length > 1 ? (
          <label>
            Kommune{' '}
            <select
              value={municipality ?? ''}
              // Another municipality: its own comparison groups, so the group is not carried over.
              onChange={(e) => setFilters({ municipality: Number(e.target.value), group: undefined })}
            >
              {places.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span>{place ? `${place.name} Kommune` : ''}</span>
        )}
        {!inAdmin && !onReports && !onReview && (
          <>
            {/* Empty: the newest export's date (the API's default), shown greyed. */}
            <DateField
              label="Opgørelsesdato"
              value={asOf}
              placeholderIso={place?.exportDate ?? undefined}
              onChange={(iso) => setFilters({ asOf: iso })}
              testId="filter-as-of"
            />
            {/* Empty: 1 January of the as-of date's year (the API's default). */}
            <DateField
              label="Periode fra"
              value={from}
              max={asOf || place?.exportDate || undefined}
              maxMessage="Periode fra skal ligge før opgørelsesdatoen"
              onChange={(iso) => setFilters({ from: iso })}
              testId="filter-from"
            />
          </>
        )}
      </div>
      {/* Each area anew for another municipality (key): no list, answer or button of the one before
          (whose late answers would land in it) is shown or acted on under the next. */}
      {inAdmin && placesKnown && (
        <main>
          <Suspense fallback={LOADING}>
            <AdminArea
              key={municipality}
              user={user}
              section={view.split('/')[1] ?? ''}
              query={new URLSearchParams(window.location.hash.split('?')[1] ?? '')}
              municipality={municipality}
              places={places}
            />
          </Suspense>
        </main>
      )}
      {onReports && (
        <main>
          <Suspense fallback={LOADING}>
            {municipality !== null && <Reports key={municipality} municipality={municipality} role={user.role} />}
          </Suspense>
        </main>
      )}
      {onReview && (
        <main>
          <Suspense fallback={LOADING}>
            {municipality !== null && (
              <CaseReview key={municipality} role={user.role} municipality={municipality} path={view.split('/').slice(1)} />
            )}
          </Suspense>
        </main>
      )}
      {!inAdmin && !onReports && !onReview && (
        <main>
          {!dashboard && <p>Din rolle har ingen visninger.</p>}
          {dashboard && municipality !== null && (
            <DashboardView
              key={`${dashboard.id}|${municipality}`}
              dashboard={dashboard}
              municipality={municipality}
              asOf={asOf || undefined}
              from={from || undefined}
              exportDate={place?.exportDate}
              maxDataAgeDays={place?.maxDataAgeDays}
              role={user.role}
              canDrill={canDrill}
              drill={canDrill && dashboard.id === DRILL_VIEW ? route.drill : undefined}
              groupInAddress={filters.group}
              onGroupChange={(group) => setFilters({ group }, true)}
              teams={user.teams}
            />
          )}
          {dashboard?.id === 'datakvalitet' && user.role === 'admin' && <UploadExport onDone={() => setImportsVersion((v) => v + 1)} />}
          {dashboard?.id === 'datakvalitet' && (user.role === 'chef' || user.role === 'admin') && <ImportLog key={importsVersion} />}
          {dashboard && places.length === 0 && <p>Der er endnu ingen data at vise.</p>}
        </main>
      )}
    </>
  );
}
