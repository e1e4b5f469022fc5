import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { nameMessage } from '@bu/contracts';
import { nameIn } from '@bu/domain';
import { MunicipalitiesRepository } from './municipalities.repository';

/** A text's field as the user knows it (Danish), and what the user wrote. */
export type NamedText = [field: string, value: string | null | undefined];

/**
 * Texts the committee reads (goals, comments, action areas, child-perspective examples) hold no
 * names: the contract's schemas refuse the common Danish names and CPR numbers; this refuses the
 * names of the municipality's own caseworkers, which only the data knows.
 */
@Injectable()
export class CommitteeTexts {
  constructor(@Inject(MunicipalitiesRepository) private readonly municipalities: MunicipalitiesRepository) {}

  /** A Danish 400 naming the first field that holds one of the municipality's caseworkers' names. */
  async refuseNames(municipality: number, texts: NamedText[]): Promise<void> {
    if (!texts.some(([, value]) => value)) return;
    const names = await this.municipalities.caseworkerNames(municipality);
    for (const [field, value] of texts) {
      const name = value ? nameIn(value, names) : null;
      if (name) throw new BadRequestException(nameMessage(field, name));
    }
  }
}
