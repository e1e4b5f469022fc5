import { describe, expect, it } from 'vitest';
import { maskedMessage } from './error-body.filter';

describe("an error answer's message", () => {
  it('is masked wherever it repeats something shaped as a CPR number', () => {
    expect(maskedMessage('Brugeren 010101-1234 findes ikke')).toBe('Brugeren ******-**** findes ikke');
    expect(maskedMessage('Ukendt sammenligningsgruppe: 0101011234')).toBe('Ukendt sammenligningsgruppe: ******-****');
    expect(maskedMessage('a 010101 1234 b 3112991234')).toBe('a ******-**** b ******-****');
  });

  it("keeps the product's own bounds it states, and nothing longer that holds one", () => {
    expect(maskedMessage('seed skal være et heltal mellem 0 og 2147483647')).toBe('seed skal være et heltal mellem 0 og 2147483647');
    expect(maskedMessage('højst 9007199254740991')).toBe('højst 9007199254740991');
    expect(maskedMessage('id 21474836470')).toBe('id ******-****');
  });
});
