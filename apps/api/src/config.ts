import { randomBytes } from 'crypto';
import { tmpdir } from 'os';
import { join } from 'path';

export interface AppConfig {
  databaseUrl: string;
  redisUrl?: string;
  queuePrefix?: string;
  port: number;
  jwtSecret: string;
  /** Token lifetime in seconds (short-lived; the dashboard logs in again). */
  jwtTtlSeconds: number;
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
  if (problems.length > 0) throw new Error(`Configuration error: ${problems.join('; ')}`);
  return {
    databaseUrl: databaseUrl!,
    redisUrl: overrides.redisUrl ?? (env.REDIS_URL || undefined),
    queuePrefix: overrides.queuePrefix ?? (env.QUEUE_PREFIX || undefined),
    port,
    // Without a configured secret, tokens are valid for this process only.
    jwtSecret: overrides.jwtSecret ?? env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtTtlSeconds: overrides.jwtTtlSeconds ?? Number(env.JWT_TTL_SECONDS ?? 8 * 3600),
    pseudonymSecret: pseudonymSecret!,
    webDist: overrides.webDist ?? env.WEB_DIST ?? 'dist/web',
    runWorker: overrides.runWorker ?? env.RUN_WORKER !== 'false',
    uploadDir: overrides.uploadDir ?? env.UPLOAD_DIR ?? join(tmpdir(), 'boerneblik-uploads'),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
