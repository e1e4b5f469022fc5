import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, LIMITS, LoginThrottle } from '../../apps/api/src/auth/login-throttle';
import { createTestDatabase, TestDatabase } from '../support/database';

// Failed logins are counted per IPv6 /64, not per address: one subscriber's network has 2^64
// addresses, and each would otherwise get the free guesses anew (a security review's finding).
describe('login limits for IPv6 clients', () => {
  let db: TestDatabase;
  let throttle: LoginThrottle;

  beforeAll(async () => {
    db = await createTestDatabase();
    throttle = new LoginThrottle(async (sql, params) => (await db.pool.query(sql, params)).rows);
  });
  afterAll(async () => db?.drop());

  it('counts every address of one /64 as one client, and another /64 apart', async () => {
    for (let i = 1; i <= LIMITS.user_ip.free; i++) await throttle.check('v6-victim', `2001:db8:7:1::${i.toString(16)}`);
    // A sixth address of the same /64: refused, as the sixth guess from one address is.
    await expect(throttle.check('v6-victim', '2001:db8:7:1:ffff:ffff:ffff:ffff')).rejects.toMatchObject({ status: 429 });
    // The user's own network is another /64: not blocked.
    await expect(throttle.check('v6-victim', '2001:db8:7:2::1')).resolves.toBeUndefined();
    const { rows } = await db.pool.query(`SELECT key, failures FROM login_attempt WHERE kind = 'user_ip' ORDER BY key`);
    expect(rows).toEqual([
      { key: 'v6-victim|2001:db8:7:1::/64', failures: LIMITS.user_ip.free },
      { key: 'v6-victim|2001:db8:7:2::/64', failures: 1 },
    ]);
  });

  it('writes one key for every spelling of an address; IPv4, also IPv4-mapped, by its address', () => {
    expect(addressKey('2001:0db8:0007:0001:0000:0000:0000:0001')).toBe('2001:db8:7:1::/64');
    expect(addressKey('2001:db8:7:1::1')).toBe('2001:db8:7:1::/64');
    expect(addressKey('2001:DB8:7:1:a:b:1.2.3.4')).toBe('2001:db8:7:1::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });
});
