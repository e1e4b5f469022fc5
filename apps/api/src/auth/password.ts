import * as argon2 from 'argon2';
import { randomBytes } from 'crypto';

/**
 * argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): 20 logins at once stay
 * well under 1 s p95 on the 2-core reference machine (`npm run bench -- login`, docs/SECURITY-measurements.md).
 */
export const PASSWORD_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, PASSWORD_OPTIONS);
}

/** A hash of no one's password, at the same cost: an unknown user takes as long as a wrong password. */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(18).toString('base64')));

/**
 * Whether the password matches, and whether the hash should be replaced (bcrypt hashes from
 * before argon2id, or argon2id at an older cost): the caller rehashes after a successful login.
 */
export async function verifyPassword(hash: string, password: string): Promise<{ valid: boolean; rehash: boolean }> {
  if (hash.startsWith('$argon2')) {
    // A damaged hash fails the login like a wrong password (the user can be given a new one).
    const valid = await argon2.verify(hash, password).catch(() => false);
    return { valid, rehash: valid && argon2.needsRehash(hash, PASSWORD_OPTIONS) };
  }
  if (/^\$2[aby]\$/.test(hash)) {
    // Legacy: users created before argon2id, until their next login rehashes them.
    const bcrypt = await import('bcryptjs');
    const valid = await bcrypt.compare(password, hash);
    return { valid, rehash: valid };
  }
  return { valid: false, rehash: false };
}
