import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
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

/** A certificate authority of this run's own (self-signed), to sign client certificates with. */
export function certificateAuthority(name = 'Børneblik test CA'): ServerCertificate {
  return serverCertificate([name.replace(/[^A-Za-z0-9.-]/g, '-')]);
}

/** A client certificate for `commonName` (PostgreSQL's `cert` authentication takes it as the user), signed by `ca`. */
export function clientCertificate(ca: ServerCertificate, commonName: string): ServerCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'bu-cert-'));
  try {
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
    ssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=${commonName}`, '-keyout', 'key.pem', '-out', 'req.csr']);
    ssl([
      'x509',
      '-req',
      '-in',
      'req.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-out',
      'cert.pem',
    ]);
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
