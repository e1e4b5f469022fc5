import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CommentBodySchema,
  CommentKeyQuerySchema,
  ComparisonGroupBodySchema,
  GoalBodySchema,
  requestError,
  UserPatchBodySchema,
} from './requests';

/** The message the API answers a body with (the first rule it breaks), or null when it passes. */
const problem = (
  schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } },
  value: unknown,
) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? null : parsed.error!.issues[0].message;
};

describe('request schemas', () => {
  const goal = { kpi: 'activity.family_care_share', title: 'Flere i familiepleje', direction: '>=', target: 0.5 };

  it.each([
    [{}, 'Et mål skal pege på et nøgletal med én værdi: undefined'],
    [{ kpi: undefined }, 'Et mål skal pege på et nøgletal med én værdi: undefined'],
    [{ title: '  ' }, 'Målet skal have en titel'],
    [{ title: 7 }, 'Målets titel skal være tekst'],
    [{ direction: '=' }, 'direction skal være >= eller <='],
    [{ target: '0.5' }, 'target skal være et tal i nøgletallets enhed'],
    [{ target: Number.POSITIVE_INFINITY }, 'target skal være et tal i nøgletallets enhed'],
    [{ tolerance: -1 }, 'tolerance skal være et tal ≥ 0'],
    [{ tolerance: 'x' }, 'tolerance skal være et tal ≥ 0'],
  ])('refuses the goal %j in Danish', (change, message) => {
    expect(problem(GoalBodySchema, change && Object.keys(change).length === 0 ? {} : { ...goal, ...change })).toBe(message);
  });

  it('takes a goal with the optional parts null or absent', () => {
    expect(problem(GoalBodySchema, goal)).toBeNull();
    expect(problem(GoalBodySchema, { ...goal, policyText: null, validFrom: null, tolerance: 0.05, municipality: 461 })).toBeNull();
  });

  it('checks a comment in the order the API always did: subject, key and period, text', () => {
    const comment = { subjectType: 'budget', subjectKey: '5.28.20', period: '2026-03', text: 'Forklaring' };
    expect(problem(CommentBodySchema, comment)).toBeNull();
    expect(problem(CommentBodySchema, {})).toBe('subjectType skal være budget eller goal');
    expect(problem(CommentBodySchema, { ...comment, subjectKey: '' })).toBe('subjectKey og period (ÅÅÅÅ eller ÅÅÅÅ-MM) skal angives');
    for (const period of ['26', '2026-13', '2026-00', '0000'])
      expect(problem(CommentBodySchema, { ...comment, period }), period).toBe('subjectKey og period (ÅÅÅÅ eller ÅÅÅÅ-MM) skal angives');
    expect(problem(CommentBodySchema, { ...comment, period: '2026' })).toBeNull();
    expect(problem(CommentBodySchema, { ...comment, text: ' ' })).toBe('Kommentaren skal have 1-2000 tegn');
    expect(problem(CommentBodySchema, { ...comment, text: 'x'.repeat(2001) })).toBe('Kommentaren må højst have 2000 tegn');
    expect(problem(CommentKeyQuerySchema, { subjectType: 'budget', period: '2026' })).toBe(
      'subjectType, subjectKey og period skal angives',
    );
  });

  it('refuses a comparison group without a name or members, and a user patch without a boolean', () => {
    expect(problem(ComparisonGroupBodySchema, { members: [101] })).toBe('Gruppen skal have et navn (højst 100 tegn)');
    expect(problem(ComparisonGroupBodySchema, { name: 'x'.repeat(101), members: [101] })).toBe(
      'Gruppen skal have et navn (højst 100 tegn)',
    );
    expect(problem(ComparisonGroupBodySchema, { name: 'Nabo', members: [] })).toBe('members skal være en liste af kommunekoder');
    expect(problem(ComparisonGroupBodySchema, { name: 'Nabo', members: ['101'] })).toBe('members skal være en liste af kommunekoder');
    expect(problem(UserPatchBodySchema, { disabled: 'ja' })).toBe('disabled skal være true eller false');
  });

  it('names the field in Danish where a rule has no message of its own', () => {
    const parsed = z.object({ municipality: z.string().optional() }).safeParse({ municipality: ['1', '2'] }, { error: requestError });
    expect(parsed.error?.issues[0].message).toBe('Ugyldig værdi for municipality');
  });
});
