import { FormEvent, useEffect, useState } from 'react';
import { deleteSetting, putSetting, settings as fetchSettings, type SettingView } from '../../api';
import { AdminCard, Messages } from './common';

/** A value as the administrator reads and types it: text as it is, anything else as JSON. */
export const showSetting = (value: unknown): string =>
  value === null || value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');

/** What was typed: JSON when it is JSON (numbers, objects, lists, "text"), else the text itself (the API judges it). */
function parseSetting(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/**
 * Indstillinger: each setting the KPIs read with its description, default, product-wide and
 * municipality value and the value in force; the administrator sets or removes the municipality's
 * value (a product administrator also the product-wide one). The API's Danish message is shown
 * beside the field.
 */
export function SettingsAdmin({ municipality, canEdit, national }: { municipality: number; canEdit: boolean; national: boolean }) {
  const [list, setList] = useState<SettingView[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = () => fetchSettings(municipality).then(setList, (e: Error) => setError(e.message));
  useEffect(() => {
    setEditing(null);
    void reload();
  }, [municipality]);

  async function remove(key: string, scope: number) {
    setError(null);
    try {
      await deleteSetting(key, scope);
      await reload();
      setStatus(scope === 0 ? `Den fælles værdi af ${key} er fjernet.` : `Kommunens egen værdi af ${key} er fjernet.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <AdminCard id="settings-h" title="Indstillinger" testId="admin-settings">
      <p className="muted">
        Indstillingerne, nøgletallene regner med. Kommunens egen værdi gælder før den fælles værdi for hele produktet, som gælder før
        standarden. Værdier skrives som tal, tekst eller JSON, fx {'{"Udsatte": 40, "Handicap": 55}'}.
      </p>
      <Messages status={status} error={error} />
      {list && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Indstillinger med standard, fælles og kommunens værdi">
          <table className="value-table admin-table settings-table">
            <caption className="sr-only">Indstillinger med standard, fælles og kommunens værdi</caption>
            <thead>
              <tr>
                <th scope="col">Indstilling</th>
                <th scope="col">Standard</th>
                <th scope="col">Hele produktet</th>
                <th scope="col">Kommunens</th>
                <th scope="col">Gælder nu</th>
                {canEdit && (
                  <th scope="col">
                    <span className="sr-only">Handlinger</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.key} data-testid={`setting-${s.key}`}>
                  <th scope="row">
                    <code>{s.key}</code>
                    <span className="muted small setting-description">{s.description}</span>
                    {editing === s.key && (
                      <SettingForm
                        setting={s}
                        national={national}
                        municipality={municipality}
                        onCancel={() => setEditing(null)}
                        onSaved={async (message) => {
                          setEditing(null);
                          await reload();
                          setStatus(message);
                        }}
                      />
                    )}
                  </th>
                  <td>{showSetting(s.default)}</td>
                  <td>{showSetting(s.product)}</td>
                  <td>{showSetting(s.municipality)}</td>
                  <td data-testid="in-force">
                    <strong>{showSetting(s.value)}</strong>
                  </td>
                  {canEdit && (
                    <td className="nowrap">
                      <button type="button" className="link" aria-label={`Ret ${s.key}`} onClick={() => setEditing(s.key)}>
                        Ret
                      </button>
                      {s.municipality !== null && (
                        <button
                          type="button"
                          className="link"
                          aria-label={`Fjern kommunens værdi af ${s.key}`}
                          onClick={() => void remove(s.key, municipality)}
                        >
                          Fjern kommunens
                        </button>
                      )}
                      {national && s.product !== null && (
                        <button
                          type="button"
                          className="link"
                          aria-label={`Fjern den fælles værdi af ${s.key}`}
                          onClick={() => void remove(s.key, 0)}
                        >
                          Fjern fælles
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminCard>
  );
}

function SettingForm({
  setting,
  national,
  municipality,
  onCancel,
  onSaved,
}: {
  setting: SettingView;
  national: boolean;
  municipality: number;
  onCancel: () => void;
  onSaved: (message: string) => Promise<void>;
}) {
  const [scope, setScope] = useState<number>(municipality);
  const [text, setText] = useState(showSetting(setting.municipality ?? setting.value));
  const [error, setError] = useState<string | null>(null);
  const errorId = `setting-${setting.key}-error`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await putSetting(setting.key, scope, parseSetting(text));
      await onSaved(scope === 0 ? `Den fælles værdi af ${setting.key} er gemt.` : `Kommunens værdi af ${setting.key} er gemt.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <form className="setting-form" onSubmit={(e) => void submit(e)}>
      {national && (
        <label>
          Gælder for{' '}
          <select value={scope} onChange={(e) => setScope(Number(e.target.value))}>
            <option value={municipality}>Kommunen ({municipality})</option>
            <option value={0}>Hele produktet</option>
          </select>
        </label>
      )}
      <label>
        Ny værdi af {setting.key}{' '}
        <input
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
      </label>
      {error && (
        <span className="error field-error" id={errorId} role="alert">
          {error}
        </span>
      )}
      <div className="comment-actions">
        <button type="submit">Gem værdien</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Annuller
        </button>
      </div>
    </form>
  );
}
