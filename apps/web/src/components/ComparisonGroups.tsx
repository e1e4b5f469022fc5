import { FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, comparisonGroups, deleteComparisonGroup, saveComparisonGroup, suggestedNeighbours, type ComparisonGroup } from '../api';

/**
 * The benchmark figures' comparison group: "alle kommuner" or a saved named group of the
 * municipality, and (chef, admin) a form to create, change or delete a group — picked from
 * every municipality, or started from the suggested statistical neighbours.
 */
export function ComparisonGroups({
  municipality,
  names,
  groupId,
  onChange,
  canEdit,
}: {
  municipality: number;
  /** Every municipality's name by code (from the benchmark answer's dimensions). */
  names: Record<string, string>;
  groupId: number | null;
  onChange: (group: ComparisonGroup | null) => void;
  canEdit: boolean;
}) {
  const [groups, setGroups] = useState<ComparisonGroup[] | null>(null);
  const [editing, setEditing] = useState<ComparisonGroup | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const id = useId();

  // False once unmounted (another municipality or view): a late answer then changes nothing, for
  // onChange writes the address, and the old one's would put its municipality back in it.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /**
   * Reloads the saved groups; selects `select` when given, else keeps (or drops, when gone) the
   * current one. `stale`: the answer is no longer wanted.
   */
  const reload = async (select?: number | null, stale = () => false) => {
    const list = await comparisonGroups(municipality);
    if (stale() || !mounted.current) return;
    setGroups(list);
    const wanted = select === undefined ? groupId : select;
    if (select !== undefined || wanted !== null) onChange(list.find((g) => g.id === wanted) ?? null);
  };

  useEffect(() => {
    let cancelled = false;
    setGroups(null);
    reload(undefined, () => cancelled).catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [municipality]);

  const current = groups?.find((g) => g.id === groupId) ?? null;

  async function remove(group: ComparisonGroup) {
    if (!window.confirm(`Slet sammenligningsgruppen "${group.name}"?`)) return;
    setError(null);
    try {
      await deleteComparisonGroup(municipality, group.id);
      await reload(null);
      setStatus(`Gruppen ${group.name} er slettet.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="card group-panel" aria-labelledby={`${id}-h`} data-testid="comparison-groups">
      <h3 id={`${id}-h`}>Sammenligning med andre kommuner</h3>
      <div className="group-row">
        <label>
          Sammenligningsgruppe{' '}
          <select
            value={groupId === null ? '' : String(groupId)}
            disabled={!groups}
            onChange={(e) => {
              const g = groups?.find((x) => String(x.id) === e.target.value) ?? null;
              setStatus('');
              onChange(g);
            }}
          >
            <option value="">Alle kommuner</option>
            {groups?.map((g) => (
              <option key={g.id} value={String(g.id)}>
                {g.name} ({g.members.length})
              </option>
            ))}
          </select>
        </label>
        {canEdit && !editing && (
          <>
            <button type="button" className="link" onClick={() => setEditing('new')}>
              Ny gruppe
            </button>
            {current && (
              <>
                <button type="button" className="link" onClick={() => setEditing(current)}>
                  Ret gruppen
                </button>
                <button type="button" className="link" onClick={() => void remove(current)}>
                  Slet gruppen
                </button>
              </>
            )}
          </>
        )}
        <span role="status" className="muted small">
          {status}
        </span>
      </div>
      {current && !editing && (
        <p className="muted small" data-testid="group-members">
          Egen kommune sammenlignes med: {current.members.map((c) => names[String(c)] ?? String(c)).join(', ')}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {editing && groups && (
        <GroupEditor
          key={editing === 'new' ? 'new' : editing.id}
          municipality={municipality}
          names={names}
          group={editing === 'new' ? null : editing}
          others={groups.filter((g) => editing === 'new' || g.id !== editing.id)}
          onCancel={() => setEditing(null)}
          onSaved={async (saved) => {
            setEditing(null);
            await reload(saved);
            setStatus('Gruppen er gemt, og sammenligningerne er hentet for den.');
          }}
        />
      )}
    </section>
  );
}

function GroupEditor({
  municipality,
  names,
  group,
  others,
  onCancel,
  onSaved,
}: {
  municipality: number;
  names: Record<string, string>;
  group: ComparisonGroup | null;
  others: ComparisonGroup[];
  onCancel: () => void;
  onSaved: (id: number) => Promise<void>;
}) {
  const [name, setName] = useState(group?.name ?? '');
  const [members, setMembers] = useState<Set<number>>(new Set((group?.members ?? []).filter((c) => c !== municipality)));
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => nameRef.current?.focus(), []);

  const all = useMemo(
    () =>
      Object.entries(names)
        .map(([code, n]) => ({ code: Number(code), name: n }))
        .filter((m) => m.code !== municipality && m.code !== 0)
        .sort((a, b) => a.name.localeCompare(b.name, 'da')),
    [names, municipality],
  );
  const shown = all.filter((m) => m.name.toLowerCase().includes(filter.trim().toLowerCase()));

  const toggle = (code: number) =>
    setMembers((s) => {
      const next = new Set(s);
      if (next.has(code)) next.delete(code);
      else next.add(code);
      return next;
    });

  async function suggest() {
    setError(null);
    try {
      const list = await suggestedNeighbours(municipality);
      setMembers(new Set(list.map((n) => n.code).filter((c) => c !== municipality)));
      if (!name.trim()) setName('Statistiske naboer');
      setNote(
        list.length
          ? `${list.length} foreslåede nabokommuner er valgt: ${list.map((n) => n.name).join(', ')}.`
          : 'Der er ikke statistik nok til at foreslå nabokommuner.',
      );
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Giv gruppen et navn.');
    if (members.size === 0) return setError('Vælg mindst én kommune at sammenligne med.');
    // The API saves by name (a second group with the same name would replace the first).
    if (others.some((g) => g.name.toLowerCase() === trimmed.toLowerCase()))
      return setError(`Der findes allerede en gruppe, der hedder ${trimmed}.`);
    setBusy(true);
    setError(null);
    try {
      const saved = await saveComparisonGroup(municipality, trimmed, [...members]);
      // Renamed: the API keys groups by name, so the old one is removed after the new is saved.
      if (group && group.id !== saved.id)
        await deleteComparisonGroup(municipality, group.id).catch((e) =>
          e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e),
        );
      await onSaved(saved.id);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="group-editor" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-legend`}>
      <h4 id={`${id}-legend`}>{group ? `Ret gruppen ${group.name}` : 'Ny sammenligningsgruppe'}</h4>
      <div className="group-row">
        <label>
          Navn <input ref={nameRef} value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="button" className="secondary" onClick={() => void suggest()}>
          Start fra foreslåede nabokommuner
        </button>
      </div>
      {note && (
        <p className="muted small" role="status">
          {note}
        </p>
      )}
      <fieldset>
        <legend>Kommuner i gruppen ({members.size} valgt; egen kommune er altid med)</legend>
        <label className="filter">
          Find kommune <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <ul className="municipality-list">
          {shown.map((m) => (
            <li key={m.code}>
              <label>
                <input type="checkbox" checked={members.has(m.code)} onChange={() => toggle(m.code)} /> {m.name}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="comment-actions">
        <button type="submit" disabled={busy}>
          Gem gruppen
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Annuller
        </button>
      </div>
    </form>
  );
}
