import { mayHoldCpr, nameIn } from '@bu/domain';
import { z } from './zod';

/**
 * A free text a user writes: at most `max` characters and nothing that may be a CPR number; the
 * refusal says where such a text belongs instead (`advice`, Danish).
 */
export const screenedText = (field: string, max: number, advice: string) =>
  z
    .string({ error: `${field} skal være tekst` })
    .max(max, { error: `${field} må højst have ${max} tegn` })
    .refine((t) => !mayHoldCpr(t), { error: `${field} ser ud til at indeholde et CPR-nummer. ${advice}` });

/**
 * A free text for the committee: screened for CPR numbers and for names (the common Danish names;
 * the API screens the municipality's caseworkers' names too, apps/api CommitteeTexts).
 */
export const committeeText = (field: string, max: number, advice = 'Skriv aldrig CPR-numre i tekster, som udvalget læser.') =>
  screenedText(field, max, advice).superRefine((t, ctx) => {
    const name = nameIn(t);
    if (name) ctx.addIssue({ code: 'custom', message: nameMessage(field, name) });
  });

/** The Danish refusal of a text for the committee holding what may be a name. */
export const nameMessage = (field: string, name: string) =>
  `${field} ser ud til at indeholde et navn (${name}). Skriv uden navne, fx "pigen på 12 år" eller "rådgiveren"; udvalget må ikke kunne genkende barnet.`;
