import { DateField } from '../DateField';
import { FormEvent, useMemo, useState } from 'react';
import type { Role } from '@bu/contracts';
import {
  checklists as fetchChecklists,
  createReview,
  createReviewMeeting,
  deleteReview,
  review as fetchReview,
  reviewCase,
  reviewMeetings,
  reviews as fetchReviews,
  updateReviewMeeting,
  saveReviewCase,
  type Checklist,
  type Review,
  type ReviewBody,
  type ReviewCaseBody,
  type ReviewCaseDetail,
  type ReviewMeeting,
  type ReviewSummary,
} from '../../api';
import { linkHref } from '../../drill';
import { formatDate } from '../../format';
import { ChecklistEditor } from './ChecklistEditor';
import { Examples } from './Examples';
import { ActionAreas, ResultsSection } from './ReviewResults';
import { ANSWER_NAMES, FACT_GROUPS, FACT_NAMES, factCell, factValue, itemTitle, STATUS_NAMES, type ItemTitles } from './labels';
import { useLoad } from '../../useLoad';
import { REVIEW_ROLES, REVIEW_VIEW } from '../../areas';

// The case review view (#/sagsgennemgang, issue 16): rounds of ledelsestilsyn and sagsgennemgang,
// one round's cases, meetings and action areas, one case's review beside its facts, and results
// over time. The committee sees only the aggregated results and the action areas.

/** The roles that see the view (the API's: the committee its aggregates only). */
export { REVIEW_ROLES, REVIEW_VIEW };

// Through linkHref: a user of several municipalities stays in the one chosen (in the address).
const roundsHref = () => linkHref(REVIEW_VIEW);
const roundHref = (id: number) => linkHref(`${REVIEW_VIEW}/${id}`);
const caseHref = (id: number, c: string) => linkHref(`${REVIEW_VIEW}/${id}/${encodeURIComponent(c)}`);

function ErrorLine({ error, id }: { error: string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" id={id}>
      {error}
    </p>
  );
}

/** #/sagsgennemgang[/<round>[/<case>]]: the page the path names. */
export function CaseReview({ role, municipality, path }: { role: Role; municipality: number; path: string[] }) {
  // The checklist versions the municipality may use, newest first, fetched once here for the item
  // titles, the new-round form and the chief's editor (again only when the chief saves a version).
  const [checklists, setChecklists] = useState<{ municipality: number; list: Checklist[] } | null>(null);
  const [checklistError, setChecklistError] = useState<string | null>(null);
  const [checklistsVersion, setChecklistsVersion] = useState(0);
  useLoad(
    role === 'udvalg'
      ? null
      : () => {
          setChecklistError(null);
          return fetchChecklists(municipality);
        },
    [role, municipality, checklistsVersion],
    (list) => setChecklists({ municipality, list }),
    (e) => setChecklistError(e.message),
  );
  const versions = checklists?.municipality === municipality ? checklists.list : null;
  // Titles of every checklist version the municipality may use (newest wins).
  const titles = useMemo(() => {
    const t: ItemTitles = {};
    for (const c of [...(versions ?? [])].reverse()) for (const i of c.items) t[i.id] = i.title;
    return t;
  }, [versions]);

  if (role === 'udvalg') return <CommitteeReview municipality={municipality} />;
  const round = path[0] ? Number(path[0]) : null;
  const caseId = path[1] ? caseFromAddress(path[1]) : null;
  if (round !== null && Number.isInteger(round) && caseId !== null) {
    return <CasePage key={`${round}/${caseId}`} round={round} caseId={caseId} />;
  }
  if (round !== null && Number.isInteger(round)) return <RoundPage key={round} id={round} municipality={municipality} titles={titles} />;
  return (
    <RoundsPage
      role={role}
      municipality={municipality}
      titles={titles}
      checklists={versions}
      checklistError={checklistError}
      onChecklistSaved={() => setChecklistsVersion((v) => v + 1)}
    />
  );
}

/**
 * A case number from the address (a link someone sent): null when it cannot be one, a broken
 * escape or a path step ("..", which would reach another address of the API), so the round is shown.
 */
function caseFromAddress(part: string): string | null {
  let id: string;
  try {
    id = decodeURIComponent(part).trim();
  } catch {
    return null;
  }
  return id !== '' && id.length <= 64 && id !== '.' && id !== '..' ? id : null;
}

/** The committee: the aggregated results (suppressed by the API) and the action areas, nothing per case. */
function CommitteeReview({ municipality }: { municipality: number }) {
  return (
    <div className="review" data-testid="review-committee">
      <h1>Sagsgennemgang</h1>
      <p className="lead">
        Samlede resultater af kommunens ledelsestilsyn og sagsgennemgange og de aftalte indsatsområder. Tal under 5 vises ikke, og der vises
        ingen enkeltsager.
      </p>
      <ResultsSection municipality={municipality} titles={{}} committee />
      <Examples municipality={municipality} editable={false} />
      <ActionAreas municipality={municipality} titles={{}} editable={false} />
    </div>
  );
}

/** The rounds with their progress, a form for a new one, results over time and all action areas. */
function RoundsPage({
  role,
  municipality,
  titles,
  checklists,
  checklistError,
  onChecklistSaved,
}: {
  role: Role;
  municipality: number;
  titles: ItemTitles;
  /** The checklist versions, newest first (null: not yet read). */
  checklists: Checklist[] | null;
  checklistError: string | null;
  onChecklistSaved: () => void;
}) {
  const [list, setList] = useState<ReviewSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);

  useLoad(
    () => fetchReviews(municipality),
    [municipality, version],
    setList,
    (e) => setError(e.message),
  );

  async function remove(r: ReviewSummary) {
    if (!window.confirm(`Slet gennemgangen "${r.title}" med alle dens sager, svar og møder?`)) return;
    setError(null);
    try {
      await deleteReview(r.id);
      setStatus(`Gennemgangen "${r.title}" er slettet.`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="review">
      <h1>Sagsgennemgang</h1>
      <p className="lead">
        Ledelsestilsyn og læringsorienterede sagsgennemgange: gennemgangen vurderer sagsbehandlingen, aldrig den enkelte person.
      </p>
      <section className="card" aria-labelledby="rounds-title">
        <h2 id="rounds-title">Gennemgange</h2>
        {list && list.length === 0 && <p>Der er endnu ingen gennemgange.</p>}
        {list && list.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Gennemgange">
            <table className="value-table" data-testid="review-rounds">
              <caption className="sr-only">Gennemgange, nyeste først</caption>
              <thead>
                <tr>
                  <th scope="col">Titel</th>
                  <th scope="col">Dato</th>
                  <th scope="col">Udtræk</th>
                  <th scope="col">Fremdrift</th>
                  <th scope="col">Oprettet af</th>
                  <th scope="col">
                    <span className="sr-only">Handling</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id} data-testid={`round-${r.id}`}>
                    <th scope="row">
                      <a href={roundHref(r.id)}>{r.title}</a>
                    </th>
                    <td>{formatDate(r.asOf)}</td>
                    <td>{samplingText(r.sampling)}</td>
                    <td>
                      <progress max={Math.max(r.cases, 1)} value={r.done} aria-label={`Fremdrift for ${r.title}`} />{' '}
                      <span data-testid="progress">
                        {r.done} af {r.cases} færdige
                      </span>
                    </td>
                    <td>{r.createdBy}</td>
                    <td>
                      <button type="button" className="link" onClick={() => void remove(r)} aria-label={`Slet gennemgangen ${r.title}`}>
                        Slet
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p role="status" className="muted small">
          {status}
        </p>
        <ErrorLine error={error} />
      </section>
      {/* Not remounted when the chief saves a checklist version: a half-typed new round stays. */}
      <NewRound municipality={municipality} versions={checklists ?? []} onMade={() => setVersion((v) => v + 1)} />
      {role === 'chef' && (
        <ChecklistEditor municipality={municipality} versions={checklists} loadError={checklistError} onSaved={onChecklistSaved} />
      )}
      <ResultsSection municipality={municipality} titles={titles} committee={false} />
      <Examples municipality={municipality} editable={role === 'chef'} />
      <ActionAreas municipality={municipality} titles={titles} editable />
    </div>
  );
}

function samplingText(s: Record<string, unknown>): string {
  if (s.kind === 'random_per_caseworker') return `Tilfældigt, ${String(s.perCaseworker)} pr. rådgiver (seed ${String(s.seed)})`;
  if (s.kind === 'random_by_family')
    return `Tilfældigt, ${String(s.count)} ${s.family === 'placement' ? 'anbringelser' : 'forebyggende'} (seed ${String(s.seed)})`;
  if (s.kind === 'random_by_paragraph') return `Tilfældigt, ${String(s.count)} efter ${String(s.paragraph)} (seed ${String(s.seed)})`;
  if (s.kind === 'chosen') return 'Udvalgte sager';
  return '';
}

/** A whole number from a field; NaN when it is none (the API's Danish message then says why). */
const whole = (text: string): number => (/^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN);

/** A new round: title, purpose, date and one of the three samplings. */
function NewRound({ municipality, versions, onMade }: { municipality: number; versions: Checklist[]; onMade: () => void }) {
  const [title, setTitle] = useState('');
  const [purpose, setPurpose] = useState('');
  const [asOf, setAsOf] = useState('');
  const [kind, setKind] = useState<ReviewBody['sampling']['kind']>('random_per_caseworker');
  const [perCaseworker, setPerCaseworker] = useState('2');
  const [family, setFamily] = useState<'placement' | 'preventive'>('placement');
  const [count, setCount] = useState('10');
  const [paragraph, setParagraph] = useState('');
  const [seed, setSeed] = useState('');
  const [chosen, setChosen] = useState([{ case: '', forklaede: '' }]);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<Review | null>(null);
  const [busy, setBusy] = useState(false);
  // The checklist version chosen ('': the newest); a round keeps the one it starts with.
  const [version, setVersion] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setMade(null);
    const s = seed.trim() === '' ? undefined : whole(seed);
    // A seed that is not a whole number goes to the API as it is, which refuses it in Danish.
    const seedValue = s !== undefined && Number.isNaN(s) ? (seed as unknown as number) : s;
    const sampling: ReviewBody['sampling'] =
      kind === 'random_per_caseworker'
        ? { kind, perCaseworker: whole(perCaseworker), seed: seedValue }
        : kind === 'random_by_family'
          ? { kind, family, count: whole(count), seed: seedValue }
          : kind === 'random_by_paragraph'
            ? { kind, paragraph, count: whole(count), seed: seedValue }
            : {
                kind,
                cases: chosen.filter((c) => c.case.trim() !== '').map((c) => ({ case: c.case.trim(), forklaede: c.forklaede || null })),
              };
    setBusy(true);
    try {
      const r = await createReview({
        municipality,
        title,
        purpose: purpose || null,
        ...(asOf ? { asOf } : {}),
        ...(version ? { checklistVersion: Number(version) } : {}),
        sampling,
      });
      setMade(r);
      onMade();
      setTitle('');
      setPurpose('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="new-round-title">
      <h2 id="new-round-title">Ny gennemgang</h2>
      <form className="review-form" onSubmit={(e) => void submit(e)} data-testid="new-round" noValidate>
        <label>
          Titel
          <input value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Formål
          <textarea rows={2} value={purpose} onChange={(e) => setPurpose(e.target.value)} />
        </label>
        <DateField label="Dato for gennemgangen (tom: de nyeste data)" value={asOf} onChange={setAsOf} />
        {versions.length > 1 && (
          <label>
            Tjekliste
            <select value={version} onChange={(e) => setVersion(e.target.value)}>
              <option value="">Nyeste: {versions[0].title}</option>
              {versions.map((c) => (
                <option key={c.version} value={c.version}>
                  {c.title} (version {c.version})
                </option>
              ))}
            </select>
          </label>
        )}
        {versions.length === 1 && (
          <p className="muted small" data-testid="checklist-version">
            Tjekliste: {versions[0].title} (version {versions[0].version})
          </p>
        )}
        <fieldset>
          <legend>Udtræk af sager</legend>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'random_per_caseworker'} onChange={() => setKind('random_per_caseworker')} />
            Tilfældigt pr. rådgiver
          </label>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'random_by_family'} onChange={() => setKind('random_by_family')} />
            Tilfældigt efter foranstaltningstype
          </label>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'random_by_paragraph'} onChange={() => setKind('random_by_paragraph')} />
            Tilfældigt efter lovparagraf
          </label>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'chosen'} onChange={() => setKind('chosen')} />
            Udvalgte sager med forklæde
          </label>
        </fieldset>
        {kind === 'random_per_caseworker' && (
          <label>
            Sager pr. rådgiver
            <input inputMode="numeric" value={perCaseworker} onChange={(e) => setPerCaseworker(e.target.value)} />
          </label>
        )}
        {kind === 'random_by_family' && (
          <>
            <label>
              Foranstaltningstype
              <select value={family} onChange={(e) => setFamily(e.target.value as 'placement' | 'preventive')}>
                <option value="placement">Anbringelser</option>
                <option value="preventive">Forebyggende foranstaltninger</option>
              </select>
            </label>
            <label>
              Antal sager
              <input inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
            </label>
          </>
        )}
        {kind === 'random_by_paragraph' && (
          <>
            <label>
              Lovparagraf (fx BL § 46 eller SEL § 52, stk. 3)
              <input value={paragraph} onChange={(e) => setParagraph(e.target.value)} />
            </label>
            <label>
              Antal sager
              <input inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
            </label>
          </>
        )}
        {kind !== 'chosen' && (
          <label>
            Seed (tom: vælges og gemmes; samme seed og data giver samme sager)
            <input inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} />
          </label>
        )}
        {kind === 'chosen' && (
          <fieldset>
            <legend>Udvalgte sager</legend>
            {chosen.map((c, i) => (
              <div key={i} className="chosen-case">
                <label>
                  Sagsnummer {i + 1}
                  <input value={c.case} onChange={(e) => setChosen(chosen.map((x, j) => (j === i ? { ...x, case: e.target.value } : x)))} />
                </label>
                <label>
                  Forklæde for sag {i + 1} (hvorfor denne sag, hvad skal der ses på)
                  <textarea
                    rows={3}
                    value={c.forklaede}
                    onChange={(e) => setChosen(chosen.map((x, j) => (j === i ? { ...x, forklaede: e.target.value } : x)))}
                  />
                </label>
              </div>
            ))}
            <button type="button" className="link" onClick={() => setChosen([...chosen, { case: '', forklaede: '' }])}>
              Tilføj en sag
            </button>
          </fieldset>
        )}
        <button type="submit" disabled={busy}>
          Opret gennemgang
        </button>
      </form>
      <ErrorLine error={error} />
      {made && (
        <div role="status" data-testid="round-made">
          <p>
            Gennemgangen <a href={roundHref(made.id)}>{made.title}</a> er oprettet med {made.found} {made.found === 1 ? 'sag' : 'sager'}.
          </p>
          {made.notice && (
            <p className="notice" data-testid="round-notice">
              {made.notice}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** One round: its facts, its cases, its meetings and its action areas. */
function RoundPage({ id, municipality, titles }: { id: number; municipality: number; titles: ItemTitles }) {
  const [round, setRound] = useState<Review | null>(null);
  const [error, setError] = useState<string | null>(null);
  useLoad(
    () => fetchReview(id),
    [id],
    setRound,
    (e) => setError(e.message),
  );
  const roundTitles: ItemTitles = { ...titles, ...Object.fromEntries((round?.checklist ?? []).map((i) => [i.id, i.title])) };
  return (
    <div className="review">
      <p className="back">
        <a href={roundsHref()}>← Alle gennemgange</a>
      </p>
      {error && (
        <>
          <h1>Sagsgennemgang</h1>
          <ErrorLine error={error} />
        </>
      )}
      {round && (
        <>
          <h1>{round.title}</h1>
          <dl className="facts-list">
            <dt>Dato</dt>
            <dd>{formatDate(round.asOf)}</dd>
            {round.purpose && (
              <>
                <dt>Formål</dt>
                <dd>{round.purpose}</dd>
              </>
            )}
            <dt>Udtræk</dt>
            <dd>{samplingText(round.sampling)}</dd>
            <dt>Fundet</dt>
            <dd>
              {round.found} af {round.requested} ønskede sager
            </dd>
          </dl>
          {round.notice && <p className="notice">{round.notice}</p>}
          <section className="card" aria-labelledby="round-cases">
            <h2 id="round-cases">Sager</h2>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Gennemgangens sager">
              <table className="value-table" data-testid="round-cases-table">
                <caption className="sr-only">Gennemgangens sager</caption>
                <thead>
                  <tr>
                    <th scope="col">Sag</th>
                    <th scope="col">Rådgiver</th>
                    <th scope="col">Team</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {round.cases.map((c) => (
                    <tr key={c.case} data-testid={`case-${c.case}`}>
                      <th scope="row">
                        <a href={caseHref(round.id, c.case)}>Sag {c.case}</a>
                      </th>
                      <td>{c.caseworker ?? 'Ingen'}</td>
                      <td>{c.team}</td>
                      <td>{STATUS_NAMES[c.status]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <Meetings round={round} />
          <ActionAreas municipality={municipality} round={round.id} titles={roundTitles} editable />
        </>
      )}
    </div>
  );
}

/** A round's dialogue meetings: list and a form for a new one. */
function Meetings({ round }: { round: Review }) {
  const [list, setList] = useState<ReviewMeeting[] | null>(null);
  const [date, setDate] = useState('');
  const [participants, setParticipants] = useState('');
  const [cases, setCases] = useState<string[]>([]);
  const [notes, setNotes] = useState('');
  // The meeting being changed; null: the form makes a new one.
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);

  function fill(m: ReviewMeeting | null) {
    setEditing(m?.id ?? null);
    setDate(m?.date ?? '');
    setParticipants(m?.participants.join(', ') ?? '');
    setCases(m?.cases ?? []);
    setNotes(m?.notes ?? '');
    setError(null);
  }

  useLoad(
    () => reviewMeetings(round.id),
    [round.id, version],
    setList,
    (e) => setError(e.message),
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setStatus('');
    try {
      const roles = participants
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const body = { date, participants: roles, cases, notes: notes || null };
      if (editing === null) await createReviewMeeting(round.id, body);
      else await updateReviewMeeting(round.id, editing, body);
      fill(null);
      setStatus(editing === null ? 'Mødet er gemt.' : 'Ændringen af mødet er gemt.');
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="card" aria-labelledby="meetings-title" data-testid="meetings">
      <h2 id="meetings-title">Dialogmøder</h2>
      {list && list.length === 0 && <p>Der er endnu ingen dialogmøder.</p>}
      {list?.map((m) => (
        <article key={m.id} className="meeting" data-testid={`meeting-${m.id}`}>
          <h3>Møde {formatDate(m.date)}</h3>
          <dl className="facts-list">
            <dt>Deltagere</dt>
            <dd>{m.participants.join(', ')}</dd>
            <dt>Drøftede sager</dt>
            <dd>{m.cases.length ? m.cases.join(', ') : 'Ingen'}</dd>
            {m.notes && (
              <>
                <dt>Referat</dt>
                <dd className="pre">{m.notes}</dd>
              </>
            )}
          </dl>
          <button type="button" className="link" onClick={() => fill(m)} aria-label={`Ret mødet ${formatDate(m.date)}`}>
            Ret
          </button>
        </article>
      ))}
      <form className="review-form" onSubmit={(e) => void submit(e)} data-testid="meeting-form" noValidate>
        <h3>{editing === null ? 'Nyt dialogmøde' : 'Ret dialogmødet'}</h3>
        <DateField label="Dato" value={date} onChange={setDate} />
        <label>
          Deltagere (roller, adskilt med komma)
          <input value={participants} onChange={(e) => setParticipants(e.target.value)} placeholder="Rådgivere, Teamleder" />
        </label>
        <fieldset>
          <legend>Drøftede sager</legend>
          {round.cases.map((c) => (
            <label key={c.case} className="check">
              <input
                type="checkbox"
                checked={cases.includes(c.case)}
                onChange={(e) => setCases(e.target.checked ? [...cases, c.case] : cases.filter((x) => x !== c.case))}
              />
              Sag {c.case}
            </label>
          ))}
        </fieldset>
        <label>
          Referat
          <textarea rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </label>
        <button type="submit">{editing === null ? 'Gem dialogmøde' : 'Gem ændringen'}</button>{' '}
        {editing !== null && (
          <button type="button" className="link" onClick={() => fill(null)}>
            Fortryd
          </button>
        )}
      </form>
      <p role="status" className="muted small">
        {status}
      </p>
      <ErrorLine error={error} />
    </section>
  );
}

interface ItemState {
  id: string;
  kind: 'formal' | 'professional';
  dataAnswer: string | null;
  /** Formal: corrected by the reviewer (then answer and note are the correction). */
  corrected: boolean;
  wasCorrected: boolean;
  answer: string;
  note: string;
  loadedNote: string;
}

/** Which field a Danish refusal of the API is about: the text it names, or the item whose id it names. */
function fieldOf(message: string, items: ItemState[]): string {
  if (message.startsWith('Forklædet')) return 'forklaede';
  if (message.startsWith('Resuméet')) return 'summary';
  if (message.startsWith('Læringsspørgsmålet')) return 'learningQuestion';
  const named = items.find((i) => message.includes(i.id));
  if (named) return named.id;
  if (message.startsWith('Noten')) {
    // The API names no item for a note it refuses: the note with digits that changed, else the first that changed.
    const changed = items.filter((i) => i.note !== i.loadedNote);
    const suspect = changed.find((i) => /\d{6}/.test(i.note.replace(/\D/g, ''))) ?? changed[0];
    if (suspect) return suspect.id;
  }
  return 'form';
}

/** One case's review: the checklist beside what the product knows of the case at the round's date. */
function CasePage({ round, caseId }: { round: number; caseId: string }) {
  const [detail, setDetail] = useState<ReviewCaseDetail | null>(null);
  const [items, setItems] = useState<ItemState[]>([]);
  const [forklaede, setForklaede] = useState('');
  const [summary, setSummary] = useState('');
  const [learningQuestion, setLearningQuestion] = useState('');
  const [status, setStatus] = useState<'ikke_startet' | 'i_gang' | 'faerdig'>('ikke_startet');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  function load(d: ReviewCaseDetail) {
    setDetail(d);
    const r = d.review;
    setItems(
      r.items.map((i) => ({
        id: i.id,
        kind: i.kind,
        dataAnswer: i.dataAnswer,
        corrected: i.kind === 'formal' && i.source === 'reviewer',
        wasCorrected: i.kind === 'formal' && i.source === 'reviewer',
        answer: i.answer ?? '',
        note: i.note ?? '',
        loadedNote: i.note ?? '',
      })),
    );
    setForklaede(r.forklaede ?? '');
    setSummary(r.summary ?? '');
    setLearningQuestion(r.learningQuestion ?? '');
    setStatus(r.status);
  }

  useLoad(
    () => reviewCase(round, caseId),
    [round, caseId],
    (d) => load(d),
    (e) => setError({ field: 'page', message: e.message }),
  );

  const update = (id: string, change: Partial<ItemState>) => setItems(items.map((i) => (i.id === id ? { ...i, ...change } : i)));

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved('');
    const answers: NonNullable<ReviewCaseBody['items']> = [];
    for (const i of items) {
      if (i.kind === 'professional') answers.push({ id: i.id, answer: (i.answer || null) as never, note: i.note || null });
      else if (i.corrected) answers.push({ id: i.id, answer: (i.answer || null) as never, note: i.note || null });
      else if (i.wasCorrected) answers.push({ id: i.id, answer: null, note: null });
    }
    // A correction without a chosen answer would silently go back to the data's: say so instead.
    const unanswered = items.find((i) => i.kind === 'formal' && i.corrected && !i.answer);
    if (unanswered) {
      setError({ field: unanswered.id, message: 'Vælg det rettede svar, eller fjern markeringen "Ret med note"' });
      return;
    }
    setBusy(true);
    try {
      await saveReviewCase(round, caseId, {
        status,
        forklaede: forklaede || null,
        summary: summary || null,
        learningQuestion: learningQuestion || null,
        items: answers,
      });
      load(await reviewCase(round, caseId));
      setSaved('Gennemgangen af sagen er gemt.');
    } catch (e) {
      const message = (e as Error).message;
      setError({ field: fieldOf(message, items), message });
    } finally {
      setBusy(false);
    }
  }

  const errorFor = (field: string) => (error?.field === field ? error.message : null);
  const describedBy = (field: string) => (error?.field === field ? `error-${field}` : undefined);
  const titles: ItemTitles = Object.fromEntries((detail?.checklist ?? []).map((i) => [i.id, i.title]));
  const formal = items.filter((i) => i.kind === 'formal');
  const professional = items.filter((i) => i.kind === 'professional');

  return (
    <div className="review">
      <p className="back">
        <a href={roundHref(round)}>← Tilbage til gennemgangen</a>
      </p>
      <h1>Sag {caseId}</h1>
      {error?.field === 'page' && <ErrorLine error={error.message} />}
      {detail && (
        <div className="review-case">
          <form className="review-form review-sheet" onSubmit={(e) => void save(e)} data-testid="case-review" noValidate>
            <p className="muted">
              Rådgiver: {detail.review.caseworker ?? 'ingen'} · Team: {detail.review.team} · Gennemgangens dato: {formatDate(detail.asOf)}
            </p>
            <h2>Formelle punkter</h2>
            <p className="muted small">Udfyldt fra data pr. gennemgangens dato. En rettelse skal have en note, der siger hvorfor.</p>
            {formal.map((i) => (
              <fieldset key={i.id} className="review-item" data-testid={`item-${i.id}`}>
                <legend>{itemTitle(titles, i.id)}</legend>
                <p>
                  Data siger: <strong data-testid="data-answer">{i.dataAnswer ? ANSWER_NAMES[i.dataAnswer] : 'Ikke beregnet'}</strong>
                  {i.wasCorrected && <span className="tag"> Rettet af gennemgangen</span>}
                </p>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={i.corrected}
                    onChange={(e) => update(i.id, { corrected: e.target.checked, answer: e.target.checked ? i.answer : '' })}
                  />
                  Ret med note
                </label>
                {i.corrected && (
                  <>
                    <label>
                      Rettet svar
                      <select
                        value={i.answer}
                        onChange={(e) => update(i.id, { answer: e.target.value })}
                        aria-describedby={describedBy(i.id)}
                      >
                        <option value="">Vælg</option>
                        {['ja', 'nej', 'ikke_relevant'].map((a) => (
                          <option key={a} value={a}>
                            {ANSWER_NAMES[a]}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      Note til rettelsen
                      <textarea
                        rows={2}
                        value={i.note}
                        onChange={(e) => update(i.id, { note: e.target.value })}
                        aria-describedby={describedBy(i.id)}
                      />
                    </label>
                  </>
                )}
                <ErrorLine error={errorFor(i.id)} id={`error-${i.id}`} />
              </fieldset>
            ))}
            <h2>Faglige punkter</h2>
            {professional.map((i) => (
              <fieldset key={i.id} className="review-item" data-testid={`item-${i.id}`}>
                <legend>{itemTitle(titles, i.id)}</legend>
                <div className="scale" role="radiogroup" aria-label={itemTitle(titles, i.id)}>
                  {['ja', 'delvist', 'nej', 'ikke_relevant'].map((a) => (
                    <label key={a} className="check">
                      <input type="radio" name={i.id} checked={i.answer === a} onChange={() => update(i.id, { answer: a })} />
                      {ANSWER_NAMES[a]}
                    </label>
                  ))}
                </div>
                <label>
                  Note
                  <textarea
                    rows={2}
                    value={i.note}
                    onChange={(e) => update(i.id, { note: e.target.value })}
                    aria-describedby={describedBy(i.id)}
                  />
                </label>
                <ErrorLine error={errorFor(i.id)} id={`error-${i.id}`} />
              </fieldset>
            ))}
            <h2>Sagen</h2>
            <label>
              Forklæde (hvorfor denne sag, hvad skal der ses på)
              <textarea
                rows={4}
                value={forklaede}
                onChange={(e) => setForklaede(e.target.value)}
                aria-describedby={describedBy('forklaede')}
              />
            </label>
            <ErrorLine error={errorFor('forklaede')} id="error-forklaede" />
            <label>
              Resumé af sagsforløbet
              <textarea rows={4} value={summary} onChange={(e) => setSummary(e.target.value)} aria-describedby={describedBy('summary')} />
            </label>
            <ErrorLine error={errorFor('summary')} id="error-summary" />
            <label>
              Læringsspørgsmål
              <textarea
                rows={2}
                value={learningQuestion}
                onChange={(e) => setLearningQuestion(e.target.value)}
                aria-describedby={describedBy('learningQuestion')}
              />
            </label>
            <ErrorLine error={errorFor('learningQuestion')} id="error-learningQuestion" />
            <label>
              Status
              <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
                {Object.entries(STATUS_NAMES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={busy}>
              Gem gennemgang
            </button>
            <ErrorLine error={errorFor('form')} />
            <p role="status" className="muted small">
              {saved}
            </p>
          </form>
          <CaseFacts detail={detail} />
        </div>
      )}
    </div>
  );
}

/** What the product knows of the case at the round's date, group by group. */
function CaseFacts({ detail }: { detail: ReviewCaseDetail }) {
  const f = detail.facts;
  return (
    <aside className="review-facts" aria-labelledby="facts-title" data-testid="case-facts">
      <h2 id="facts-title">Sagens data pr. {formatDate(detail.asOf)}</h2>
      <dl className="facts-list">
        <dt>Område</dt>
        <dd>{f.area}</dd>
        <dt>Oprettet</dt>
        <dd>{factValue(f.opened)}</dd>
        <dt>Lukket</dt>
        <dd>{f.closed ? factValue(f.closed) : 'Åben'}</dd>
      </dl>
      {FACT_GROUPS.map(([key, title]) => {
        const rows = f[key as keyof typeof f] as Record<string, string | number | boolean | null>[];
        const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        return (
          <div key={key}>
            <h3>{title}</h3>
            {rows.length === 0 ? (
              <p className="muted small">Ingen.</p>
            ) : (
              <div className="table-scroll" tabIndex={0} role="region" aria-label={title}>
                <table className="value-table compact" data-testid={`facts-${key}`}>
                  <caption className="sr-only">{title}</caption>
                  <thead>
                    <tr>
                      {columns.map((c) => (
                        <th key={c} scope="col">
                          {FACT_NAMES[c] ?? c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r, i) => (
                      <tr key={i}>
                        {columns.map((c) => (
                          <td key={c}>{factCell(c, r[c] ?? null)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        );
      })}
    </aside>
  );
}
