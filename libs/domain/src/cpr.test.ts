import { describe, expect, it } from 'vitest';
import { maskedPrefix } from './cpr';

describe('a text cut to length without a CPR number', () => {
  it('masks one across the cut, and one the cut would make', () => {
    expect(maskedPrefix('0101901234', 100)).toBe('******-****');
    // Across the cut at 100: masked before it is cut.
    expect(maskedPrefix(`${'x'.repeat(95)}0101901234`, 100)).toBe(`${'x'.repeat(95)}*****`);
    // Not CPR-like whole (a fifth digit at the end), CPR-like once cut: masked after the cut too.
    expect(maskedPrefix(`${'x'.repeat(87)}01-01-90-12345`, 100)).toBe(`${'x'.repeat(87)}******-****`);
    expect(maskedPrefix('anne', 100)).toBe('anne');
  });
});
