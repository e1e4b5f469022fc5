// npm run admin -- user add <name> --role <udvalg|chef|teamleder|admin> [--team <team>] [--municipality <code>] [--replace]
// (each flag also as --flag=value; any other argument is refused).
// The password is read from standard input (one line), so it never shows in the process list.
// npm run admin -- audit verify: walks the audit log's hash chain; exit code 1 names the first broken row.
// npm run admin -- user disable <name> | user enable <name>: a disabled user cannot log in, and
// its tokens stop working (within 60 s).
// npm run admin -- user totp <name> [--remove]: gives a password user a one-time code from an
// authenticator app as a second factor (prints the secret, then asks for the app's first code), or
// removes it (a lost phone); either ends the user's sessions (ADR 0116).
// npm run admin -- backup <file> | restore <file> [--force]: pg_dump/pg_restore of the product's
// schema (docs/OPERATIONS.md "Backup and restore").
// npm run admin -- municipality cvr <code> <cvr|--clear>: registers the municipality's CVR number,
// to which its KOMBIT privilege mappings are held (docs/SSO.md); warns of mappings that do not fit.
import { Pool } from 'pg';
import { createInterface } from 'readline';
import { base32, newTotpSecret, otpauthUri, totpMatch } from '../apps/api/src/auth/totp';
import { APPLICATION_NAME, databaseUrlFromEnv } from '@bu/config';
import { migrate, verifyAuditChain } from '@bu/db';
import { isRole } from '@bu/domain';
import { backup, restore } from './lib/backup';
import { registerCvr } from './lib/municipalities';
import { addUser, setUserDisabled, setUserTotp, userNamed } from './lib/users';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/**
 * The password: from a terminal without echo (it must not stand on the screen, in the scrollback or
 * in a recorded session), else the first line of standard input.
 */
function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return readStdin();
  // Echo off before the prompt: what is typed once it shows is never on the screen.
  stdin.setRawMode(true);
  process.stderr.write('Adgangskode: ');
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return (done(), resolve(value));
        if (ch === '\u0003' || ch === '\u0004') return (done(), reject(new Error('Afbrudt; ingen bruger er oprettet.')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** One line typed at a terminal or given on standard input, after a prompt on standard error. */
function readLine(prompt: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  return new Promise((resolve) => {
    let answered = false;
    lines.question(prompt, (answer) => {
      answered = true;
      lines.close();
      resolve(answer);
    });
    // Standard input ended without a line: an empty answer, refused by the caller.
    lines.on('close', () => answered || resolve(''));
  });
}

/** How a flag is given: with one value, with a value each time it is repeated, or alone. */
type FlagKind = 'value' | 'values' | 'switch';

/**
 * The flags of a command, each as `--flag value` or `--flag=value` (a switch alone). Anything else
 * is refused, before anything is read or written: a mistyped or unknown flag left out silently
 * could change what is made (without --municipality an administrator is national, for every
 * municipality).
 */
function flags(args: string[], known: Record<string, FlagKind>, usage: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const kind = Object.hasOwn(known, name) ? known[name] : undefined;
    if (!kind) throw new Error(`Ukendt argument: ${arg}\n${usage}`);
    let value = '';
    if (kind === 'switch') {
      if (equals > 0) throw new Error(`${name} tager ingen værdi: ${arg}\n${usage}`);
    } else {
      const given = equals > 0 ? arg.slice(equals + 1) : args[++i];
      if (given === undefined || given.trim() === '' || given.startsWith('--')) throw new Error(`${name} mangler en værdi.\n${usage}`);
      value = given;
    }
    const values = found.get(name) ?? [];
    if (kind !== 'values' && values.length > 0) throw new Error(`${name} er angivet mere end én gang.\n${usage}`);
    found.set(name, [...values, value]);
  }
  return found;
}

async function auditVerify(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, application_name: APPLICATION_NAME.admin });
  try {
    const result = await verifyAuditChain(pool);
    if (!result.ok) {
      console.error(
        `Revisionsloggen er brudt${result.id ? ` ved række ${result.id}` : ''}: ${result.reason} (${result.count} rækker kontrolleret før).`,
      );
      process.exitCode = 1;
      return;
    }
    const from = result.anchor ? ` fra ankeret efter række ${result.anchor}` : '';
    console.log(
      `OK: revisionsloggens kæde er hel${from}: ${result.count} rækker${result.purged ? ` og ${result.purged} slettede rækkers hashværdier` : ''}.`,
    );
    // Kept outside the database (a ticket, a log), it shows that nobody with the owner's rights
    // rewrote the chain since: the next verify must reach a head that follows from this one.
    const [head] = (await pool.query(`SELECT head_id::text AS id, head_hash AS hash FROM audit_chain`)).rows;
    if (head) console.log(`Kædens hoved: række ${head.id}, ${head.hash}`);
  } finally {
    await pool.end();
  }
}

const USER_ADD_USAGE =
  'Brug: npm run admin -- user add <navn> --role <udvalg|chef|teamleder|admin> [--team <team>]... [--municipality <kode>] [--replace] (eller --flag=værdi)';

const USAGE =
  'Brug: npm run admin -- user add <navn> --role <udvalg|chef|teamleder|admin> [--team <team>] [--municipality <kode>] [--replace] | user disable <navn> | user enable <navn> | user totp <navn> [--remove] | municipality cvr <kode> <cvr|--clear> | audit verify | backup <fil> | restore <fil> [--force]';

async function disable(username: string, disabled: boolean): Promise<void> {
  const url = databaseUrlFromEnv();
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.admin });
  try {
    if (!(await setUserDisabled(pool, username, disabled))) throw new Error(`Brugeren ${username} findes ikke`);
  } finally {
    await pool.end();
  }
  console.log(
    disabled
      ? `Bruger ${username} er spærret; brugerens sessioner ophører inden for 60 sekunder.`
      : `Bruger ${username} kan logge ind igen.`,
  );
}

/**
 * Gives the user a new one-time-code secret: it is shown once (the address an authenticator app reads,
 * and the key to type in), and written only when the app's first code matches, so a secret that never
 * reached the app cannot lock anyone out. `remove`: the user logs in with the password alone again
 * (where LOGIN_SECOND_FACTOR allows it).
 */
async function totp(username: string, remove: boolean): Promise<void> {
  const url = databaseUrlFromEnv();
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.admin });
  try {
    const user = await userNamed(pool, username);
    if (!user) throw new Error(`Brugeren ${username} findes ikke`);
    if (user.authSource !== 'local')
      throw new Error(`Brugeren ${username} logger ind med organisationens konto, hvis egen to-faktor-login gælder; intet er ændret.`);
    if (remove) {
      if (!(await setUserTotp(pool, username, null))) throw new Error(`Brugeren ${username} findes ikke`);
      console.log(
        `Bruger ${username} har ikke længere en engangskode; brugerens sessioner er afsluttet.${user.municipality === null ? ' En national administrator kan ikke logge ind uden (LOGIN_SECOND_FACTOR), før en ny er oprettet.' : ''}`,
      );
      return;
    }
    const secret = newTotpSecret();
    console.log(`Åbn godkendelses-appen (fx Microsoft Authenticator) på ${username}s telefon, og tilføj en konto:`);
    console.log(`  som QR-kode eller link: ${otpauthUri(secret, username)}`);
    console.log(`  eller med nøglen:       ${base32(secret).replace(/(.{4})(?=.)/g, '$1 ')}`);
    const step = totpMatch(secret, await readLine('Skriv den første kode, appen viser: '));
    if (step === null) throw new Error('Koden passer ikke til nøglen (eller tog mere end et minut); intet er ændret. Prøv igen.');
    if (!(await setUserTotp(pool, username, secret, step))) throw new Error(`Brugeren ${username} findes ikke længere; intet er ændret.`);
    console.log(
      `Bruger ${username} logger nu ind med adgangskode og engangskode${user.secondFactor ? ' (den forrige nøgle virker ikke længere)' : ''}; brugerens sessioner er afsluttet.`,
    );
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const [noun, verb, username, ...rest] = process.argv.slice(2);
  if (noun === 'backup' || noun === 'restore') {
    const args = process.argv.slice(3);
    const files = args.filter((a) => !a.startsWith('--'));
    const flags = args.filter((a) => a.startsWith('--'));
    const allowed = noun === 'restore' ? ['--force'] : [];
    if (files.length !== 1 || flags.some((f) => !allowed.includes(f)))
      throw new Error(noun === 'backup' ? 'Brug: npm run admin -- backup <fil>' : 'Brug: npm run admin -- restore <fil> [--force]');
    const url = databaseUrlFromEnv();
    if (noun === 'backup') {
      console.log(await backup(url, files[0]));
      return;
    }
    const result = await restore(url, files[0], flags.includes('--force'));
    console.log(result.message);
    if (result.warning) {
      console.error(result.warning);
      process.exitCode = 1;
    }
    return;
  }
  if (noun === 'audit') {
    if (verb !== 'verify') throw new Error('Brug: npm run admin -- audit verify');
    const url = databaseUrlFromEnv();
    return auditVerify(url);
  }
  if (noun === 'municipality') {
    const [code, cvr] = [username, rest[0]];
    if (verb !== 'cvr' || !code || !/^\d{1,3}$/.test(code) || !cvr || rest.length > 1)
      throw new Error('Brug: npm run admin -- municipality cvr <kommunekode> <cvr-nummer|--clear>');
    const url = databaseUrlFromEnv();
    await migrate(url);
    const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.admin });
    try {
      const foreign = await registerCvr(pool, Number(code), cvr === '--clear' ? null : cvr);
      console.log(cvr === '--clear' ? `Kommune ${code} har ikke længere et CVR-nummer.` : `Kommune ${code} har CVR-nummer ${cvr}.`);
      for (const m of foreign)
        console.error(
          `Advarsel: kommune ${m.municipality} har gruppen ${m.group}, som ikke passer til CVR-nummeret; slet den, hvis den er forkert.`,
        );
      if (foreign.length > 0) process.exitCode = 1;
    } finally {
      await pool.end();
    }
    return;
  }
  if (noun === 'user' && (verb === 'disable' || verb === 'enable') && username && !username.startsWith('--')) {
    if (rest.length > 0) throw new Error(`Ukendt argument: ${rest[0]}\nBrug: npm run admin -- user ${verb} <navn>`);
    return disable(username, verb === 'disable');
  }
  if (noun === 'user' && verb === 'totp' && username && !username.startsWith('--')) {
    if (rest.some((a) => a !== '--remove')) throw new Error('Brug: npm run admin -- user totp <navn> [--remove]');
    return totp(username, rest.includes('--remove'));
  }
  if (noun !== 'user' || verb !== 'add' || !username || username.startsWith('--')) {
    throw new Error(USAGE);
  }
  const given = flags(rest, { '--role': 'value', '--municipality': 'value', '--team': 'values', '--replace': 'switch' }, USER_ADD_USAGE);
  const role = given.get('--role')?.[0];
  if (!role || !isRole(role)) throw new Error('--role skal være udvalg, chef, teamleder eller admin');
  const municipality = given.get('--municipality')?.[0];
  if (municipality !== undefined && !/^\d{1,3}$/.test(municipality))
    throw new Error(`--municipality skal være en kommunekode (fx 461), ikke ${municipality}`);
  const replace = given.has('--replace');
  const url = databaseUrlFromEnv();
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 2, application_name: APPLICATION_NAME.admin });
  try {
    // An existing user is replaced only when asked: a name typed twice must not silently change
    // someone's password, role and municipality (without --municipality an admin is national).
    const existing = await userNamed(pool, username);
    if (existing?.authSource && existing.authSource !== 'local')
      throw new Error(`Brugeren ${username} logger ind med organisationens konto; den ændres ikke her.`);
    if (existing && !replace)
      throw new Error(
        `Brugeren ${username} findes allerede (${existing.role}${existing.municipality === null ? ', alle kommuner' : `, kommune ${existing.municipality}`}). Tilføj --replace for at give den ny adgangskode, rolle, kommune og teams.`,
      );
    const password = await readPassword();
    const written = await addUser(
      pool,
      {
        username,
        password,
        role,
        municipality: municipality ? Number(municipality) : null,
        teams: given.get('--team') ?? [],
      },
      existing ? 'password-user' : 'new',
    );
    // Made meanwhile (a first single sign-on login while the password was typed): nothing written.
    if (!written)
      throw new Error(`Brugeren ${username} blev oprettet af en anden, mens adgangskoden blev skrevet; intet er ændret. Prøv igen.`);
    console.log(`Bruger ${username} (${role}) er ${existing ? 'ændret; brugerens sessioner er afsluttet' : 'oprettet'}.`);
    // Under the default policy a product administrator cannot log in before this (ADR 0116).
    if (role === 'admin' && !municipality && !existing?.secondFactor)
      console.log(`En national administrator logger ind med en engangskode: npm run admin -- user totp ${username}`);
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
