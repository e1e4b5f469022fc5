import { useEffect, useId, useState } from 'react';
import { addDays, formatDate, parseDanishDate } from '../format';

// A date a user types, always as dd.mm.åååå: <input type="date"> shows the browser's format
// (12/01/2026 in an English browser, which a Dane reads as 12 January), so this is a text field.
// The value in and out is ISO (YYYY-MM-DD; '' for none). A complete, valid date is taken at once;
// a wrong one gets a Danish message when the field is left or Enter is pressed, and is not taken.
// Keys: ↑/↓ a day later/earlier, Page Up/Page Down a month, Escape undoes what was typed.

export function DateField({
  label,
  value,
  onChange,
  placeholderIso,
  min,
  max,
  minMessage,
  maxMessage,
  allowEmpty = true,
  testId,
  describedBy,
  invalid,
}: {
  label: string;
  /** ISO date, or '' for none. */
  value: string;
  onChange: (iso: string) => void;
  /** Shown greyed when empty: the date used when none is chosen (e.g. the newest export). */
  placeholderIso?: string;
  min?: string;
  max?: string;
  /** Danish messages for a date before min / after max. */
  minMessage?: string;
  maxMessage?: string;
  /** Empty means "the default" (e.g. 1 January of the as-of year); otherwise empty is refused. */
  allowEmpty?: boolean;
  testId?: string;
  /** The id of an element outside the field that describes it: a server's message about this date. */
  describedBy?: string;
  /** The date was refused outside the field (by the server). */
  invalid?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(value ? formatDate(value) : '');
  const [error, setError] = useState<string | null>(null);
  // Another value from outside (the address, a reset): show it.
  useEffect(() => {
    const typed = parseDanishDate(text);
    if ('iso' in typed ? typed.iso !== value : value !== '') {
      setText(value ? formatDate(value) : '');
      setError(null);
    }
  }, [value]);

  /** The date typed, checked; null when it may not be taken (and why, when told to say so). */
  const check = (t: string): { iso: string } | { error: string } => {
    if (t.trim() === '') return allowEmpty ? { iso: '' } : { error: 'Skriv en dato som dd.mm.åååå' };
    const parsed = parseDanishDate(t);
    if ('error' in parsed) return parsed;
    if (min && parsed.iso < min) return { error: minMessage ?? `Datoen må tidligst være ${formatDate(min)}` };
    if (max && parsed.iso > max) return { error: maxMessage ?? `Datoen må senest være ${formatDate(max)}` };
    return parsed;
  };

  const take = (t: string, complain: boolean) => {
    const result = check(t);
    if ('iso' in result) {
      setError(null);
      if (result.iso !== value) onChange(result.iso);
    } else if (complain) setError(result.error);
  };

  const step = (days: number, months = 0) => {
    const start = ('iso' in parseDanishDate(text) ? (parseDanishDate(text) as { iso: string }).iso : '') || value || placeholderIso;
    if (!start) return;
    let next = addDays(start, days);
    if (months) {
      const [y, m, d] = start.split('-').map(Number);
      const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
      next = new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
    }
    if ((min && next < min) || (max && next > max)) return;
    setText(formatDate(next));
    take(formatDate(next), true);
  };

  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  return (
    <span className="date-field">
      <label htmlFor={id}>{label}</label>{' '}
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        size={10}
        maxLength={10}
        placeholder={placeholderIso ? formatDate(placeholderIso) : 'dd.mm.åååå'}
        value={text}
        aria-invalid={error || invalid ? true : undefined}
        aria-describedby={[hintId, error && errorId, describedBy].filter(Boolean).join(' ')}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          // A date is taken as soon as it is whole and valid; while typing, no message yet.
          const result = check(e.target.value);
          if ('iso' in result) take(e.target.value, false);
          else if (error) setError(null);
        }}
        onBlur={() => take(text, true)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') take(text, true);
          else if (e.key === 'ArrowUp') step(1);
          else if (e.key === 'ArrowDown') step(-1);
          else if (e.key === 'PageUp') step(0, 1);
          else if (e.key === 'PageDown') step(0, -1);
          else if (e.key === 'Escape') {
            setText(value ? formatDate(value) : '');
            setError(null);
            return;
          } else return;
          e.preventDefault();
        }}
      />
      <span id={hintId} className="sr-only">
        dd.mm.åååå. Pil op og ned skifter dag, Page Up og Page Down skifter måned.
      </span>
      {error && (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
