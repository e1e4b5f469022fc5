import { describe, expect, it } from 'vitest';
import { benchmarkSentences, formatAmount, formatKroner, isKroner, rankText } from './units';

describe('units on screen', () => {
  it('shows kroner per child or case as whole kroner with kr.', () => {
    expect(formatKroner(821917.4)).toBe('821.917 kr.');
    expect(formatKroner(821917.5)).toBe('821.918 kr.');
    expect(formatAmount('cost.annualised_per_placed_child', 821917.4)).toBe('821.917 kr.');
    expect(formatAmount('benchmark.cost.net_spend_per_child', 30123.6)).toBe('30.124 kr.');
    // Not an amount: a rate per 1,000 keeps its decimal.
    expect(formatAmount('benchmark.activity.placed_children_per_1000', 13.44)).toBe('13,4');
    expect(isKroner('activity.family_care_share')).toBe(false);
  });

  it('says which end of a rank is 1', () => {
    expect(rankText('benchmark.activity.placed_children_per_1000', 32, 98)).toBe('nr. 32 af 98, hvor 1 er flest anbragte');
    expect(rankText('benchmark.cost.net_spend_per_child', 2, 3)).toBe('nr. 2 af 3, hvor 1 er den højeste udgift pr. barn');
    expect(rankText('benchmark.activity.placed_children_per_1000', null, 3)).toBe('nr. – af 3, hvor 1 er flest anbragte');
    // A KPI the catalogue judges: which end is better is said too.
    expect(rankText('deadline.notification_24h', 1, 98)).toBe('nr. 1 af 98, hvor 1 er den højeste værdi (højest er bedst)');
  });

  it('says what a published and an own figure count, each per its own population band', () => {
    const placed = { year: 2023, band: '0-22 år', liveBand: '0-17 år', ownLive: 11.7 };
    expect(benchmarkSentences('benchmark.activity.placed_children_per_1000', placed)).toEqual({
      published: 'Danmarks Statistik 2023: anbragte børn og unge i året pr. 1.000 0-22-årige.',
      live: 'Egne sagsdata: børn med en aktiv anbringelse på opgørelsesdatoen pr. 1.000 0-17-årige.',
    });
    // The committee gets no live figure: no sentence for it.
    expect(benchmarkSentences('benchmark.activity.placed_children_per_1000', { ...placed, ownLive: null, liveBand: null }).live).toBeNull();
    expect(
      benchmarkSentences('benchmark.cost.net_spend_per_child', { year: 2024, band: '0-17 år', liveBand: null, ownLive: null }),
    ).toEqual({
      published: 'Danmarks Statistik 2024: nettodriftsudgifter til udsatte børn og unge i året i kr. pr. 0-17-årig.',
      live: null,
    });
  });
});
