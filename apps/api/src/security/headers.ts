import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { isApiPath } from './api-path';

// Security headers for every answer: the API's and the dashboard's (the API serves the built
// dashboard; in docker nginx serves it with the same policy, docker/nginx.conf, checked by
// test/api/security-headers.test.ts).

/**
 * The dashboard is Vite's build: scripts and style sheets are files, no inline script and no
 * <style> element. ECharts writes style attributes on the elements it draws (its SVG and tooltip
 * markup), so style attributes, and only they, are allowed inline (style-src-attr): an attribute
 * can neither run script nor select other elements, and img-src keeps it from loading anything
 * from elsewhere. test/browser/csp.test.ts draws the charts under this policy with no violation.
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  // Charts are SVG elements, downloads are links: no image from anywhere but the product.
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The policy as the header's text (nginx.conf carries the same). */
export const cspHeader = (): string =>
  Object.entries(CONTENT_SECURITY_POLICY)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');

/**
 * helmet with the strict policy. HSTS only when clients reach the product over TLS (HSTS=1, set
 * by compose behind the TLS proxy): sent over plain HTTP on localhost it would pin a browser to
 * HTTPS for a host that has none.
 */
export function securityHeaders(options: { hsts: boolean }): RequestHandler {
  const withPolicy = (directives: Record<string, string[]>) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      strictTransportSecurity: options.hsts ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }) as RequestHandler;
  const strict = withPolicy(CONTENT_SECURITY_POLICY);
  // The Swagger UI page (API_DOCS=public only) has inline <style> blocks and data: icons; its scripts are files.
  const docs = withPolicy({ ...CONTENT_SECURITY_POLICY, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] });
  return (req, res, next) => {
    // API answers hold work lists, review notes and the audit log: no browser or proxy keeps them
    // (on a shared municipal PC they would outlive the session). The dashboard's files may be kept.
    if (isApiPath(req.path)) res.setHeader('Cache-Control', 'no-store');
    (req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? docs : strict)(req, res, next);
  };
}
