// Who started an import, as import_run.requested_by stores it, and how the import log names them
// (ADR 0069). A user's upload stores the username; the others store a tag with a colon (which no
// username has) or one of the older fixed words.

/** The demo data `npm start` loads (scripts/start.ts). */
export const DEMO_IMPORTER = 'demo:start';

/** What the retention purge puts in place of a person's name once the audit period is over. */
export const PURGED_IMPORTER = 'slettet';

/** The fixed words that name no person (the rest without a colon are usernames). */
export const SYSTEM_IMPORTERS: readonly string[] = ['retention', 'planlagt', 'npm start', PURGED_IMPORTER];

/** The importer in Danish for the import log: the user's name, or what started it without a user. */
export function importedBy(requestedBy: string | null | undefined): string {
  if (!requestedBy) return 'Ukendt';
  // 'npm start' is what the demo import stored before ADR 0069.
  if (requestedBy === DEMO_IMPORTER || requestedBy === 'npm start') return 'Demodata';
  if (requestedBy === 'retention') return 'Automatisk sletning (opbevaringsfrist)';
  if (requestedBy === 'planlagt') return 'Planlagt';
  if (requestedBy === PURGED_IMPORTER) return 'En bruger (navnet er slettet efter opbevaringsfristen)';
  const tagged = /^(cli|drop-folder):(.*)$/.exec(requestedBy);
  if (tagged && tagged[1] === 'cli') return tagged[2] ? `Kommandolinjen (${tagged[2]})` : 'Kommandolinjen';
  if (tagged) return `Afleveringsmappe ${tagged[2]}`;
  return requestedBy;
}
