// Who started an import, as import_run.requested_by stores it, and how the import log names them
// (ADR 0069). A user's upload stores the username; the others store a tag with a colon (which no
// username has) or one of the older fixed words.

/** The demo data `npm start` loads (scripts/start.ts). */
export const DEMO_IMPORTER = 'demo:start';

/** The importer in Danish for the import log: the user's name, or what started it without a user. */
export function importedBy(requestedBy: string | null | undefined): string {
  if (!requestedBy) return 'Ukendt';
  // 'npm start' is what the demo import stored before ADR 0069.
  if (requestedBy === DEMO_IMPORTER || requestedBy === 'npm start') return 'Demodata';
  if (requestedBy === 'retention') return 'Automatisk sletning (opbevaringsfrist)';
  if (requestedBy === 'planlagt') return 'Planlagt';
  const tagged = /^(cli|drop-folder):(.*)$/.exec(requestedBy);
  if (tagged) return tagged[1] === 'cli' ? `Kommandolinjen (${tagged[2]})` : `Afleveringsmappe ${tagged[2]}`;
  return requestedBy;
}
