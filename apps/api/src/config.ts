import { randomBytes } from 'crypto';
import { tmpdir } from 'os';
import { join } from 'path';

export interface AppConfig {
  databaseUrl: string;
  redisUrl?: string;
  queuePrefix?: string;
  port: number;
  jwtSecret: string;
  /** A session's longest life in seconds from login, however active (then log in again). */
  jwtTtlSeconds: number;
  /** A session ends after this many seconds without a request (tokens are renewed while in use). */
  sessionIdleSeconds: number;
  /** How long (s, at most 60) a process may trust its cached copy of a user's state for tokens. */
  tokenCheckSeconds: number;
  /** Express 'trust proxy': the proxies whose X-Forwarded-For gives the client's address. */
  trustedProxies: string[] | false;
  pseudonymSecret: string;
  /** Folder with the built dashboard, served at /. */
  webDist: string;
  /** Where uploaded exports are unpacked for the ETL worker (shared with the worker). */
  uploadDir: string;
  /** Run the ETL worker inside the API process (embedded default and `npm run serve`). */
  runWorker: boolean;
}

/** Reads and validates the environment at start-up: a missing setting stops the process with a clear message. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const problems: string[] = [];
  const databaseUrl = overrides.databaseUrl ?? env.DATABASE_URL;
  if (!databaseUrl) problems.push('DATABASE_URL is not set');
  const pseudonymSecret = overrides.pseudonymSecret ?? env.PSEUDONYM_SECRET;
  if (!pseudonymSecret || pseudonymSecret.length < 16) problems.push('PSEUDONYM_SECRET must be set (at least 16 characters)');
  const port = Number(overrides.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT is not a port number: ${env.PORT}`);
  const sessionIdleSeconds = Number(overrides.sessionIdleSeconds ?? env.SESSION_IDLE_SECONDS ?? 30 * 60);
  if (!Number.isFinite(sessionIdleSeconds) || sessionIdleSeconds <= 0) problems.push(`SESSION_IDLE_SECONDS is not a positive number: ${env.SESSION_IDLE_SECONDS}`);
  const tokenCheckSeconds = Number(overrides.tokenCheckSeconds ?? env.TOKEN_CHECK_SECONDS ?? 30);
  if (!(tokenCheckSeconds >= 0 && tokenCheckSeconds <= 60)) problems.push(`TOKEN_CHECK_SECONDS must be 0-60: ${env.TOKEN_CHECK_SECONDS}`);
  if (problems.length > 0) throw new Error(`Configuration error: ${problems.join('; ')}`);
  return {
    databaseUrl: databaseUrl!,
    redisUrl: overrides.redisUrl ?? (env.REDIS_URL || undefined),
    queuePrefix: overrides.queuePrefix ?? (env.QUEUE_PREFIX || undefined),
    port,
    // Without a configured secret, tokens are valid for this process only.
    jwtSecret: overrides.jwtSecret ?? env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtTtlSeconds: overrides.jwtTtlSeconds ?? Number(env.JWT_TTL_SECONDS ?? 8 * 3600),
    sessionIdleSeconds,
    tokenCheckSeconds,
    trustedProxies: overrides.trustedProxies ?? parseTrustedProxies(env.TRUSTED_PROXIES),
    pseudonymSecret: pseudonymSecret!,
    webDist: overrides.webDist ?? env.WEB_DIST ?? 'dist/web',
    runWorker: overrides.runWorker ?? env.RUN_WORKER !== 'false',
    uploadDir: overrides.uploadDir ?? env.UPLOAD_DIR ?? join(tmpdir(), 'boerneblik-uploads'),
  };
}

/** TRUSTED_PROXIES: comma-separated addresses, subnets or express names (loopback, uniquelocal); "none": trust no proxy. */
export function parseTrustedProxies(value: string | undefined): string[] | false {
  if (value === undefined || value.trim() === '') return ['loopback'];
  if (value.trim() === 'none') return false;
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

export const APP_CONFIG = Symbol('APP_CONFIG');
