import { describe, expect, it } from 'vitest';
import { lawAt, legalBasisRule, parseLegalBasis } from './legal-basis';

const family = (text: string) => {
  const basis = parseLegalBasis(text);
  return basis ? legalBasisRule(basis)?.family : 'unparsed';
};

describe('legal basis under Serviceloven and Barnets Lov', () => {
  it.each([
    ['SEL § 52, stk. 3, nr. 7', 'placement', 'SEL § 52, stk. 3, nr. 7'],
    ['SEL52.3.7', 'placement', 'SEL § 52, stk. 3, nr. 7'],
    ['sel §52 stk 3 nr 7', 'placement', 'SEL § 52, stk. 3, nr. 7'],
    ['Serviceloven § 58', 'placement', 'SEL § 58'],
    ['BL § 46', 'placement', 'BL § 46'],
    ['BL§47', 'placement', 'BL § 47'],
    ['Barnets lov § 47', 'placement', 'BL § 47'],
    ['SEL § 52, stk. 3, nr. 3', 'preventive', 'SEL § 52, stk. 3, nr. 3'],
    ['SEL § 52 a', 'preventive', 'SEL § 52 a'],
    ['BL § 32', 'preventive', 'BL § 32'],
    ['BL §§ 114-116', 'preventive', 'BL §§ 114-116'],
    ['SEL § 41', 'economic', 'SEL § 41'],
    ['BL § 87', 'economic', 'BL § 87'],
    ['SEL § 50', 'investigation', 'SEL § 50'],
    ['BL § 20', 'investigation', 'BL § 20'],
  ])('%s → %s (%s)', (text, expected, normalised) => {
    expect(family(text)).toBe(expected);
    expect(parseLegalBasis(text)!.text).toBe(normalised);
  });

  it('maps SEL and BL placements to the same family', () => {
    expect(family('SEL § 52, stk. 3, nr. 7')).toBe(family('BL § 46'));
    expect(family('SEL § 58')).toBe(family('BL § 47'));
  });

  it('gives nothing for text that is not a legal basis', () => {
    expect(parseLegalBasis('Mentorordning')).toBeNull();
    expect(parseLegalBasis('')).toBeNull();
    expect(family('SEL § 999')).toBeUndefined();
  });

  it('chooses the law by start date: before 1 January 2024 Serviceloven', () => {
    expect(lawAt('2023-12-31')).toBe('SEL');
    expect(lawAt('2024-01-01')).toBe('BL');
  });
});
