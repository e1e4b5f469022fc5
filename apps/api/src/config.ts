import { randomBytes } from 'crypto';
import { resolve } from 'path';

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
  /**
   * Private folder (0700) for uploaded exports until their job ends (shared with the worker).
   * UPLOAD_DIR, default `.data/uploads` under the working directory; never the shared tmpdir.
   */
  uploadDir: string;
  /** Largest accepted upload in bytes (UPLOAD_MAX_BYTES, default 512 MB). */
  uploadMaxBytes: number;
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
  const uploadMaxBytes = Number(overrides.uploadMaxBytes ?? env.UPLOAD_MAX_BYTES ?? 512 * 1024 ** 2);
  if (!Number.isInteger(uploadMaxBytes) || uploadMaxBytes <= 0) problems.push(`UPLOAD_MAX_BYTES is not a positive number of bytes: ${env.UPLOAD_MAX_BYTES}`);
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
    // Absolute: the path goes into the job data, for a worker that may run elsewhere (same mount).
    uploadDir: resolve(overrides.uploadDir ?? env.UPLOAD_DIR ?? '.data/uploads'),
    uploadMaxBytes,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
