import { vi, type Mock } from 'vitest';
import type { MunicipalityInfo } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';

// Unit-test helpers for services: typed fakes of their collaborators. The HTTP tests in test/api
// remain the proof that the whole (guards, row-level security, SQL) works.

/** Every method of T as a vitest mock with T's signature; other members as in T. */
export type Fake<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? Mock<(...args: A) => R> : T[K] };

/** A fake T whose methods are created (as vi.fn()) on first use; pass it where a T is expected with `as never`. */
export function fake<T extends object>(): Fake<T> {
  const members = new Map<PropertyKey, unknown>();
  return new Proxy({} as Fake<T>, {
    get: (_, key) => {
      if (key === 'then') return undefined; // not a promise
      if (!members.has(key)) members.set(key, vi.fn());
      return members.get(key);
    },
    set: (_, key, value) => {
      members.set(key, value);
      return true;
    },
  });
}

export const user = (overrides: Partial<AuthUser> = {}): AuthUser => ({
  username: 'anna',
  role: 'chef',
  municipality: 101,
  teams: [],
  ...overrides,
});

export const municipality = (overrides: Partial<MunicipalityInfo> = {}): MunicipalityInfo => ({
  code: 101,
  name: 'København',
  exportDate: '2026-03-31',
  maxDataAgeDays: 7,
  pseudonymKeysMixed: false,
  ...overrides,
});
