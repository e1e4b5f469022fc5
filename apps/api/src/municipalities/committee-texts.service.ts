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
  async refuseNames(municipality: number, texts: NamedText[]): Promise<void> {
    if (!texts.some(([, value]) => value)) return;
    const names = await this.municipalities.caseworkerNames(municipality);
    for (const [field, value] of texts) {
      const name = value ? nameIn(value, names) : null;
      if (name) throw new BadRequestException(nameMessage(field, name));
    }
    for (const [field, value] of texts) {
      const found = value ? await this.municipalities.caseNumberAmong(municipality, words(value)) : null;
      if (found)
        throw new BadRequestException(
          `${field} ser ud til at indeholde et sagsnummer (${found}). Skriv uden sagsnumre; udvalget må ikke kunne finde sagen.`,
        );
    }
  }
}

/** A text's words as a case number could stand in it: between spaces and punctuation, a final full stop off. */
function words(text: string): string[] {
  const found = text
    .split(/[\s,;:()"'!?]+/)
    .map((w) => w.replace(/\.+$/, ''))
    .filter((w) => w.length >= 2 && w.length <= 64);
  return [...new Set(found)].slice(0, 500);
}
