import { randomBytes } from 'crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname } from 'path';

export interface LocalSecrets {
  databasePassword: string;
  pseudonymSecret: string;
  jwtSecret: string;
}

/**
 * Secrets for the embedded default, generated once and kept beside its data in a file only this
 * user may read (0600; a file left readable by others, e.g. by a copy, is made so again).
 */
export function localSecrets(file: string): LocalSecrets {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, 'utf8'));
  }
  const secrets: LocalSecrets = {
    databasePassword: randomBytes(18).toString('base64url'),
    pseudonymSecret: randomBytes(32).toString('hex'),
    jwtSecret: randomBytes(32).toString('hex'),
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
