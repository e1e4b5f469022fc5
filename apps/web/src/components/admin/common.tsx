import { useEffect, useRef, type ReactNode } from 'react';

// Small pieces shared by the administration sections: Danish names, dates and the message lines.

export const ROLE_NAMES: Record<string, string> = { udvalg: 'Udvalg', chef: 'Chef', teamleder: 'Teamleder', admin: 'Administrator' };
export const SOURCE_NAMES: Record<string, string> = {
  dubu: 'DUBU',
  csc: 'CSC Social',
  economy: 'Økonomi',
  statistics: 'Statistik',
  purge: 'Sletning (opbevaringsfrist)',
};
export const RUN_STATUS: Record<string, string> = { succeeded: '✓ Indlæst', failed: '✕ Fejlet', running: '… I gang' };

const dateTime = new Intl.DateTimeFormat('da-DK', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Copenhagen',
});

/** An ISO timestamp as 01.03.2024 06.00 (Danish time); '–' for none. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return dateTime.format(new Date(iso)).replace(',', '');
}

/** A local time as the API sends it (YYYY-MM-DDTHH:MI) as 01.03.2024 06.00; '–' for none. */
export function formatLocal(local: string | null | undefined): string {
  if (!local) return '–';
  const [date, time = ''] = local.split('T');
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}${time ? ` ${time.replace(':', '.')}` : ''}`;
}

/** A line saying what happened (polite), or what went wrong (an alert). */
export function Messages({ status, error }: { status?: string; error?: string | null }) {
  return (
    <>
      <p role="status" className="muted small admin-status">
        {status}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** A section of the area; `focus`: a panel that opened on the user's request takes the keyboard focus (its heading). */
export function AdminCard({
  id,
  title,
  children,
  testId,
  focus,
}: {
  id: string;
  title: string;
  children: ReactNode;
  testId?: string;
  focus?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  return (
    <section className="card admin-card" aria-labelledby={id} data-testid={testId}>
      <h2 id={id} ref={heading} tabIndex={focus ? -1 : undefined}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Text from the user's input as a number: Danish decimal comma allowed; NaN when it is none. */
export function parseNumber(text: string): number {
  const t = text.trim().replace(/\s/g, '').replace(',', '.');
  return t === '' ? NaN : Number(t);
}
