import { describe, expect, it } from 'vitest';
import { maskCpr, maskCprInText, Pseudonymiser } from './pseudonym';

describe('Pseudonymiser', () => {
  const p = new Pseudonymiser('a-secret-of-enough-length');

  it('gives the same keyed hash with or without the dash, and derives birth date and sex', () => {
    const a = p.pseudonymise('010115-4123')!;
    const b = p.pseudonymise('0101154123')!;
    expect(a.personId).toBe(b.personId);
    expect(a.personId).toMatch(/^[0-9a-f]{64}$/);
    expect(a.personId).not.toContain('0101154123');
    expect(a.birthDate).toBe('2015-01-01'); // 7th digit 4, year 15 → 2015
    expect(a.sex).toBe('M'); // last digit odd
    expect(p.pseudonymise('020290-1234')!.birthDate).toBe('1990-02-02');
  });

  it('depends on the secret', () => {
    expect(new Pseudonymiser('another-secret-of-length').pseudonymise('010115-4123')!.personId).not.toBe(
      p.pseudonymise('010115-4123')!.personId,
    );
  });

  it('rejects text that is not a CPR number', () => {
    expect(p.pseudonymise('12345')).toBeNull();
    expect(p.pseudonymise('320115-4123')).toBeNull();
  });

  it('masks CPR numbers for logs and rejected rows', () => {
    expect(maskCpr('0101154123')).toBe('******-****');
    expect(maskCprInText('barn 010115-4123 og 0202904321')).toBe('barn ******-**** og ******-****');
  });
});

describe('Pseudonymiser cache', () => {
  it('gives the same pseudonym for both spellings and for text around the number, and none for what is not a CPR number', () => {
    const p = new Pseudonymiser('test-secret-0123456789abcdef');
    const a = p.pseudonymise('010114-4001')!;
    expect(p.pseudonymise('0101144001')!.personId).toBe(a.personId);
    expect(p.pseudonymise('010114-4001')).toBe(a);
    expect(p.pseudonymise(' 010114-4001 ')!.personId).toBe(a.personId);
    expect(a).toMatchObject({ birthDate: '2014-01-01', sex: 'M' });
    expect(p.pseudonymise('010114-400')).toBeNull();
    expect(p.pseudonymise('310214-4001')).toBeNull();
    expect(p.pseudonymise('01011440x1')).toBeNull();
    // Replacement numbers (day + 60) identify without a birth date.
    expect(p.pseudonymise('610114-4002')).toMatchObject({ birthDate: null, sex: 'K' });
  });
});
