import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname } from 'path';

export interface LocalSecrets {
  databasePassword: string;
  pseudonymSecret: string;
  jwtSecret: string;
}

/** Secrets for the embedded default, generated once and kept (mode 600) beside its data. */
export function localSecrets(file: string): LocalSecrets {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets: LocalSecrets = {
    databasePassword: randomBytes(18).toString('base64url'),
    pseudonymSecret: randomBytes(32).toString('hex'),
    jwtSecret: randomBytes(32).toString('hex'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
