import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { nameMessage } from '@bu/contracts';
import { nameIn } from '@bu/domain';
import { MunicipalitiesRepository } from './municipalities.repository';

/** A text's field as the user knows it (Danish), and what the user wrote. */
export type NamedText = [field: string, value: string | null | undefined];

/**
 * Texts the committee reads (goals, comments, action areas, child-perspective examples) hold no
 * names: the contract's schemas refuse the common Danish names and CPR numbers; this refuses the
 * names of the municipality's own caseworkers and its case numbers, which only the data knows.
 */
@Injectable()
export class CommitteeTexts {
  constructor(@Inject(MunicipalitiesRepository) private readonly municipalities: MunicipalitiesRepository) {}

  /** A Danish 400 naming the first field that holds one of the municipality's caseworkers' names or case numbers. */
  async refuseIdentifying(municipality: number, texts: NamedText[]): Promise<void> {
    if (!texts.some(([, value]) => value)) return;
    const names = await this.municipalities.caseworkerNames(municipality);
    for (const [field, value] of texts) {
      const name = value ? nameIn(value, names) : null;
      if (name) throw new BadRequestException(nameMessage(field, name));
    }
    // One look-up for every field's words; the first field holding a case number is named, not the
    // number (a team leader writes these texts too, and may not learn another team's case numbers).
    const byField = texts.map(([field, value]): [string, string[]] => [field, value ? words(value) : []]);
    const found = await this.municipalities.caseNumbersAmong(municipality, [...new Set(byField.flatMap(([, w]) => w))]);
    const field = byField.find(([, w]) => w.some((x) => found.has(x)))?.[0];
    if (field)
      throw new BadRequestException(
        `${field} ser ud til at indeholde et sagsnummer. Skriv uden sagsnumre; udvalget må ikke kunne finde sagen.`,
      );
  }
}

/**
 * A text's words as a case number could stand in it, in the case it is written, upper and lower:
 * between spaces, punctuation and quotes, whole and split at - and /, a final full stop off. Plain
 * numbers of fewer than 5 digits (counts, years, amounts) are left out: a case number that short
 * cannot be told from them.
 */
function words(text: string): string[] {
  const found = new Set<string>();
  for (const raw of text.split(/[\s,;:()[\]{}"'!?«»“”„‘’…]+/u)) {
    const word = raw.replace(/\.+$/, '');
    for (const w of [word, ...word.split(/[-/–]+/)]) {
      if (w.length < 2 || w.length > 64 || /^\d{1,4}$/.test(w)) continue;
      found.add(w).add(w.toUpperCase()).add(w.toLowerCase());
    }
  }
  return [...found];
}
