import { describe, expect, it } from 'vitest';
import { base32, hotp, otpauthUri, totpMatch, totpStep } from '../../apps/api/src/auth/totp';

// The published test vectors: RFC 4226 appendix D (HOTP) and RFC 6238 appendix B (TOTP, SHA-1).
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('one-time codes (RFC 4226, RFC 6238)', () => {
  it("gives RFC 4226's HOTP values for counters 0-9", () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(RFC_SECRET, counter))).toEqual(expected);
  });

  it("gives RFC 6238's eight-digit SHA-1 values at its test times", () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) expect(hotp(RFC_SECRET, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it('encodes the secret in base32 as authenticator apps read it (RFC 4648, no padding)', () => {
    expect(base32(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32(Buffer.from('f'))).toBe('MY');
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it("accepts the code of the step before, now and after (a phone's clock a little off), and says which", () => {
    const at = 1111111111 * 1000;
    const now = totpStep(at);
    for (const step of [now - 1, now, now + 1]) expect(totpMatch(RFC_SECRET, hotp(RFC_SECRET, step), at)).toBe(step);
  });

  it('refuses codes two steps away, other digits, letters and the wrong length; spaces are allowed', () => {
    const at = 1111111111 * 1000;
    const now = totpStep(at);
    expect(totpMatch(RFC_SECRET, hotp(RFC_SECRET, now - 2), at)).toBeNull();
    expect(totpMatch(RFC_SECRET, hotp(RFC_SECRET, now + 2), at)).toBeNull();
    const code = hotp(RFC_SECRET, now);
    const other = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(totpMatch(RFC_SECRET, other, at)).toBeNull();
    expect(totpMatch(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, at)).toBe(now);
    expect(totpMatch(RFC_SECRET, code.slice(1), at)).toBeNull();
    expect(totpMatch(RFC_SECRET, `${code}0`, at)).toBeNull();
    expect(totpMatch(RFC_SECRET, 'abcdef', at)).toBeNull();
    expect(totpMatch(RFC_SECRET, '', at)).toBeNull();
  });

  it('makes the otpauth address an app reads: issuer, user, secret and the parameters', () => {
    const text = otpauthUri(RFC_SECRET, 'anna.admin');
    expect(decodeURIComponent(text.split('?')[0])).toBe('otpauth://totp/Børneblik:anna.admin');
    const uri = new URL(text);
    expect(uri.searchParams.get('secret')).toBe(base32(RFC_SECRET));
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      issuer: 'Børneblik',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
