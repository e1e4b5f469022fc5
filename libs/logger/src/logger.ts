import pino, { type DestinationStream, type Logger } from 'pino';
import { logSettings, type LogFormat, type LogLevel } from '@bu/config';
import { maskCprLike } from '@bu/domain';
import { logContext } from './context';
import { prettyLine } from './pretty';

export type { Logger };

/**
 * Never written, wherever they appear in a logged object: credentials, tokens, secrets and the
 * raw CPR number (a raw CPR number is never stored or logged; this is the second line of defence).
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  '*.jwtSecret',
  '*.jwtPreviousSecret',
  '*.pseudonymSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'cookie',
  'cpr',
  '*.cpr',
];

/** A database error's fields that quote row values (a key's values, a COPY line, a query's parameters). */
const QUOTING_FIELDS = new Set(['detail', 'where', 'internalQuery', 'parameters', 'hint']);

/**
 * An error as logged (the `err` field): pino's own serialisation, with the fields that quote row
 * values left out and every text CPR-masked (an unexpected error's message may hold a value, e.g.
 * an id too large for its column), also in the errors it carries (TypeORM's `driverError`).
 */
export function maskedError(error: unknown): unknown {
  return masked(error, 0);
}

function masked(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskCprLike(value);
  // pino's serialisation of an error (its own prototype), then as any object.
  if (value instanceof Error) return entries(pino.stdSerializers.err(value), depth);
  if (Array.isArray(value)) return depth > 4 ? value : value.map((v) => masked(v, depth + 1));
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  // As pino would log them: not taken apart into their keys.
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return value;
  // Objects (an error pino serialised already has a prototype of its own) key by key.
  return entries(value, depth);
}

function entries(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!QUOTING_FIELDS.has(key)) out[key] = masked(v, depth + 1);
  return out;
}

/**
 * A logged object's fields other than `err` (its serializer masks it), every text in them
 * CPR-masked, keys kept: a value logged under any name (`reason`, `error`, a job's data) is
 * masked too. An error under another name is logged as `err` is.
 */
export function maskedFields(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) out[key] = UNMASKED.has(key) ? value : maskedTexts(value, 0);
  return out;
}

/**
 * Not masked: `err` (its serializer masks it), and the ids a line is found by, which the product
 * makes itself (a scheduled job's id ends in a 13-digit time, a request id may hold ten digits).
 */
const UNMASKED = new Set(['err', 'job', 'requestId']);

function maskedTexts(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskCprLike(value);
  if (value instanceof Error) return maskedError(value);
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => maskedTexts(v, depth + 1));
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return value;
  // As JSON.stringify would write it (a URL, a Buffer's own toJSON).
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return maskedTexts(json.call(value), depth + 1);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = maskedTexts(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go: a file descriptor (1 stdout, the default; 2 stderr) or a stream (tests). */
  destination?: number | DestinationStream;
}

/**
 * A pino logger: JSON lines, or one readable line each in the pretty format; every line logged
 * while serving a request carries its request id, user and municipality (the mixin reads them from
 * the request's AsyncLocalStorage context). Level and format default to LOG_LEVEL and LOG_FORMAT.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = logSettings();
  const format = options.format ?? settings.format;
  const target = options.destination ?? 1;
  // Synchronous: a line written just before process.exit is not lost.
  const out: DestinationStream = typeof target === 'number' ? pino.destination({ dest: target, sync: true }) : target;
  const destination: DestinationStream = format === 'pretty' ? { write: (line: string) => void out.write(prettyLine(line)) } : out;
  return pino(
    {
      level: options.level ?? settings.level,
      base: undefined, // no pid and hostname on every line: the container or the service manager knows them
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label, number) => ({ level: format === 'json' ? label : number }), log: maskedFields },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: maskedError },
      // A line's message text CPR-masked too (an error's message is often the line's message).
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskCprLike(a) : a)) as Parameters<typeof method>);
        },
      },
      // Only the fields that are set: a job's lines have no requestId, a public request's no user.
      mixin: () => {
        const context = logContext();
        if (!context) return {};
        const fields: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(context)) if (value !== undefined) fields[key] = value;
        return fields;
      },
    },
    destination,
  );
}

let root: Logger | undefined;
/** The file descriptor this process's lines go to (configureLogger), for a worker thread to log alike. */
let rootDescriptor = 1;

/** This process's logger (made at first use from LOG_LEVEL and LOG_FORMAT). */
export function logger(): Logger {
  return (root ??= createLogger());
}

/**
 * Replaces this process's logger: an entry point that writes results to stdout (the ETL's CLI)
 * sends its log lines to stderr.
 */
export function configureLogger(options: LoggerOptions): Logger {
  root = createLogger(options);
  rootDescriptor = typeof options.destination === 'number' ? options.destination : 1;
  return root;
}

/**
 * Where this process's log lines go (1 stdout, 2 stderr): a worker thread has a logger of its own
 * and configures it with this, so that its lines go where the process's do (the ETL CLI's --json
 * result alone on stdout).
 */
export function logDescriptor(): number {
  return rootDescriptor;
}
