import { randomUUID } from 'crypto';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { runWithLogContext, type LogContext, type Logger } from '@bu/logger';
import { maskCprLike } from '@bu/domain';
import { isApiPath } from '../security/api-path';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** What we accept as a proxy's request id: short, and nothing that could forge a log line. */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * The request's id: the one a trusted proxy sent (TRUSTED_PROXIES, as for X-Forwarded-For), so a
 * line here matches the proxy's own log; else a new one. Anyone else's header is ignored.
 */
function requestId(req: Request): string {
  const sent = req.headers['x-request-id'];
  const trusted = req.app.get('trust proxy fn') as ((address: string, hop: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress;
  if (typeof sent === 'string' && REQUEST_ID.test(sent) && peer && trusted?.(peer, 0)) return sent;
  return randomUUID();
}

/**
 * The path as logged: an API request's route with its parameters named, not their values
 * (`/api/v1/reviews/:id/cases/:case`): the application log is no record of who opened which
 * child's case (the audit log is, with the values). A path no route took keeps its first three
 * segments. The dashboard's own paths (logged only when debugging) as they came, CPR-masked.
 */
function loggedPath(req: Request): string {
  const requested = req.originalUrl.split('?')[0];
  if (!isApiPath(requested)) return maskCprLike(requested).slice(0, 300);
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string' && route.startsWith('/api')) return route;
  const segments = requested.split('/');
  return maskCprLike(segments.slice(0, 4).join('/') + (segments.length > 4 ? '/…' : '')).slice(0, 300);
}

/**
 * First middleware: gives each request an id (returned in X-Request-Id) and runs the rest of it in
 * a log context, so every line logged while serving it carries the id, and, once the auth guard
 * has verified the token, the user and the municipality. When the response is finished, one line
 * for it: method, path (its route: no id, no query string, which may hold a value), status and
 * duration.
 */
export function logRequests(app: INestApplication, log: Logger): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = requestId(req);
    const context: LogContext = { requestId: id };
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const path = loggedPath(req);
      const ms = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
      const line = { ...context, method: req.method, path, status: res.statusCode, ms };
      const text = `${req.method} ${path} ${res.statusCode}`;
      // The dashboard's files are not worth a line each outside debugging.
      if (!isApiPath(path)) log.debug(line, text);
      else if (res.statusCode >= 500) log.error(line, text);
      else log.info(line, text);
    });
    runWithLogContext(context, next);
  });
}
