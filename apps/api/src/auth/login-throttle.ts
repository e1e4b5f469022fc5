import { HttpException, HttpStatus } from '@nestjs/common';

/** Failed logins per username and address: after MAX_FAILURES within WINDOW_MS, wait. */
export class LoginThrottle {
  static readonly MAX_FAILURES = 5;
  static readonly WINDOW_MS = 15 * 60 * 1000;
  private readonly failures = new Map<string, number[]>();

  check(key: string, now = Date.now()): void {
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < LoginThrottle.WINDOW_MS);
    this.failures.set(key, recent);
    if (recent.length >= LoginThrottle.MAX_FAILURES) {
      throw new HttpException('For mange mislykkede login-forsøg. Prøv igen om 15 minutter.', HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  fail(key: string, now = Date.now()): void {
    this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
