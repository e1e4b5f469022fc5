import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

// Time-based one-time codes (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, six digits, 30 s steps,
// the parameters every authenticator app (Microsoft Authenticator, Google Authenticator, 1Password)
// uses by default. ADR 0116.

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: a phone's clock a little off, or a code typed as it turned. */
const DRIFT_STEPS = 1;
const ISSUER = 'Børneblik';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new secret: 160 bits, RFC 4226's recommended length for HMAC-SHA1. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** RFC 4648 base32 without padding: how authenticator apps take a secret typed in or in a QR code. */
export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 4226: the code of one counter value, zero-padded to `digits`. */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step a moment falls in (RFC 6238's T, counted from the Unix epoch). */
export function totpStep(at: number = Date.now()): number {
  return Math.floor(at / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The step whose code was typed, within one step of now; null for anything else. Spaces are allowed
 * (apps show "123 456"). The caller refuses a step at or before the last one used (a code read over
 * a shoulder or from a proxy's log is not good twice).
 */
export function totpMatch(secret: Buffer, typed: string, at: number = Date.now()): number | null {
  const code = String(typed).replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return null;
  const now = totpStep(at);
  let found: number | null = null;
  // Every candidate compared, in constant time, so the answer's time says nothing of which matched.
  for (let step = now - DRIFT_STEPS; step <= now + DRIFT_STEPS; step++) {
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code)) && found === null) found = step;
  }
  return found;
}

/** The otpauth:// address an authenticator app reads (Key Uri Format), as a QR code or pasted. */
export function otpauthUri(secret: Buffer, username: string): string {
  const label = encodeURIComponent(`${ISSUER}:${username}`);
  const params = new URLSearchParams({
    secret: base32(secret),
    issuer: ISSUER,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
