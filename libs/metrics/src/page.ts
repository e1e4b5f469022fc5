import { createHash, timingSafeEqual } from 'crypto';
import { createServer, type Server } from 'http';
import { processMetrics } from './registry';

// The scraper's bearer token, checked the same way by the API's GET /api/metrics (ADR 0094) and by
// a worker container's own page (ADR 0109).

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries `token` as its bearer token; compared as digests, so the time tells nothing. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/** The refusal of a missing or wrong token, in Danish as every message of the product. */
export const METRICS_TOKEN_REFUSED = 'METRICS_TOKEN mangler eller er forkert';

/**
 * A process's own metrics page (ADR 0109): GET /metrics on `port` with `Authorization: Bearer
 * <token>`, this process's registry in Prometheus's text format; 401 without the token, 404 for any
 * other path or method. For a worker that runs alone (compose's worker containers), which has no
 * API to be scraped through. Resolves once it listens.
 */
export function serveProcessMetrics(port: number, token: string, host?: string): Promise<Server> {
  if (!token) return Promise.reject(new Error('A metrics page needs METRICS_TOKEN.'));
  const registry = processMetrics();
  // Node checks the two timeouts every connectionsCheckingInterval (30 s by default).
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
    const plain = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
    };
    // The path as sent, its query left out: no URL parser that a malformed request line could make throw.
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return plain(404, 'Ikke fundet');
    if (!bearerMatches(req.headers.authorization, token)) return plain(401, METRICS_TOKEN_REFUSED);
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      () => plain(500, 'Metrikkerne kunne ikke samles'),
    );
  });
  // One scraper needs a connection or two: others on the network cannot hold the worker's sockets,
  // which its database and queue connections need too.
  server.maxConnections = 16;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // After the start, a fault of the page is the page's: it does not end the process.
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}
