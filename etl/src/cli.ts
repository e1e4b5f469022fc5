// npm run etl -- import <dubu|csc|economy|statistics> <dir> [--municipality NNN] [--export-date YYYY-MM-DD] [--rekey] [--allow-older] [--allow-shrink] [--restage] [--json]
// Imports an export folder into DATABASE_URL. On a terminal it shows progress; with --json it
// prints one summary object on standard output. Exit code 0: imported, 1: import failed, 2: usage.
// npm run etl -- remove-source <NNN> <dubu|csc>: removes a case system's data from a municipality
// (after it changed case system; docs/ETL.md).
// npm run etl -- remove-municipality <NNN> --confirm <NNN>: removes every row, delivery file and job
// of a municipality that leaves the service (docs/OPERATIONS.md); without --confirm it only shows what.
import { userInfo } from 'os';
import { resolve } from 'path';
import { Pool } from 'pg';
import { APPLICATION_NAME, databaseUrlFromEnv, exitOnConfigError, redisUrlProblem, settings, workerConfigFromEnv } from '@bu/config';
import { pendingMigrations } from '@bu/db/schema-version';
import { isIsoDate } from '@bu/domain';
import { configureLogger } from '@bu/logger';
import { importSource } from './import-source';
import { importIssues, ImportProgress, ImportResult, SourceKind } from './import-run';
import type { MunicipalityOverview } from './remove-municipality';
import { removeCaseSource } from './remove-source';

// Standard output carries the result (--json); anything the ETL logs goes to standard error.
configureLogger({ destination: 2 });

const USAGE =
  'Brug: npm run etl -- import <dubu|csc|economy|statistics> <mappe> [--municipality NNN] [--export-date ÅÅÅÅ-MM-DD] [--rekey] [--allow-older] [--allow-shrink] [--restage] [--json]';

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      if (['json', 'rekey', 'allow-older', 'allow-shrink', 'restage'].includes(name)) flags[name] = true;
      else flags[name] = inline ?? argv[++i] ?? usage(`--${name} mangler en værdi`);
    } else positional.push(a);
  }
  return { positional, flags };
}

function progressLine(p: ImportProgress): void {
  process.stderr.write(`\r${p.file.padEnd(22)} ${String(p.rowsRead).padStart(9)} rækker læst, ${p.rejected} afvist   `);
}

function report(result: ImportResult): void {
  const out = process.stderr;
  out.write('\n');
  if (result.status === 'failed') {
    out.write(`Importen fejlede: ${result.error}\nIntet er ændret i databasen.\n`);
    return;
  }
  out.write(
    `Import ${result.importId}: kommune ${result.municipality ?? 'flere'}, udtræksdato ${result.exportDate ?? '-'}, ${result.seconds.toFixed(1)} s\n`,
  );
  if (result.sameAs)
    out.write(
      `Uændret: udtrækket er det samme som import ${result.sameAs} (fil for fil); intet er indlæst igen. --restage indlæser det forfra.\n`,
    );
  for (const [entity, n] of Object.entries(result.loaded)) {
    out.write(
      `  ${entity.padEnd(16)} ${String(n).padStart(8)} nye/ændrede ${String(result.unchanged[entity as keyof typeof result.unchanged] ?? 0).padStart(8)} uændrede ${String(result.removed[entity as keyof typeof result.removed] ?? 0).padStart(6)} fjernet\n`,
    );
  }
  out.write(`${result.rejectedCount} rækker afvist, ${result.warningCount} advarsler\n`);
  for (const r of result.rejected.slice(0, 20)) out.write(`  ${r.file}:${r.line} ${r.rule} ${r.message}\n`);
  if (result.rejectedCount > 20) out.write(`  ... og ${result.rejectedCount - 20} flere (se Datakvalitet)\n`);
}

/**
 * The --json summary. Its rejected and warnings arrays list every issue: when the result holds
 * only the first of them, the rest are read from import_issue a page at a time and written as
 * they come, so a million rejected rows are never in memory at once.
 */
async function printJson(pool: Pool, result: ImportResult): Promise<void> {
  const { status, loaded, unchanged, rejected, warnings, seconds, importId, municipality: m, exportDate: d, removed, error } = result;
  const out = process.stdout;
  const write = (text: string) => (out.write(text) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
  const array = async (listed: typeof rejected, count: number, severity: 'error' | 'warning') => {
    await write('[');
    let first = true;
    const items = listed.length === count ? listed : importIssues(pool, importId, severity);
    for await (const issue of items) {
      await write((first ? '' : ',') + JSON.stringify(issue));
      first = false;
    }
    await write(']');
  };
  const head = JSON.stringify({ status, loaded, unchanged });
  await write(`${head.slice(0, -1)},"rejected":`);
  await array(rejected, result.rejectedCount, 'error');
  await write(',"warnings":');
  await array(warnings, result.warningCount, 'warning');
  const tail = JSON.stringify({
    seconds,
    importId,
    municipality: m,
    exportDate: d,
    removed,
    ...(error ? { error } : {}),
    ...(result.sameAs ? { sameAs: result.sameAs } : {}),
  });
  await write(`,${tail.slice(1)}\n`);
}

/** Migrates when the schema is behind; TypeORM is loaded only then. */
async function ensureSchema(url: string): Promise<void> {
  if ((await pendingMigrations(url)).length > 0) await (await import('@bu/db')).migrate(url);
}

async function addDropFolder(source: string, dir: string, municipality: number | undefined): Promise<void> {
  const url = exitOnConfigError(() => databaseUrlFromEnv(), 2);
  await ensureSchema(url);
  const pool = new Pool({ connectionString: url, max: 1, application_name: APPLICATION_NAME.cli });
  try {
    await pool.query(
      `INSERT INTO drop_folder (municipality_code, source, path) VALUES ($1, $2, $3)
       ON CONFLICT (path) DO UPDATE SET municipality_code = EXCLUDED.municipality_code, source = EXCLUDED.source`,
      [municipality ?? null, source, resolve(dir)],
    );
  } finally {
    await pool.end();
  }
  process.stderr.write(`Afleveringsmappen ${resolve(dir)} (${source}) tjekkes nu efter planen (DROP_FOLDER_INTERVAL_MS).\n`);
}

async function removeSource(municipality: number, source: SourceKind): Promise<void> {
  const url = exitOnConfigError(() => databaseUrlFromEnv(), 2);
  await ensureSchema(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.cli });
  try {
    const { removed, importId } = await removeCaseSource(pool, municipality, source, `cli:${userInfo().username}`);
    const rows = Object.values(removed).reduce((s, n) => s + n, 0);
    process.stderr.write(`Kommune ${municipality}: ${rows} rækker fra ${source} er slettet (importlog ${importId}).\n`);
    for (const [table, n] of Object.entries(removed)) process.stderr.write(`  ${table.padEnd(20)} ${String(n).padStart(8)}\n`);
  } finally {
    await pool.end();
  }
}

const REMOVE_MUNICIPALITY_USAGE = 'Brug: npm run etl -- remove-municipality <kommunekode> --confirm <kommunekode>';

const count = (n: number) => String(n).padStart(8);

/** What stays, said in the dry run and after the removal. */
function keptLines(overview: MunicipalityOverview, kept: Readonly<Record<string, string>>): string {
  const { audit } = overview;
  const own =
    audit.ownDays !== null && audit.ownDays !== audit.days
      ? ` Kommunens egen indstilling (${audit.ownDays} dage) slettes med kommunen; den landsdækkende gælder herefter.`
      : '';
  return (
    `Bevares: revisionsloggens ${audit.rows} rækker om kommunen (og ${audit.caseSets} sagssæt) i audit_log indtil opbevaringsfristen ` +
    `retention.audit_days (${audit.days} dage); den daglige oprydning sletter dem derefter.${own}\n` +
    Object.entries(kept)
      .filter(([table]) => table !== 'audit_log')
      .map(([table, why]) => `Bevares: ${table}: ${why}.\n`)
      .join('')
  );
}

function dropFolderLines(overview: MunicipalityOverview, done: boolean): string {
  let out = '';
  for (const folder of overview.dropFolders) {
    out += `Afleveringsmappe ${folder.path}: ${folder.entries.length} ${done ? 'slettet' : 'slettes'} fra processing/, processed/ og failed/.\n`;
    for (const problem of folder.problems) out += `  ${problem}\n`;
    if (folder.topLevel > 0)
      out += `  ${folder.topLevel} filer/mapper øverst i mappen (en aflevering, der ikke er hentet) røres ikke: slet dem og mappen selv, når kommunens system ikke længere afleverer.\n`;
  }
  return out;
}

async function removeMunicipalityCommand(municipality: number, confirmed: boolean): Promise<void> {
  const url = exitOnConfigError(() => databaseUrlFromEnv(), 2);
  const env = exitOnConfigError(() => settings(), 2);
  const redisProblem = redisUrlProblem(env.REDIS_URL, env.REDIS_TLS_CA_FILE, env.REDIS_REQUIRE_TLS);
  if (redisProblem) {
    process.stderr.write(`${redisProblem}\n`);
    process.exit(2);
  }
  await ensureSchema(url);
  // Loaded here: the queue library (BullMQ) is not needed by the other commands.
  const { municipalityOverview, removeMunicipality, KEPT_TABLES, MunicipalityRemovalRefused, etlQueue, reportQueue } =
    await import('./remove-municipality');
  const queueConfig = { databaseUrl: url, redisUrl: env.REDIS_URL, redisTlsCaFile: env.REDIS_TLS_CA_FILE, queuePrefix: env.QUEUE_PREFIX };
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.cli });
  const etl = etlQueue(queueConfig);
  const reports = reportQueue(queueConfig);
  const options = { etlQueue: etl, reportQueue: reports.queue, uploadDir: resolve(env.UPLOAD_DIR) };
  const out = process.stderr;
  try {
    if (!confirmed) {
      const overview = await municipalityOverview(pool, municipality, options);
      const total = Object.values(overview.rows).reduce((s, n) => s + n, 0);
      out.write(`Kommune ${municipality} (${overview.name}): dette ville blive slettet. Intet er slettet endnu.\n`);
      for (const [table, n] of Object.entries(overview.rows)) out.write(`  ${table.padEnd(28)} ${count(n)}\n`);
      out.write(`  ${'rækker i alt'.padEnd(28)} ${count(total)}\n`);
      out.write(dropFolderLines(overview, false));
      out.write(
        `Job i køerne: ${overview.jobs.removable} fjernes${overview.jobs.active ? `, ${overview.jobs.active} kører (de kan ikke fjernes, mens de kører)` : ''}.\n`,
      );
      out.write(keptLines(overview, KEPT_TABLES));
      // The removal's own checks, run now: what --confirm would be refused for, before anyone types it.
      if (overview.refusals.length > 0) {
        out.write(`Med --confirm ${municipality} ville sletningen lige nu blive afvist, og intet ville blive slettet:\n`);
        for (const reason of overview.refusals) out.write(`  ${reason}\n`);
      }
      out.write(`Tilføj --confirm ${municipality} for at slette kommunens data. Det kan ikke fortrydes.\n`);
      process.exitCode = 2;
      return;
    }
    try {
      const removal = await removeMunicipality(pool, municipality, `cli:${userInfo().username}`, options);
      const total = Object.values(removal.rows).reduce((s, n) => s + n, 0);
      if (removal.importId === null) out.write(`Kommune ${municipality} (${removal.name}) har ingen data i Børneblik; intet at slette.\n`);
      else
        out.write(
          `Kommune ${municipality} (${removal.name}): ${total} rækker er slettet (importlog ${removal.importId}, landsdækkende).\n`,
        );
      for (const [table, n] of Object.entries(removal.rows)) out.write(`  ${table.padEnd(28)} ${count(n)}\n`);
      out.write(dropFolderLines(removal, true));
      out.write(`Job fjernet fra køerne: ${removal.jobsRemoved}.\n`);
      out.write(keptLines(removal, KEPT_TABLES));
      if (removal.importId !== null)
        out.write('Sikkerhedskopier taget før nu indeholder stadig kommunens data: gendannes en af dem, så kør kommandoen igen.\n');
      if (removal.jobs.active > 0 || removal.dropFolders.some((f) => f.problems.length > 0)) {
        if (removal.jobs.active > 0)
          out.write(`${removal.jobs.active} job for kommunen kører stadig: kør kommandoen igen, når de er færdige.\n`);
        process.exitCode = 1;
      }
    } catch (error) {
      if (!(error instanceof MunicipalityRemovalRefused)) throw error;
      out.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.allSettled([etl.close(), reports.close()]);
    await pool.end();
  }
}

async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  if (positional[0] === 'drop-folder') {
    const [, verb, kind, folder] = positional;
    if (verb !== 'add' || !kind || !folder || !['dubu', 'csc', 'economy', 'statistics'].includes(kind)) {
      usage('Brug: npm run etl -- drop-folder add <dubu|csc|economy|statistics> <mappe> [--municipality NNN]');
    }
    return addDropFolder(kind, folder, typeof flags.municipality === 'string' ? Number(flags.municipality) : undefined);
  }
  if (positional[0] === 'remove-source') {
    const [, code, kind] = positional;
    if (!code || !/^\d{1,3}$/.test(code) || !kind || !['dubu', 'csc'].includes(kind) || positional.length > 3)
      usage('Brug: npm run etl -- remove-source <kommunekode> <dubu|csc>');
    return removeSource(Number(code), kind as SourceKind);
  }
  if (positional[0] === 'remove-municipality') {
    const [, code] = positional;
    if (!code || !/^\d{1,3}$/.test(code) || positional.length > 2) usage(REMOVE_MUNICIPALITY_USAGE);
    if (Number(code) === 0) usage('0 er de landsdækkende indstillinger, ikke en kommune.');
    const confirm = flags.confirm;
    // The code typed twice: a slip of the finger in either deletes nothing.
    if (confirm !== undefined && (typeof confirm !== 'string' || !/^\d{1,3}$/.test(confirm) || Number(confirm) !== Number(code))) {
      process.stderr.write(
        `--confirm skal være den samme kommunekode igen (${Number(code)}), ikke ${String(confirm)}. Intet er slettet.\n`,
      );
      process.exit(2);
    }
    return removeMunicipalityCommand(Number(code), confirm !== undefined);
  }
  const [command, source, dir] = positional;
  if (command !== 'import' || !source || !dir) usage('Angiv kommando, kilde og mappe.');
  if (!['dubu', 'csc', 'economy', 'statistics'].includes(source)) usage(`Ukendt kilde: ${source}`);
  const municipality = typeof flags.municipality === 'string' ? Number(flags.municipality) : undefined;
  if (municipality !== undefined && !/^\d{1,3}$/.test(String(flags.municipality))) usage(`Ugyldigt kommunenummer: ${flags.municipality}`);
  const exportDate = typeof flags['export-date'] === 'string' ? flags['export-date'] : undefined;
  if (exportDate !== undefined && !isIsoDate(exportDate)) usage(`Ugyldig udtræksdato: ${exportDate}`);
  // PSEUDONYM_SECRET keys the hash that replaces CPR numbers: a missing, short or published one stops the import here.
  const { databaseUrl: url, pseudonymSecret: secret } = exitOnConfigError(() => workerConfigFromEnv(), 2);

  await ensureSchema(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.cli });
  const showProgress = !flags.json && process.stderr.isTTY;
  try {
    const result = await importSource(pool, source as SourceKind, resolve(dir), {
      municipality,
      exportDate,
      pseudonymSecret: secret,
      rekey: flags.rekey === true,
      allowOlder: flags['allow-older'] === true,
      allowShrink: flags['allow-shrink'] === true,
      restage: flags.restage === true,
      requestedBy: `cli:${userInfo().username}`,
      onProgress: showProgress ? progressLine : undefined,
    });
    if (flags.json) await printJson(pool, result);
    else report(result);
    process.exitCode = result.status === 'succeeded' ? 0 : 1;
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
