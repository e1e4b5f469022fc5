import { NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it } from 'vitest';
import { fake, user, type Fake } from '../testing/fake';
import type { PreferencesRepository } from './preferences.repository';
import { PreferencesService } from './preferences.service';

describe(PreferencesService.name, () => {
  let sut: PreferencesService;
  let repository: Fake<PreferencesRepository>;

  beforeEach(() => {
    repository = fake<PreferencesRepository>();
    sut = new PreferencesService(repository as never);
  });

  it.each([
    ['teamleder', true],
    ['chef', true],
    ['udvalg', false],
    ['admin', false],
  ] as const)('says whether the weekly e-mail is for a %s (%s)', async (role, forRole) => {
    repository.get.mockResolvedValue({ weeklyMail: true, email: 'a@kk.dk', password: true });
    await expect(sut.get(user({ role }))).resolves.toEqual({
      weeklyMail: true,
      email: 'a@kk.dk',
      weeklyMailForRole: forRole,
      password: true,
    });
  });

  it('changes the caller’s own row only, and answers with the new state', async () => {
    repository.setWeeklyMail.mockResolvedValue(true);
    repository.get.mockResolvedValue({ weeklyMail: false, email: null, password: false });
    await expect(sut.put(user({ username: 'tove', role: 'teamleder' }), { weeklyMail: false })).resolves.toEqual({
      weeklyMail: false,
      email: null,
      weeklyMailForRole: true,
      password: false,
    });
    expect(repository.setWeeklyMail).toHaveBeenCalledWith('tove', false);
  });

  it('answers 404 in Danish for a user that is gone', async () => {
    repository.setWeeklyMail.mockResolvedValue(false);
    await expect(sut.put(user(), { weeklyMail: true })).rejects.toThrow(new NotFoundException('Brugeren findes ikke'));
    repository.get.mockResolvedValue(null);
    await expect(sut.get(user())).rejects.toBeInstanceOf(NotFoundException);
  });
});
