import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// Certificates for a test's own TLS servers (PostgreSQL, Redis), made by openssl for the run and
// never checked in.

/** A server key and certificate made by openssl for this run (self-signed, so it is its own CA; one day). */
export interface ServerCertificate {
  key: string;
  cert: string;
}

/** A self-signed certificate for `names` (DNS names and IP addresses, in subjectAltName). */
export function serverCertificate(names: string[]): ServerCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'bu-cert-'));
  try {
    const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '1',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${san}`,
      ].concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
