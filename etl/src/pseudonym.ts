import { createHmac } from 'crypto';
import * as domain from '@bu/domain';

// Module constants: the compiled import would read them through a getter on every call.
const formatIso = domain.formatIso;
const isValidDate = domain.isValidDate;

// CPR numbers are replaced at parse time by a keyed hash; the raw number never leaves this module.

const CPR = /^(\d{2})(\d{2})(\d{2})-?(\d{4})$/;

export interface Pseudonym {
  personId: string;
  birthDate: string | null;
  sex: 'M' | 'K';
  /**
   * Set by ChildrenSeen once it keeps the person: the object is shared by every row with the same
   * CPR text while the cache holds it, so most rows need no lookup by person id.
   */
  kept: boolean;
}

/** What a CPR number may look like inside any text from an import (@bu/domain's, shared with the API). */
export const CPR_LIKE_SOURCE = domain.CPR_LIKE_SOURCE;
export const CPR_MASK = domain.CPR_MASK;

/**
 * Masked form of a CPR field's value for rejected-row records and logs: nothing of the number is
 * kept (not the birth date either); a value without 6 digits keeps its letters, digits starred.
 */
export function maskCpr(text: string): string {
  const digits = text.replace(/\D/g, '');
  return digits.length >= 6 ? CPR_MASK : text.replace(/\d/g, '*');
}

/** Masks anything in a free text that may be a CPR number (CPR_LIKE_SOURCE) as ******-****. */
export function maskCprInText(text: string): string {
  return domain.maskCprLike(text);
}

/** Century from the 7th digit (CPR office rules). */
function birthYear(yy: number, seventh: number): number {
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/** A CPR number's digits and birth date (day + 60: a replacement number), or null when the text is not one. */
function parseCpr(text: string): { digits: string; year: number; month: number; day: number } | null {
  const m = CPR.exec(text.trim());
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = birthYear(Number(m[3]), Number(m[4][0]));
  // Replacement CPR numbers (day + 60) are valid identifiers with no usable birth date.
  if (!isValidDate(year, month, day > 60 ? day - 60 : day)) return null;
  return { digits: m[1] + m[2] + m[3] + m[4], year, month, day };
}

/** Whether a text is a CPR number, as the pseudonymiser takes one (with or without the dash). */
export function isCprNumber(text: string): boolean {
  return parseCpr(text) !== null;
}

/** Distinct CPR numbers remembered at a time: a child's rows come close together, and memory stays bounded whatever the file size. */
const REMEMBERED = 50_000;

export class Pseudonymiser {
  private readonly cache = new Map<string, Pseudonym | null>();

  constructor(private readonly secret: string) {
    if (!secret || secret.length < 16) throw new Error('PSEUDONYM_SECRET must be set (at least 16 characters).');
  }

  /** Null when the text is not a CPR number. A CPR seen again soon is not hashed again. */
  pseudonymise(text: string): Pseudonym | null {
    const cached = this.cache.get(text);
    if (cached !== undefined) return cached;
    const cpr = parseCpr(text);
    const result: Pseudonym | null = cpr && {
      personId: createHmac('sha256', this.secret).update(cpr.digits).digest('hex'),
      birthDate: cpr.day > 60 ? null : formatIso(cpr.year, cpr.month, cpr.day),
      sex: Number(cpr.digits[9]) % 2 === 1 ? 'M' : 'K',
      kept: false,
    };
    // Generational: when full, start over (cheaper than an LRU per row, and as bounded).
    if (this.cache.size >= REMEMBERED) this.cache.clear();
    this.cache.set(text, result);
    return result;
  }
}

/**
 * A public name for a pseudonym key: which key a snapshot's person ids were made with, without
 * revealing the key. Stored with every case-system snapshot, so a mixed state (two sources of
 * one municipality under different keys, half-way through a key rotation) is found and refused.
 */
export function pseudonymKeyId(secret: string): string {
  return createHmac('sha256', secret).update('boerneblik:pseudonym-key-id').digest('hex').slice(0, 16);
}
