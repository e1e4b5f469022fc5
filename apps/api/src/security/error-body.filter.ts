import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CPR_LIKE_SOURCE, CPR_MASK } from '@bu/domain';
import { databaseFailure, DatabaseUnavailableFilter } from '../database/database-unavailable.filter';
import { MAX_SERIAL_ID } from '../validation/id.pipe';

// What an error answer may say. Nest's answer to a path no route takes quoted the URL with its
// query string ("Cannot GET /api/v1/x?cpr=..."), and a message may repeat what was sent (a
// validation message, an id from a body): neither may carry a CPR number out of the system.

/** The answer to a path no route takes: Danish, and not quoting the path. */
export const NO_SUCH_ADDRESS = 'Adressen findes ikke';

const CPR_LIKE = new RegExp(CPR_LIKE_SOURCE, 'g');
/** The product's own bounds that its messages state ("mellem 0 og 2147483647"): no CPR number (month 47, 72), kept. */
const OWN_NUMBERS = new Set([String(MAX_SERIAL_ID), String(Number.MAX_SAFE_INTEGER)]);

/** As maskCprLike (libs/domain/src/cpr.ts) masks, except the product's own bounds. */
export function maskedMessage(text: string): string {
  return text.replace(CPR_LIKE, (found) => (OWN_NUMBERS.has(found) ? found : CPR_MASK));
}

/** Every string in an error body masked (maskedMessage), however deep; numbers and the rest as they are. */
function masked(value: unknown): unknown {
  if (typeof value === 'string') return maskedMessage(value);
  if (Array.isArray(value)) return value.map(masked);
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value)))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

/**
 * The one global filter: an HttpException's body CPR-masked (a 404 no route raised, Nest's own
 * "Cannot GET <url>", answered NO_SUCH_ADDRESS), and its `retryAfter` (a 429's) also in the
 * standard Retry-After header, and likewise the message of an error shaped as
 * http-errors' (which Nest would send as it is); anything else as DatabaseUnavailableFilter has it
 * (a database that does not answer: 503; else Nest's 500, which quotes nothing).
 */
@Catch()
export class ErrorBodyFilter extends DatabaseUnavailableFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest's not-found handler runs as middleware: a request that reached a route has req.route.
      const unrouted = status === 404 && !host.switchToHttp().getRequest<Request>().route;
      const response = exception.getResponse();
      const retryAfter = (response as { retryAfter?: unknown } | null)?.retryAfter;
      if (typeof retryAfter === 'number') host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
      const body = unrouted
        ? { statusCode: status, message: NO_SUCH_ADDRESS, error: 'Not Found' }
        : masked(typeof response === 'object' && response !== null ? response : { statusCode: status, message: response });
      return super.catch(new HttpException(body as Record<string, unknown>, status, { cause: exception }), host);
    }
    const { statusCode, message } = (exception ?? {}) as { statusCode?: unknown; message?: unknown };
    const httpError = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 && typeof message === 'string';
    if (httpError && message !== '' && !databaseFailure(exception))
      return super.catch(new HttpException({ statusCode, message: maskedMessage(message) }, statusCode, { cause: exception }), host);
    super.catch(exception, host);
  }
}
