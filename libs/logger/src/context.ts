import { AsyncLocalStorage } from 'async_hooks';

/** What every line logged while serving a request (or running a job) carries. */
export interface LogContext {
  /** The HTTP request's id (X-Request-Id). */
  requestId?: string;
  /** The queued job being run: its id (the worker). */
  job?: string;
  /** The authenticated user's name, once the auth guard has verified the token. */
  user?: string;
  /** The user's municipality (null: a national user). */
  municipality?: number | null;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it starts) with this log context. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current request's or job's log context, or undefined outside both (start-up). */
export function logContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds the authenticated user to the current request's context (a no-op outside a request). */
export function setLogUser(user: { username: string; municipality: number | null }): void {
  const context = storage.getStore();
  if (!context) return;
  context.user = user.username;
  context.municipality = user.municipality;
}
