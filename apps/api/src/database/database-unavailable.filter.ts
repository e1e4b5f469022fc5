import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

// A database that is down, restarting, or too slow is the service being unavailable, not a
// fault in the request: 503 with a Danish message and Retry-After, never a 500 or a hang.

export const DATABASE_UNAVAILABLE = 'Databasen svarer ikke lige nu. Prøv igen om lidt.';
export const STATEMENT_TIMED_OUT = 'Forespørgslen tog for lang tid og blev afbrudt. Prøv igen, eller afgræns den.';

// SQLSTATE classes and codes: 08 connection exceptions, 57P01-57P03 shutdown / cannot connect
// now (a restart), 53300 too many connections, 57014 canceled (the statement timeout).
const UNAVAILABLE_CODES = /^(08...|57P0[1-5]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|not queryable|Client was closed|Cannot use a pool after calling end|the database system is (starting up|shutting down|in recovery)/i;

/** Whether an error (or the driver error TypeORM wrapped) says the database is not reachable now: 'timeout', 'down' or null. */
export function databaseFailure(error: unknown): 'timeout' | 'down' | null {
  for (let e = error as { code?: string; message?: string; driverError?: unknown; cause?: unknown } | undefined, i = 0; e && i < 4; i++) {
    if (e.code === '57014') return 'timeout';
    if ((e.code && UNAVAILABLE_CODES.test(e.code)) || (e.message && UNAVAILABLE_MESSAGES.test(e.message))) return 'down';
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return null;
}

@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const failure = exception instanceof HttpException ? null : databaseFailure(exception);
    const res = host.switchToHttp().getResponse<Response>();
    if (!failure || host.getType() !== 'http' || res.headersSent) return super.catch(exception, host);
    res.setHeader('Retry-After', '5');
    res.status(503).json({ statusCode: 503, message: failure === 'timeout' ? STATEMENT_TIMED_OUT : DATABASE_UNAVAILABLE });
  }
}
