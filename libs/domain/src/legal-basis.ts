// Legal bases (Lovgrundlag) under Serviceloven (SEL, before 2024) and Barnets Lov (BL, from
// 1 January 2024), resolved to the measure families the KPI catalogue uses. Kept as data.
import type { MeasureFamily } from './measures';

export type Law = 'SEL' | 'BL';

export interface LegalBasis {
  law: Law;
  /** Normalised text, e.g. "SEL § 52, stk. 3, nr. 7" or "BL §§ 114-116". */
  text: string;
  paragraph: number;
  stk: number | null;
  nr: number | null;
  /** Letter paragraphs such as § 52 a. */
  letter: string | null;
}

interface Rule {
  law: Law;
  paragraph: number;
  letter?: string;
  stk?: number;
  nr?: number;
  family: MeasureFamily | 'investigation' | 'notification' | 'plan' | 'followup' | 'supervision';
  what: string;
}

/** Paragraphs of the area and what they are; the SEL → BL pairs follow the 2024 reform. */
export const LEGAL_BASES: readonly Rule[] = [
  { law: 'SEL', paragraph: 50, family: 'investigation', what: 'Børnefaglig undersøgelse' },
  { law: 'BL', paragraph: 20, family: 'investigation', what: 'Børnefaglig undersøgelse' },
  { law: 'SEL', paragraph: 52, stk: 3, nr: 7, family: 'placement', what: 'Anbringelse med samtykke' },
  { law: 'SEL', paragraph: 58, family: 'placement', what: 'Anbringelse uden samtykke' },
  { law: 'BL', paragraph: 46, family: 'placement', what: 'Anbringelse med samtykke' },
  { law: 'BL', paragraph: 47, family: 'placement', what: 'Anbringelse uden samtykke' },
  { law: 'SEL', paragraph: 52, stk: 3, family: 'preventive', what: 'Forebyggende foranstaltning' },
  { law: 'SEL', paragraph: 52, letter: 'a', family: 'preventive', what: 'Økonomisk støtte' },
  { law: 'SEL', paragraph: 11, family: 'preventive', what: 'Tidlig forebyggende indsats' },
  { law: 'BL', paragraph: 32, family: 'preventive', what: 'Støttende indsats' },
  { law: 'BL', paragraph: 35, family: 'preventive', what: 'Økonomisk støtte' },
  { law: 'SEL', paragraph: 76, family: 'preventive', what: 'Efterværn' },
  { law: 'BL', paragraph: 114, family: 'preventive', what: 'Efterværn' },
  { law: 'BL', paragraph: 115, family: 'preventive', what: 'Efterværn' },
  { law: 'BL', paragraph: 116, family: 'preventive', what: 'Efterværn' },
  { law: 'SEL', paragraph: 41, family: 'economic', what: 'Merudgifter' },
  { law: 'BL', paragraph: 86, family: 'economic', what: 'Merudgifter' },
  { law: 'SEL', paragraph: 42, family: 'economic', what: 'Tabt arbejdsfortjeneste' },
  { law: 'BL', paragraph: 87, family: 'economic', what: 'Tabt arbejdsfortjeneste' },
  { law: 'SEL', paragraph: 140, family: 'plan', what: 'Handleplan' },
  { law: 'BL', paragraph: 91, family: 'plan', what: 'Barnets plan' },
  { law: 'SEL', paragraph: 70, family: 'followup', what: 'Opfølgning' },
  { law: 'BL', paragraph: 95, family: 'followup', what: 'Opfølgning' },
  { law: 'BL', paragraph: 96, family: 'followup', what: 'Opfølgning' },
  { law: 'SEL', paragraph: 153, family: 'notification', what: 'Underretning' },
  { law: 'SEL', paragraph: 155, family: 'notification', what: 'Underretning' },
  { law: 'BL', paragraph: 132, family: 'notification', what: 'Underretning' },
  { law: 'BL', paragraph: 133, family: 'notification', what: 'Underretning' },
  { law: 'BL', paragraph: 156, family: 'supervision', what: 'Tilsyn' },
];

// "SEL § 52, stk. 3, nr. 7", "BL § 46", "SEL52.3.7", "sel §52 stk 3 nr 7", "SEL § 52 a",
// "BL §§ 114-116", "Serviceloven § 58", "Barnets lov § 47".
const PATTERN =
  /^\s*(sel|serviceloven|bl|barnets\s+lov)\s*(?:§§?)?\s*(\d+)\s*([a-z](?![a-z]))?(?:\s*-\s*\d+)?(?:\s*[,.]?\s*(?:stk\.?\s*)?(\d+))?(?:\s*[,.]?\s*(?:nr\.?\s*)?(\d+))?\s*\.?\s*$/i;

export function parseLegalBasis(text: string): LegalBasis | null {
  const m = PATTERN.exec(text.replace(/\u00a0/g, ' '));
  if (!m) return null;
  const law: Law = /^s/i.test(m[1]) ? 'SEL' : 'BL';
  const paragraph = Number(m[2]);
  const letter = m[3] ? m[3].toLowerCase() : null;
  const stk = m[4] ? Number(m[4]) : null;
  const nr = m[5] ? Number(m[5]) : null;
  const range = /§§\s*\d+\s*-\s*\d+/.exec(text);
  const normalised = range
    ? `${law} ${range[0].replace(/\s*-\s*/, '-').replace(/§§\s*/, '§§ ')}`
    : `${law} § ${paragraph}${letter ? ` ${letter}` : ''}${stk !== null ? `, stk. ${stk}` : ''}${nr !== null ? `, nr. ${nr}` : ''}`;
  return { law, text: normalised, paragraph, stk, nr, letter };
}

/** The most specific rule for a legal basis, or undefined when the paragraph is not of the area. */
export function legalBasisRule(basis: LegalBasis): Rule | undefined {
  const candidates = LEGAL_BASES.filter(
    (r) =>
      r.law === basis.law &&
      r.paragraph === basis.paragraph &&
      (r.letter ?? null) === basis.letter &&
      (r.stk === undefined || r.stk === basis.stk) &&
      (r.nr === undefined || r.nr === basis.nr),
  );
  return candidates.sort(
    (a, b) => Number(b.stk !== undefined) + Number(b.nr !== undefined) - (Number(a.stk !== undefined) + Number(a.nr !== undefined)),
  )[0];
}

/** Which law a measure falls under: by its start date (KPIS.md "Which law"). */
export function lawAt(startDate: string): Law {
  return startDate < '2024-01-01' ? 'SEL' : 'BL';
}
