import { accessSync, constants, existsSync, statSync } from 'fs';
import { isIPv4, isIPv6 } from 'net';
import { resolve } from 'path';
import { isMainThread } from 'worker_threads';
import { parse as parseConnectionString } from 'pg-connection-string';
import { z } from 'zod';
import { checkConnectionBudget, MAX_KPI_SLOTS, type ConnectionNeeds } from './connections';
import { checkSaml, samlEnvSchema, samlFromEnv, type SamlSettings } from './saml';

export * from './saml';
export * from './connections';

// Every setting the product reads from its environment, in one schema. No other product file
// reads process.env (test/unit/config.test.ts checks the sources), so a setting cannot be added
// without a type, a default and a place in this list.

/** Secrets must be at least this long: 32 characters, what `openssl rand -hex 32` gives twice over. */
export const MIN_SECRET_LENGTH = 32;
export const MAKE_SECRET = 'openssl rand -hex 32';
/** Fewest different characters in a secret; 64 random hex digits have about 16. */
export const MIN_SECRET_SYMBOLS = 8;

/**
 * Secret values written somewhere in this repository (compose defaults, tests, benchmarks):
 * anyone who reads the code knows them, so no process accepts them. test/unit/config.test.ts
 * scans the repository for literals given to these variables and fails when one is missing here
 * (or is not refused for another reason, e.g. its length).
 */
export const KNOWN_SECRETS: readonly string[] = [
  'change-me-to-a-long-random-secret',
  'change-me-to-another-long-random-secret',
  'test-pseudonym-secret-0123456789',
  'test-jwt-secret',
  'bench-jwt-secret',
  'bench-secret-0123456789abcdef',
  'boerneblik',
];

export type SecretName =
  'JWT_SECRET' | 'JWT_SECRET_PREVIOUS' | 'PSEUDONYM_SECRET' | 'API_DB_PASSWORD' | 'OIDC_CLIENT_SECRET' | 'METRICS_TOKEN';

/** The one line that says what is wrong with a secret and how to make one; null when it is fine. */
export function secretProblem(name: SecretName, value: string | undefined): string | null {
  // The OpenID Connect client secret is not ours to make: the provider issues it.
  const make =
    name === 'OIDC_CLIENT_SECRET'
      ? 'Brug klienthemmeligheden, som Entra ID eller AD FS har udstedt til Børneblik (docs/SSO.md).'
      : `Lav en med: ${name}=$(${MAKE_SECRET})`;
  if (value === undefined || value.trim() === '') return `${name} er ikke sat. ${make}`;
  const known = value.trim().toLowerCase();
  if (KNOWN_SECRETS.includes(known) || /change.?me/.test(known))
    return `${name} er en værdi, der står i Børneblik's kildekode, og som alle derfor kender. ${make}`;
  if (value.length < MIN_SECRET_LENGTH) return `${name} er for kort (${value.length} tegn, mindst ${MIN_SECRET_LENGTH}). ${make}`;
  // Long but not random (32 zeros, a repeated word): a generated key has many different characters.
  if (new Set(value).size < MIN_SECRET_SYMBOLS)
    return `${name} er ikke tilfældig nok (kun ${new Set(value).size} forskellige tegn). ${make}`;
  return null;
}

/** A configuration the process cannot start with: one line per problem, each naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `Konfigurationsfejl: ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

// Unset and empty mean the same for every setting but the secrets (where empty is refused).
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = () => z.preprocess(blank, z.string().optional());
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blank, z.coerce.number().int().min(min).max(max).default(fallback));
const flag = (fallback: boolean) =>
  z.preprocess(
    blank,
    z
      .enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => ['1', 'true', 'yes', 'on'].includes(v)),
  );

/** Who may read the OpenAPI description (/api/docs and /api/docs-json). */
export const API_DOCS = ['off', 'admin', 'public'] as const;
/** Which password users must log in with a one-time code as well (ADR 0116); a user who has one always gives it. */
export const SECOND_FACTOR = ['national', 'all', 'none'] as const;
export type SecondFactorPolicy = (typeof SECOND_FACTOR)[number];
export type ApiDocs = (typeof API_DOCS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The environment, validated. Names are the variables'; docs/CONFIGURATION.md explains them. */
export const envSchema = z.object({
  DATABASE_URL: text(),
  /** A streaming-replication standby the API computes KPI answers on once it has replayed their data (ADR 0071). */
  DATABASE_REPLICA_URL: text(),
  /**
   * A database on another machine only over TLS that checks the server's certificate
   * (sslmode=verify-full in DATABASE_URL and DATABASE_REPLICA_URL); 0 only for a network the
   * municipality trusts (compose's network on one host). This machine's own server is exempt.
   */
  DATABASE_REQUIRE_TLS: flag(true),
  /** libpq's and pg's default host, used when DATABASE_URL names none: checked as the URL's host would be. */
  PGHOST: text(),
  REDIS_URL: text(),
  /** The CA (PEM file) that issued the Redis server's certificate, for a rediss:// REDIS_URL; unset: the system's CAs. */
  REDIS_TLS_CA_FILE: text(),
  /** Redis on another machine only over TLS (rediss://); 0 only for a network the municipality trusts (ADR 0093). */
  REDIS_REQUIRE_TLS: flag(true),
  /** Redis key prefix (default "bull"): several deployments or test runs can share one Redis. */
  QUEUE_PREFIX: text(),
  PORT: int(3000, 0, 65535),
  /** The address the API listens on (an IP address): every interface by default (a container, behind the proxy); `npm start`: this machine only. */
  API_HOST: text(),
  // Secrets are checked by secretProblem, with the message that says how to make one.
  JWT_SECRET: z.string().optional(),
  /** The JWT key before the last rotation: still accepted (and its tokens renewed under JWT_SECRET) until it is removed. */
  JWT_SECRET_PREVIOUS: z.string().optional(),
  PSEUDONYM_SECRET: z.string().optional(),
  /**
   * Bearer token of the Prometheus scraper for GET /api/metrics; unset or empty: no metrics page
   * (ADR 0094; empty is unset here, so compose can pass on an unset variable).
   */
  METRICS_TOKEN: text(),
  /**
   * A worker process on its own (compose's worker containers) serves its own metrics on this port
   * (GET /metrics, with METRICS_TOKEN; ADR 0109); 0: none. Under `npm run serve` the API's page sums
   * the workers' (ADR 0095).
   */
  WORKER_METRICS_PORT: int(0, 0, 65535),
  /** `npm run db:migrate`: lets the API's role bu_api log in with this password (docs/SECURITY.md). */
  API_DB_PASSWORD: z.string().optional(),
  /** A session's longest life in seconds from login, however active (then log in again). */
  JWT_TTL_SECONDS: int(8 * 3600, 60),
  /** A session ends after this many seconds without a request (tokens are renewed while in use). */
  SESSION_IDLE_SECONDS: int(30 * 60, 1),
  /** How long (s, at most 60) a process may trust its cached copy of a user's state for tokens. */
  TOKEN_CHECK_SECONDS: int(30, 0, 60),
  /** Proxies whose X-Forwarded-For gives the client's address: addresses, subnets, loopback, uniquelocal; none. */
  TRUSTED_PROXIES: text(),
  /** Folder with the built dashboard, served at /. */
  WEB_DIST: z.preprocess(blank, z.string().default('dist/web')),
  /** Run the ETL worker inside the API process (embedded default and `npm run serve`). */
  RUN_WORKER: flag(true),
  /** `npm run serve`: API processes sharing PORT (node:cluster; ADR 0072). */
  API_PROCESSES: int(1, 1, 64),
  /** `npm run serve`: worker processes (ETL and reports); 1 with one API process runs it inside that process, 0 none. */
  WORKER_PROCESSES: int(1, 0, 64),
  /** Private folder (0700) for uploaded exports until their job ends (shared by the API and the worker); never the shared tmpdir. */
  UPLOAD_DIR: z.preprocess(blank, z.string().default('.data/uploads')),
  /** Largest accepted upload in bytes (default 512 MB). */
  UPLOAD_MAX_BYTES: int(512 * 1024 ** 2, 1),
  /** How long a worker holds an ETL job before another may take it over (ms). */
  ETL_LOCK_DURATION_MS: int(30_000, 1000),
  /** How often drop folders are checked (ms; 0 turns it off). */
  DROP_FOLDER_INTERVAL_MS: int(15 * 60_000),
  /** Longest a statement of the API may run (ms) before PostgreSQL cancels it and the request gets 503. */
  API_STATEMENT_TIMEOUT_MS: int(30_000, 100),
  /**
   * At start, processes that may open more connections than PostgreSQL takes (ADR 0097): `refuse`
   * (default: exit 1 with the value to set) or `warn` (start anyway, for a server whose
   * max_connections the operator cannot raise and whose load they know).
   */
  DB_CONNECTION_CHECK: z.preprocess(blank, z.enum(['refuse', 'warn']).default('refuse')),
  /** Longest wait (ms) for a database connection (a new one, or a free one in the pool) before giving up. */
  DB_CONNECT_TIMEOUT_MS: int(5_000, 100),
  /** On SIGTERM: how long (ms) requests in flight and the worker's running job get to finish. */
  SHUTDOWN_GRACE_MS: int(10_000, 0),
  /** OpenAPI description: off (default), admin (the JSON for an administrator's token), public. */
  API_DOCS: z.preprocess(blank, z.enum(API_DOCS).optional()),
  /**
   * Who must have a second factor for a password login (ADR 0116): `national` (default) the product
   * administrators without a municipality, `all` every password user, `none` nobody. Demo users
   * (embedded default only) never.
   */
  LOGIN_SECOND_FACTOR: z.preprocess(blank, z.enum(SECOND_FACTOR).default('national')),
  /** Send Strict-Transport-Security: only when clients reach the product over TLS. */
  HSTS: flag(false),
  /** Bytes of cached KPI values kept per API process, in MB. */
  KPI_CACHE_MB: int(256),
  /** Answers recomputed after a data change (the most recently asked); 0 turns it off. */
  KPI_REWARM: int(50),
  /** How often an idle API process looks for a data change (ms; 0 turns it off). */
  KPI_VERSION_CHECK_MS: int(30_000),
  /**
   * KPIs of one answer computed at once (ADR 0075); the process computes at most KPI_SLOTS at once
   * in all, whatever the number of answers.
   */
  KPI_CONCURRENCY: int(4, 1, 32),
  /**
   * KPI computations one API process runs at once (ADR 0099), at most its database pool's size less
   * two; unset: the machine's cores plus one, divided among the API_PROCESSES. Set it to the
   * database server's cores plus one (divided likewise) when the database runs on a machine of its own.
   */
  KPI_SLOTS: z.preprocess(blank, z.coerce.number().int().min(1).max(MAX_KPI_SLOTS).optional()),
  /**
   * KPI requests one user may have being computed (or waiting for a slot) at once in one API process
   * (ADR 0121); one more is refused with 429. A warm answer takes none. The dashboard asks at most
   * 11 at once (the chief's first screen), so the default leaves room for several views asked in a row.
   */
  KPI_REQUESTS_PER_USER: int(64, 1, 100_000),
  /** Read models (ADR 0074): the worker builds them after a case-system import, the KPIs read them when current. */
  KPI_READ_MODELS: flag(true),
  /** Benchmarking: print the ETL's slow statements (over ETL_TRACE_MS ms). */
  ETL_TRACE: flag(false),
  ETL_TRACE_MS: int(20),
  /** The embedded default's data folder (database, secrets, demo exports). */
  DATA_DIR: text(),
  /** The embedded default's PostgreSQL port. */
  EMBEDDED_PG_PORT: int(54329, 1, 65535),
  /** `npm start` with DATABASE_URL: load demo data into that (empty) database. */
  DEMO: flag(false),
  /** "production" (the Docker images): logs are JSON lines unless LOG_FORMAT says otherwise. */
  NODE_ENV: text(),
  /** Least severe log level written: fatal, error, warn, info (default), debug, trace, silent. */
  LOG_LEVEL: z.preprocess(blank, z.enum(LOG_LEVELS).default('info')),
  /** json (one JSON object per line, for a log collector) or pretty (one readable line); default json in production. */
  LOG_FORMAT: z.preprocess(blank, z.enum(LOG_FORMATS).optional()),
  /** The SMTP server the reports and the weekly e-mail go through; unset: nothing is sent (reports are still made and archived). */
  SMTP_HOST: text(),
  SMTP_PORT: int(587, 1, 65535),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  SMTP_SECURE: flag(false),
  /** Without SMTP_SECURE: refuse to send unless the server offers STARTTLS (default on). */
  SMTP_REQUIRE_TLS: flag(true),
  SMTP_USER: text(),
  /** A secret: never defaulted, never logged. */
  SMTP_PASSWORD: z.string().optional(),
  /** The sender of every e-mail, e.g. "Børneblik <boerneblik@kommune.dk>". */
  MAIL_FROM: text(),
  /** The address users reach the product at (links in e-mails), e.g. https://boerneblik.kommune.dk. */
  PUBLIC_URL: text(),
  /** OpenID Connect login (docs/SSO.md): the provider's issuer URL; unset, there is no OIDC login. */
  OIDC_ISSUER: text(),
  OIDC_CLIENT_ID: text(),
  /** Issued by the provider (Entra ID, AD FS); checked like the other secrets, never defaulted. */
  OIDC_CLIENT_SECRET: z.string().optional(),
  /** The callback's public address when it differs from the one the browser reached the API by. */
  OIDC_REDIRECT_URL: text(),
  /** The login page's button. */
  OIDC_LABEL: z.preprocess(blank, z.string().default('Log ind med din organisations konto')),
  /** The ID token claim with the user's groups (Entra ID: groups; AD FS: group or role). */
  OIDC_GROUPS_CLAIM: z.preprocess(blank, z.string().default('groups')),
  /** The ID token claim with the user's name (else email). */
  OIDC_USERNAME_CLAIM: z.preprocess(blank, z.string().default('preferred_username')),
  /** Scopes asked for (AD FS sends its issuance rules' claims in the ID token only with allatclaims). */
  OIDC_SCOPE: z.preprocess(blank, z.string().default('openid profile email')),
  ...samlEnvSchema,
});

export type Env = z.infer<typeof envSchema>;

/** What a setting's value should have been, in Danish, from zod's issue (its own words where it has no better). */
function expectedInDanish(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `den skal være ${issue.inclusive ? 'mindst' : 'over'} ${String(issue.minimum)}`;
    case 'too_big':
      return issue.inclusive ? `den må højst være ${String(issue.maximum)}` : `den skal være under ${String(issue.maximum)}`;
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? 'den skal være et helt tal' : issue.message;
    case 'invalid_value':
      return `den skal være en af ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Settings whose value is never shown in a message: secrets, and addresses that may carry a password. */
const HIDDEN_VALUE = /SECRET|PASSWORD|TOKEN|PRIVATE_KEY|_URL$/;

/** A setting's value as a configuration error shows it: quoted, or hidden for a secret or an address. */
export function shownValue(name: string, value: string | undefined): string {
  return HIDDEN_VALUE.test(name) && value !== undefined ? '(skjult)' : JSON.stringify(value);
}

/** Parses an environment; a wrong value is a ConfigError naming the variable, once, in Danish. */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const named = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = issue.path.join('.');
    if (!named.has(name)) named.set(name, `${name} har en ugyldig værdi (${shownValue(name, env[name])}): ${expectedInDanish(issue)}`);
  }
  throw new ConfigError([...named.values()]);
}

let current: Env | undefined;
/**
 * This process's settings (read once). For the settings that are not part of AppConfig. Read by
 * some modules as they load, before a start's own check: a wrong value ends the process here too,
 * with the same one line and no stack trace (on the main thread; a worker thread's caller is told
 * by the error, as the thread cannot end the process).
 */
export function settings(): Env {
  current ??= isMainThread ? exitOnConfigError(() => parseEnv(process.env)) : parseEnv(process.env);
  return current;
}

/**
 * The logger's settings. Read apart from the rest, and never refused: a process logs its own
 * configuration error, so a wrong LOG_LEVEL falls back to the default here (and is reported as a
 * ConfigError by configFromEnv like any other wrong value).
 */
export function logSettings(env: NodeJS.ProcessEnv = process.env): { level: LogLevel; format: LogFormat } {
  const parsed = envSchema.pick({ NODE_ENV: true, LOG_LEVEL: true, LOG_FORMAT: true }).safeParse(env);
  const level = parsed.success ? parsed.data.LOG_LEVEL : 'info';
  const format = (parsed.success ? parsed.data.LOG_FORMAT : undefined) ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty');
  return { level, format };
}

/**
 * The environment for a PostgreSQL client tool (pg_dump, pg_restore) that this process starts: its
 * own (PATH, locale, HOME) without libpq's PG* variables, plus `connection` (the PG* variables made
 * from DATABASE_URL), so the tool reaches the database DATABASE_URL names and no other.
 */
export function clientToolEnv(connection: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return { ...env, ...connection };
}

/** What the ETL worker (and the ETL CLI) need: the database, the queue and the pseudonym key. */
export interface WorkerConfig {
  databaseUrl: string;
  redisUrl?: string;
  /** The CA file for a rediss:// REDIS_URL (ADR 0093). */
  redisTlsCaFile?: string;
  queuePrefix?: string;
  pseudonymSecret: string;
  /** Private folder (0700) for uploaded exports until their job ends (shared with the API); an absolute path. */
  uploadDir: string;
  etlLockDurationMs: number;
  /** 0: drop folders are not checked. */
  dropFolderIntervalMs: number;
  /** Longest wait (ms) for a database connection. */
  dbConnectTimeoutMs: number;
  /** On SIGTERM: how long (ms) requests in flight and a running job get to finish. */
  shutdownGraceMs: number;
  /** A worker process on its own: its metrics page (ADR 0109); undefined: none. */
  metrics?: { port: number; token: string };
}

/** OpenID Connect login (docs/SSO.md, ADR 0053). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The callback's public address; undefined: made from the address the browser used. */
  redirectUrl?: string;
  label: string;
  groupsClaim: string;
  usernameClaim: string;
  /** Space-separated; always includes openid. */
  scope: string;
}

export interface AppConfig extends WorkerConfig {
  port: number;
  /** The address the API listens on (API_HOST). */
  host: string;
  jwtSecret: string;
  /** The key before a rotation: tokens it signed are still accepted, and renewed under jwtSecret (docs/SECURITY.md). */
  jwtPreviousSecret?: string;
  /** A session's longest life in seconds from login, however active (then log in again). */
  jwtTtlSeconds: number;
  /** A session ends after this many seconds without a request (tokens are renewed while in use). */
  sessionIdleSeconds: number;
  /** How long (s, at most 60) a process may trust its cached copy of a user's state for tokens. */
  tokenCheckSeconds: number;
  /** Express 'trust proxy': the proxies whose X-Forwarded-For gives the client's address. */
  trustedProxies: string[] | false;
  /** Folder with the built dashboard, served at /. */
  webDist: string;
  /** Run the ETL worker inside the API process (embedded default and `npm run serve`). */
  runWorker: boolean;
  apiDocs: ApiDocs;
  /** Who must log in with a one-time code besides the password (LOGIN_SECOND_FACTOR, ADR 0116). */
  secondFactor: SecondFactorPolicy;
  /**
   * `npm start`'s embedded demo, whose demo users (passwords printed in the README, this machine
   * only) need no second factor; never from the environment: elsewhere a demo row is like any other.
   */
  demoUsers: boolean;
  hsts: boolean;
  /** Largest accepted upload in bytes. */
  uploadMaxBytes: number;
  /** Longest a statement of the API may run (ms). */
  statementTimeoutMs: number;
  /** A read-only standby for the KPI reads (ADR 0071); undefined: every read on DATABASE_URL. */
  databaseReplicaUrl?: string;
  /** The scraper's token for GET /api/metrics; undefined: no metrics page (ADR 0094). */
  metricsToken?: string;
  /** OpenID Connect login; undefined when OIDC_ISSUER is not set. */
  oidc?: OidcConfig;
  /** SAML 2.0 login (SAML_*); undefined: off. */
  saml?: SamlSettings;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a PostgreSQL URL may not be used (ADR 0092), or null: a server on another machine must be
 * reached with sslmode=verify-full (TLS, the certificate checked against sslrootcert or the
 * system's CAs, and its name against the host), unless `requireTls` is off. This machine's own
 * server (loopback, a Unix socket) is exempt: nothing leaves the machine. A sslrootcert, sslcert
 * or sslkey that names no file is refused in any case (pg would fail only at the first connection),
 * and so are a client certificate without its key or the other way round, and a key that others
 * than its owner may read (libpq's tools, pg_dump for the backup, refuse it; ADR 0096).
 */
export function databaseUrlProblem(name: string, value: string, requireTls: boolean, pgHost?: string): string | null {
  const params = urlParams(value);
  for (const file of ['sslrootcert', 'sslcert', 'sslkey']) {
    for (const path of params.getAll(file)) {
      const problem = tlsFileProblem(path);
      if (problem) return `${name}: ${file}-filen ${path} ${problem}.`;
    }
  }
  if (params.has('sslcert') !== params.has('sslkey')) {
    return `${name}: et klientcertifikat skal angives med både sslcert (certifikatet) og sslkey (dets nøgle).`;
  }
  // Every key named, as pg reads the last and libpq's tools may read another.
  for (const key of params.getAll('sslkey')) {
    // libpq's rule: 0600 or less, or 0640 or less when root owns it (a secret mounted by the platform).
    const { mode, uid } = statSync(key);
    if (process.platform !== 'win32' && (mode & (uid === 0 ? 0o037 : 0o077)) !== 0) {
      return `${name}: nøglefilen ${key} må kun kunne læses af sin ejer (chmod 600 ${key}).`;
    }
  }
  if (!requireTls) return null;
  // Read as pg reads it (a host may also come as ?host=…).
  let parsed: ReturnType<typeof parseConnectionString>;
  try {
    parsed = parseConnectionString(value);
  } catch {
    return `${name} kan ikke læses som en PostgreSQL-adresse, fx postgres://bruger:kode@vært:5432/boerneblik.`;
  }
  // libpq's tools (pg_dump) would connect to hostaddr, or to the next host of a list, where pg does not.
  if (params.has('hostaddr') || (parsed.host ?? '').includes(',')) {
    return `${name}: hostaddr og flere værter i én adresse bruges ikke; angiv én databaseserver.`;
  }
  // With no host in the URL, pg takes PGHOST, then localhost.
  const host = parsed.host || pgHost || 'localhost';
  if (isLocalHost(host)) return null;
  // The mode pg will use (the last one given), and TLS that no other parameter turned off.
  const sslmode = typeof parsed.sslmode === 'string' ? parsed.sslmode : null;
  const ssl = parsed.ssl as { rejectUnauthorized?: boolean } | boolean | undefined;
  if (sslmode === 'verify-full' && typeof ssl === 'object' && ssl.rejectUnauthorized !== false) return null;
  // A password with an unencoded @ would put part of it where the host is read: then not named.
  const server = value.split('@').length > 2 ? 'en anden maskine' : `databaseserveren ${host}`;
  return (
    `${name} går til ${server} ${!sslmode || sslmode === 'disable' ? 'uden TLS' : `med sslmode=${sslmode}, der ikke kontrollerer serverens certifikat og navn`}. ` +
    `Tilføj ?sslmode=verify-full&sslrootcert=/sti/til/ca.crt (CA'en, der har udstedt databaseserverens certifikat), ` +
    `eller sæt DATABASE_REQUIRE_TLS=0, hvis forbindelsen kun går over et netværk, kommunen stoler på (fx compose-netværket på én maskine).`
  );
}

/** The URL's parameters as pg reads them (WHATWG URL: a `#` ends them), else as the text after `?`. */
function urlParams(value: string): URLSearchParams {
  try {
    return new URL(value).searchParams;
  } catch {
    return new URLSearchParams(value.split('?')[1] ?? '');
  }
}

/** Why a TLS file named in a URL cannot be used by this process, or null. */
function tlsFileProblem(path: string): string | null {
  if (!existsSync(path)) return 'findes ikke';
  if (!statSync(path).isFile()) return 'er ikke en fil';
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return 'kan ikke læses af processen';
  }
  return null;
}

/** This machine: a Unix socket's folder, localhost, or a loopback address (127.0.0.0/8, ::1); never a name that merely starts with 127. */
function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare.startsWith('/') || bare === 'localhost' || (isIPv4(bare) && bare.startsWith('127.')) || (isIPv6(bare) && bare === '::1');
}

/**
 * Why REDIS_URL (with REDIS_TLS_CA_FILE) may not be used (ADR 0093), or null: Redis on another
 * machine only over TLS (rediss://, the certificate checked against the CA file or the system's
 * CAs, and its name against the host), unless `requireTls` is off; this machine's own Redis
 * (loopback, a Unix socket) is exempt.
 */
export function redisUrlProblem(url: string | undefined, caFile: string | undefined, requireTls: boolean): string | null {
  if (caFile !== undefined && !existsSync(caFile)) return `REDIS_TLS_CA_FILE: filen ${caFile} findes ikke.`;
  if (url === undefined) return caFile === undefined ? null : 'REDIS_TLS_CA_FILE er sat, men REDIS_URL er ikke.';
  const tls = /^rediss:\/\//i.test(url);
  if (caFile !== undefined && !tls) return 'REDIS_TLS_CA_FILE er sat, men REDIS_URL begynder ikke med rediss:// (Redis over TLS).';
  if (tls || !requireTls || url.startsWith('/')) return null;
  let host: string;
  try {
    host = new URL(/^[a-z]+:\/\//i.test(url) ? url : `redis://${url}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return 'REDIS_URL kan ikke læses som en Redis-adresse, fx rediss://redis.kommune.dk:6380.';
  }
  if (host === '' || isLocalHost(host)) return null;
  // As for DATABASE_URL: a host read out of a password with an unencoded @ is not echoed.
  const named = url.split('@').length > 2 ? 'værten' : host;
  return (
    `REDIS_URL går til Redis på ${named === host ? host : 'en anden maskine'} uden TLS. Brug rediss://${named}:<port> og REDIS_TLS_CA_FILE=/sti/til/ca.crt ` +
    `(CA'en, der har udstedt Redis-serverens certifikat), eller sæt REDIS_REQUIRE_TLS=0, hvis forbindelsen kun går over et netværk, kommunen stoler på.`
  );
}

/** An absolute https URL (http only on this machine, for development and tests), or a problem. */
function urlProblem(name: string, value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} er ikke en gyldig adresse (${JSON.stringify(value)}).`;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return null;
  return `${name} skal være en https-adresse (${JSON.stringify(value)}).`;
}

/** The OpenID Connect settings: all or nothing; the secret checked like the others. */
function oidcPart(env: Env, override: OidcConfig | undefined, problems: string[]): OidcConfig | undefined {
  const given: Partial<OidcConfig> = override ?? {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectUrl: env.OIDC_REDIRECT_URL,
    label: env.OIDC_LABEL,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    usernameClaim: env.OIDC_USERNAME_CLAIM,
    scope: env.OIDC_SCOPE,
  };
  if (given.issuer === undefined) {
    // Empty is unset here (compose passes every variable, empty when not given).
    if (given.clientId !== undefined || (given.clientSecret ?? '').trim() !== '')
      problems.push('OIDC_ISSUER er ikke sat, men OIDC_CLIENT_ID eller OIDC_CLIENT_SECRET er. Angiv udbyderens adresse (docs/SSO.md).');
    return undefined;
  }
  const before = problems.length;
  const issuerProblem = urlProblem('OIDC_ISSUER', given.issuer);
  if (issuerProblem) problems.push(issuerProblem);
  required(problems, 'OIDC_CLIENT_ID', given.clientId, 'Angiv det klient-id (application id), udbyderen har givet Børneblik.');
  checkSecret(problems, 'OIDC_CLIENT_SECRET', given.clientSecret, true);
  const redirectProblem = given.redirectUrl === undefined ? null : urlProblem('OIDC_REDIRECT_URL', given.redirectUrl);
  if (redirectProblem) problems.push(redirectProblem);
  // Without it the callback and the address after logout would follow the Host header a browser
  // (or an attacker) sends; only a provider on this machine (development, tests) may do without.
  if (given.redirectUrl === undefined && !issuerProblem && !LOOPBACK.has(new URL(given.issuer).hostname))
    problems.push(
      'OIDC_REDIRECT_URL er ikke sat. Angiv den offentlige https-adresse på Børnebliks callback, som den er registreret hos udbyderen ' +
        '(https://<adresse>/api/v1/auth/oidc/callback, docs/SSO.md).',
    );
  if (problems.length > before) return undefined;
  return {
    issuer: given.issuer,
    clientId: given.clientId!,
    clientSecret: given.clientSecret!,
    redirectUrl: given.redirectUrl,
    label: given.label ?? env.OIDC_LABEL,
    groupsClaim: given.groupsClaim ?? env.OIDC_GROUPS_CLAIM,
    usernameClaim: given.usernameClaim ?? env.OIDC_USERNAME_CLAIM,
    scope: [...new Set(['openid', ...(given.scope ?? env.OIDC_SCOPE).split(/\s+/).filter((s) => s !== '')])].join(' '),
  };
}

function required<T>(problems: string[], name: string, value: T | undefined, message: string): T {
  if (value === undefined || value === '') problems.push(`${name} er ikke sat. ${message}`);
  return value as T;
}

function checkSecret(problems: string[], name: SecretName, value: string | undefined, needed: boolean): string {
  // A secret a process does not need is still refused when it is set to a weak value.
  if (needed || value !== undefined) {
    const problem = secretProblem(name, value);
    if (problem) problems.push(problem);
  }
  return value as string;
}

function workerPart(
  env: Env,
  overrides: Partial<WorkerConfig>,
  problems: string[],
  jwtSecret: string | undefined,
  jwtNeeded: boolean,
  pseudonymNeeded = true,
): WorkerConfig {
  const databaseUrl = checkedDatabaseUrl(problems, env, overrides.databaseUrl);
  const redisUrl = overrides.redisUrl ?? env.REDIS_URL;
  const redisProblem = redisUrlProblem(redisUrl, overrides.redisTlsCaFile ?? env.REDIS_TLS_CA_FILE, env.REDIS_REQUIRE_TLS);
  if (redisProblem) problems.push(redisProblem);
  // '' when not needed and not given: an API without its worker never pseudonymises.
  const pseudonymSecret =
    checkSecret(problems, 'PSEUDONYM_SECRET', overrides.pseudonymSecret ?? env.PSEUDONYM_SECRET, pseudonymNeeded) ?? '';
  checkSecret(problems, 'JWT_SECRET', jwtSecret, jwtNeeded);
  return {
    databaseUrl,
    redisUrl,
    redisTlsCaFile: overrides.redisTlsCaFile ?? env.REDIS_TLS_CA_FILE,
    queuePrefix: overrides.queuePrefix ?? env.QUEUE_PREFIX,
    pseudonymSecret,
    uploadDir: resolve(overrides.uploadDir ?? env.UPLOAD_DIR),
    etlLockDurationMs: overrides.etlLockDurationMs ?? env.ETL_LOCK_DURATION_MS,
    dropFolderIntervalMs: overrides.dropFolderIntervalMs ?? env.DROP_FOLDER_INTERVAL_MS,
    dbConnectTimeoutMs: overrides.dbConnectTimeoutMs ?? env.DB_CONNECT_TIMEOUT_MS,
    shutdownGraceMs: overrides.shutdownGraceMs ?? env.SHUTDOWN_GRACE_MS,
  };
}

/**
 * The API's configuration (and its in-process worker's). Refuses to start without DATABASE_URL
 * and without good JWT_SECRET and PSEUDONYM_SECRET (overrides are checked the same way).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const parsed = parseEnv(env);
  const problems: string[] = [];
  const jwtSecret = overrides.jwtSecret ?? parsed.JWT_SECRET;
  // The pseudonym key only where the worker runs: an API on its own (compose's api service) reads
  // pseudonymised data and never makes it, so it should not hold the key beside the database.
  const runWorker = overrides.runWorker ?? parsed.RUN_WORKER;
  const worker = workerPart(parsed, overrides, problems, jwtSecret, true, runWorker);
  const jwtPreviousSecret: string | undefined = checkSecret(
    problems,
    'JWT_SECRET_PREVIOUS',
    overrides.jwtPreviousSecret ?? parsed.JWT_SECRET_PREVIOUS,
    false,
  );
  const metricsToken: string | undefined = checkSecret(problems, 'METRICS_TOKEN', overrides.metricsToken ?? parsed.METRICS_TOKEN, false);
  // The scraper's configuration is often less guarded than the API's: never one of the API's own keys.
  if (metricsToken !== undefined && [jwtSecret, worker.pseudonymSecret].includes(metricsToken)) {
    problems.push("METRICS_TOKEN er den samme som en af Børneblik's andre nøgler: lav en egen med openssl rand -hex 32.");
  }
  if (jwtPreviousSecret !== undefined && jwtPreviousSecret === jwtSecret) {
    problems.push('JWT_SECRET_PREVIOUS er den samme som JWT_SECRET: ved et nøgleskift er den forrige nøgle den gamle værdi.');
  }
  const databaseReplicaUrl = overrides.databaseReplicaUrl ?? parsed.DATABASE_REPLICA_URL;
  const replicaProblem = databaseReplicaUrl
    ? databaseUrlProblem('DATABASE_REPLICA_URL', databaseReplicaUrl, parsed.DATABASE_REQUIRE_TLS, parsed.PGHOST)
    : null;
  if (replicaProblem) problems.push(replicaProblem);
  const oidc = oidcPart(parsed, overrides.oidc, problems);
  const saml = overrides.saml ?? samlFromEnv(parsed, problems);
  if (overrides.saml) checkSaml(overrides.saml, problems);
  const host = overrides.host ?? parsed.API_HOST ?? '0.0.0.0';
  if (!isIPv4(host) && !isIPv6(host))
    problems.push(`API_HOST skal være en IP-adresse, fx 127.0.0.1 eller 0.0.0.0 (fik ${JSON.stringify(host)}).`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...worker,
    port: overrides.port ?? parsed.PORT,
    host,
    jwtSecret: jwtSecret!,
    jwtPreviousSecret,
    jwtTtlSeconds: overrides.jwtTtlSeconds ?? parsed.JWT_TTL_SECONDS,
    sessionIdleSeconds: overrides.sessionIdleSeconds ?? parsed.SESSION_IDLE_SECONDS,
    tokenCheckSeconds: overrides.tokenCheckSeconds ?? parsed.TOKEN_CHECK_SECONDS,
    trustedProxies: overrides.trustedProxies ?? parseTrustedProxies(parsed.TRUSTED_PROXIES),
    webDist: overrides.webDist ?? parsed.WEB_DIST,
    runWorker,
    apiDocs: overrides.apiDocs ?? parsed.API_DOCS ?? 'off',
    secondFactor: overrides.secondFactor ?? parsed.LOGIN_SECOND_FACTOR,
    demoUsers: overrides.demoUsers ?? false,
    hsts: overrides.hsts ?? parsed.HSTS,
    uploadMaxBytes: overrides.uploadMaxBytes ?? parsed.UPLOAD_MAX_BYTES,
    statementTimeoutMs: overrides.statementTimeoutMs ?? parsed.API_STATEMENT_TIMEOUT_MS,
    databaseReplicaUrl,
    metricsToken,
    oidc,
    saml,
  };
}

/** How many processes of each kind `npm run serve` runs (ADR 0072). */
export interface ProcessesConfig {
  /** API processes, sharing one port. */
  api: number;
  /** Worker processes (0: none; with RUN_WORKER off or `serve api` there are none either). */
  workers: number;
  /**
   * Whether `npm run serve` supervises child processes (more than one API process or more than one
   * worker) rather than running the API, and its one worker, in its own process as before.
   */
  supervised: boolean;
}

/** Set by `npm run serve`'s supervisor in its children's environment when it sums their metrics (ADR 0095); not an operator's setting. */
export const METRICS_SHARED_ENV = 'BU_METRICS_SHARED';

/** Whether this process is a child of `npm run serve`'s supervisor that shares its metrics with it. */
export function metricsSharedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[METRICS_SHARED_ENV] === '1';
}

/** API_PROCESSES and WORKER_PROCESSES; `runWorker` false (RUN_WORKER off, `serve api`) means no worker. */
export function processesFromEnv(env: NodeJS.ProcessEnv = process.env, runWorker = true): ProcessesConfig {
  const parsed = parseEnv(env);
  const api = parsed.API_PROCESSES;
  const workers = runWorker && parsed.RUN_WORKER ? parsed.WORKER_PROCESSES : 0;
  return { api, workers, supervised: api > 1 || workers > 1 };
}

/**
 * The worker's and the ETL CLI's configuration: they never sign a token, so JWT_SECRET is not
 * needed there (and should not be handed to them), but a weak one that is set is refused.
 */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const parsed = parseEnv(env);
  const problems: string[] = [];
  const worker = workerPart(parsed, overrides, problems, parsed.JWT_SECRET, false);
  const metrics = overrides.metrics ?? workerMetrics(parsed, [worker.pseudonymSecret, parsed.JWT_SECRET], problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return metrics ? { ...worker, metrics } : worker;
}

/** The worker's own metrics page: never without a token of its own (ADR 0109). */
function workerMetrics(env: Env, otherKeys: (string | undefined)[], problems: string[]): WorkerConfig['metrics'] {
  if (env.WORKER_METRICS_PORT === 0) return undefined;
  const token: string | undefined = checkSecret(problems, 'METRICS_TOKEN', env.METRICS_TOKEN, false);
  if (token === undefined) {
    problems.push('WORKER_METRICS_PORT er sat uden METRICS_TOKEN: metriksiden åbnes kun bag en nøgle. Lav en med openssl rand -hex 32.');
    return undefined;
  }
  if (otherKeys.includes(token)) {
    problems.push("METRICS_TOKEN er den samme som en af Børneblik's andre nøgler: lav en egen med openssl rand -hex 32.");
  }
  return { port: env.WORKER_METRICS_PORT, token };
}

/** TRUSTED_PROXIES: comma-separated addresses, subnets or express names (loopback, uniquelocal); "none": trust no proxy. */
export function parseTrustedProxies(value: string | undefined): string[] | false {
  if (value === undefined || value.trim() === '') return ['loopback'];
  if (value.trim() === 'none') return false;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Outgoing e-mail (nodemailer over SMTP); null when SMTP_HOST is not set. */
export interface MailConfig {
  host: string;
  port: number;
  secure: boolean;
  /**
   * Without SMTP_SECURE, insist on STARTTLS (default): otherwise anyone on the way could strip it and
   * read the password and the committee's PDFs. Off (SMTP_REQUIRE_TLS=0) only for a relay that
   * cannot do TLS on a network the municipality trusts.
   */
  requireTls?: boolean;
  user?: string;
  /** A secret: never logged. */
  password?: string;
  from: string;
}

/** What the reports worker needs besides the queue: e-mail (or null) and the product's public address for links. */
export interface ReportsConfig {
  mail: MailConfig | null;
  /** Without a trailing slash; null when PUBLIC_URL is not set (the e-mail then has no link). */
  publicUrl: string | null;
}

/**
 * The reports' e-mail settings. Without SMTP_HOST nothing is sent and every report says so in its
 * archive row (ADR 0052). A host without MAIL_FROM, or a user without a password, is refused.
 */
export function reportsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReportsConfig {
  const parsed = parseEnv(env);
  const problems: string[] = [];
  let publicUrl: string | null = null;
  if (parsed.PUBLIC_URL) {
    try {
      const url = new URL(parsed.PUBLIC_URL);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
      publicUrl = parsed.PUBLIC_URL.replace(/\/+$/, '');
    } catch {
      problems.push(
        `PUBLIC_URL skal være en http(s)-adresse, fx https://boerneblik.kommune.dk (fik ${JSON.stringify(parsed.PUBLIC_URL)}).`,
      );
    }
  }
  let mail: MailConfig | null = null;
  if (parsed.SMTP_HOST) {
    const from = required(problems, 'MAIL_FROM', parsed.MAIL_FROM, 'Angiv afsenderen af e-mails, fx "Børneblik <boerneblik@kommune.dk>".');
    if (parsed.SMTP_USER && !parsed.SMTP_PASSWORD)
      problems.push('SMTP_PASSWORD er ikke sat, men SMTP_USER er. Angiv kodeordet til SMTP-serveren.');
    mail = {
      host: parsed.SMTP_HOST,
      port: parsed.SMTP_PORT,
      secure: parsed.SMTP_SECURE,
      requireTls: parsed.SMTP_REQUIRE_TLS,
      user: parsed.SMTP_USER,
      password: parsed.SMTP_PASSWORD,
      from,
    };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { mail, publicUrl };
}

/**
 * DATABASE_URL for the operator's tools (migrations, administration, backup), checked as the API
 * and the worker check it: set, and to another machine only over verified TLS (ADR 0092).
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const problems: string[] = [];
  const url = checkedDatabaseUrl(problems, parseEnv(env), undefined);
  if (problems.length > 0) throw new ConfigError(problems);
  return url;
}

/** DATABASE_URL (`given`, else the environment's): set, and to another machine only over verified TLS. */
function checkedDatabaseUrl(problems: string[], env: Env, given: string | undefined): string {
  const url = required(
    problems,
    'DATABASE_URL',
    given ?? env.DATABASE_URL,
    'Angiv PostgreSQL-databasen, fx postgres://bruger:kode@vært:5432/boerneblik',
  );
  const problem = url ? databaseUrlProblem('DATABASE_URL', url, env.DATABASE_REQUIRE_TLS, env.PGHOST) : null;
  if (problem) problems.push(problem);
  return url;
}

/** For entry points: a ConfigError is printed as its lines (no stack trace) and the process exits 1. */
export function exitOnConfigError<T>(read: () => T, exitCode = 1): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(exitCode);
    }
    throw error;
  }
}

/**
 * The start-up check of `npm start`, `npm run serve` (for all its processes) and a worker or API
 * alone (ADR 0097): warnings go to `warn` and the start goes on; a refusal ends the process (exit 1)
 * with its message, as a setting that cannot work does, after `beforeExit` (the embedded database
 * stopped) - unless DB_CONNECTION_CHECK=warn, which makes it a warning too.
 */
export async function exitWithoutConnectionRoom(
  needs: ConnectionNeeds,
  urls: { primary: string; replica?: string },
  connectTimeoutMs: number | undefined,
  warn: (message: string) => void,
  beforeExit: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  const env = settings();
  const { refusals, warnings } = await checkConnectionBudget(needs, { ...urls, pgHost: env.PGHOST }, connectTimeoutMs);
  for (const warning of warnings) warn(warning);
  if (refusals.length === 0) return;
  if (env.DB_CONNECTION_CHECK === 'warn') {
    for (const refusal of refusals) warn(`${refusal} (DB_CONNECTION_CHECK=warn: startes alligevel.)`);
    return;
  }
  process.stderr.write(`${refusals.join('\n')}\n`);
  await beforeExit();
  process.exit(1);
}
