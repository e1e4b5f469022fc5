import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

// Request input every handler shares, read before any route: the URL and the JSON body. What
// cannot be read is answered here, in Danish, as the client's fault (a 4xx, logged as a request,
// not as an error), and never quoting what was sent (a password may be in it).

/** The largest JSON body (body-parser's default, named so the message can say it). */
export const JSON_LIMIT_KB = 100;

export const NUL_REFUSED = 'Forespørgslen indeholder tegnet NUL (\\u0000), som ikke kan bruges. Fjern det, og prøv igen.';
export const BODY_TOO_LARGE = `Forespørgslens indhold er for stort (højst ${JSON_LIMIT_KB} kB).`;
export const BODY_NOT_JSON = 'Forespørgslens indhold er ikke gyldig JSON.';
export const BODY_UNREADABLE = 'Forespørgslens indhold kunne ikke læses; send JSON i UTF-8.';

/** Thrown by the reviver; body-parser passes it on as its parse failure, this class kept. */
class NulInBody extends Error {}

/**
 * PostgreSQL text cannot hold NUL: a value with one failed in the first statement that used it
 * (a 500, the login throttle's on every try). Refused once here for every body's keys and values.
 */
function refuseNul(key: string, value: unknown): unknown {
  if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) throw new NulInBody(NUL_REFUSED);
  return value;
}

function refuse(res: Response, status: number, message: string): void {
  const error = status === 413 ? 'Payload Too Large' : status === 415 ? 'Unsupported Media Type' : 'Bad Request';
  res.status(status).json({ statusCode: status, message, error });
}

/**
 * Registers, in order: the refusal of a NUL in the path or the query string (`%00`; Express
 * decodes both, so this is every route parameter and query value), the JSON body parser, and the
 * Danish answer to a body it could not read (Nest's own was English, quoted the body, and logged a
 * too-large body at error level).
 */
export function readRequestInput(app: NestExpressApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (/%00/.test(req.originalUrl)) refuse(res, 400, NUL_REFUSED);
    else next();
  });
  app.useBodyParser('json', { limit: `${JSON_LIMIT_KB}kb`, reviver: refuseNul });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: unknown; status?: unknown } | null;
    // body-parser's errors carry a type and a 4xx status; anything else is not the body's.
    if (typeof e?.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500 || res.headersSent) {
      return next(err);
    }
    if (err instanceof NulInBody) refuse(res, 400, NUL_REFUSED);
    else if (e.type === 'entity.too.large') refuse(res, 413, BODY_TOO_LARGE);
    else if (e.type === 'entity.parse.failed') refuse(res, 400, BODY_NOT_JSON);
    else refuse(res, e.status, BODY_UNREADABLE);
  });
}
