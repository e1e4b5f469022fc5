import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthService } from '../auth/auth.service';
import { fake, user, type Fake } from '../testing/fake';
import type { StoredUser, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const stored = (overrides: Partial<StoredUser> = {}): StoredUser => ({
  municipality: 101,
  role: 'chef',
  teams: [],
  authSource: 'local',
  disabled: false,
  ...overrides,
});

describe(UsersService.name, () => {
  let sut: UsersService;
  let repository: Fake<UsersRepository>;
  let forget: ReturnType<typeof vi.fn>;
  const admin = user({ username: 'admin101', role: 'admin' });
  const national = user({ username: 'root', role: 'admin', municipality: null });
  const newUser = { username: 'bo', password: 'a-long-password', role: 'chef' as const };

  beforeEach(() => {
    repository = fake<UsersRepository>();
    forget = vi.fn();
    sut = new UsersService(repository as never, { users: { forget } } as unknown as AuthService);
  });

  describe('create', () => {
    it("creates a user in the administrator's municipality and forgets its cached state", async () => {
      repository.find.mockResolvedValue(undefined);
      repository.save.mockResolvedValue(true);
      await expect(sut.create(admin, newUser)).resolves.toEqual({ username: 'bo' });
      // Only as a new user: the write itself refuses a name made meanwhile.
      expect(repository.save).toHaveBeenCalledWith({ ...newUser, municipality: 101, teams: [], temporary: true }, 'new');
      expect(forget).toHaveBeenCalledWith('bo');
    });

    it('answers 409 when the name was taken between the check and the write (a first single sign-on login)', async () => {
      repository.find.mockResolvedValue(undefined);
      repository.save.mockResolvedValue(false);
      await expect(sut.create(admin, newUser)).rejects.toThrow(new ConflictException('Brugernavnet bo er optaget'));
      expect(repository.update).not.toHaveBeenCalled();
      expect(forget).not.toHaveBeenCalled();
    });

    it('stores the e-mail given with a new user, and refuses a bad one before the user is made', async () => {
      repository.find.mockResolvedValue(undefined);
      repository.save.mockResolvedValue(true);
      await sut.create(admin, { ...newUser, email: ' bo@kommune.dk ' });
      expect(repository.update).toHaveBeenCalledWith('bo', { email: 'bo@kommune.dk' });
      repository.save.mockClear();
      await expect(sut.create(admin, { ...newUser, email: 'bo' })).rejects.toThrow(new BadRequestException('Ugyldig e-mailadresse: bo'));
      expect(repository.save).not.toHaveBeenCalled();
    });

    it('refuses a user the rules refuse, with their Danish reason', async () => {
      await expect(sut.create(admin, { ...newUser, password: 'short' })).rejects.toThrow(
        new BadRequestException('Adgangskoden skal være mindst 10 tegn.'),
      );
    });

    it("refuses another municipality's user to a municipality's administrator", async () => {
      await expect(sut.create(admin, { ...newUser, municipality: 147 })).rejects.toBeInstanceOf(ForbiddenException);
    });

    it("answers 409 for a name taken in another municipality, so the name's owner stays hidden", async () => {
      repository.find.mockResolvedValue(stored({ municipality: 147 }));
      await expect(sut.create(admin, newUser)).rejects.toBeInstanceOf(ConflictException);
      expect(repository.save).not.toHaveBeenCalled();
    });

    it("never creates over an existing user of the own municipality (a single sign-on user's password would be the administrator's)", async () => {
      repository.find.mockResolvedValue(stored({ municipality: 101, authSource: 'oidc' }));
      await expect(sut.create(admin, newUser)).rejects.toBeInstanceOf(ConflictException);
      expect(repository.save).not.toHaveBeenCalled();
    });
  });

  describe('remove', () => {
    it('refuses to delete oneself', async () => {
      await expect(sut.remove(admin, 'admin101')).rejects.toBeInstanceOf(BadRequestException);
    });

    it("answers 404 for another municipality's user; a national administrator may delete it", async () => {
      repository.find.mockResolvedValue(stored({ municipality: 147 }));
      await expect(sut.remove(admin, 'eva')).rejects.toBeInstanceOf(NotFoundException);
      await sut.remove(national, 'eva');
      expect(repository.delete).toHaveBeenCalledWith('eva');
    });
  });

  describe('update', () => {
    it("changes role and teams of the municipality's user and forgets its cached state", async () => {
      repository.find.mockResolvedValue(stored());
      await expect(sut.update(admin, 'bo', { role: 'teamleder', teams: [' Team Syd ', 'Team Syd'] })).resolves.toEqual({
        username: 'bo',
        disabled: false,
      });
      expect(repository.update).toHaveBeenCalledWith('bo', { role: 'teamleder', teams: ['Team Syd'] });
      expect(forget).toHaveBeenCalledWith('bo');
    });

    it('refuses a team leader without teams, with the Danish rule', async () => {
      repository.find.mockResolvedValue(stored({ role: 'teamleder', teams: ['Team Syd'] }));
      await expect(sut.update(admin, 'bo', { teams: [] })).rejects.toThrow(
        new BadRequestException('En teamleder skal have mindst ét team.'),
      );
      expect(repository.update).not.toHaveBeenCalled();
    });

    it('moves a user to another municipality only for a product administrator', async () => {
      repository.find.mockResolvedValue(stored());
      await expect(sut.update(admin, 'bo', { municipality: 147 })).rejects.toBeInstanceOf(ForbiddenException);
      await sut.update(national, 'bo', { municipality: 147 });
      expect(repository.update).toHaveBeenCalledWith('bo', { municipality: 147 });
    });

    it("answers 404 for another municipality's user", async () => {
      repository.find.mockResolvedValue(stored({ municipality: 147 }));
      await expect(sut.update(admin, 'eva', { email: 'eva@x.dk' })).rejects.toBeInstanceOf(NotFoundException);
    });

    it('refuses role and teams for a single sign-on user, but lets the e-mail and disabled change', async () => {
      repository.find.mockResolvedValue(stored({ authSource: 'oidc' }));
      await expect(sut.update(admin, 'bo', { role: 'admin' })).rejects.toThrow(/gruppetilknytningen/);
      await sut.update(admin, 'bo', { email: ' bo@kommune.dk ', disabled: true });
      expect(repository.update).toHaveBeenCalledWith('bo', { email: 'bo@kommune.dk', disabled: true });
    });

    it('refuses a bad e-mail, and clears an empty one', async () => {
      repository.find.mockResolvedValue(stored());
      await expect(sut.update(admin, 'bo', { email: 'ikke en adresse' })).rejects.toThrow(
        new BadRequestException('Ugyldig e-mailadresse: ikke en adresse'),
      );
      await sut.update(admin, 'bo', { email: '' });
      expect(repository.update).toHaveBeenCalledWith('bo', { email: null });
    });

    it('never changes its own role', async () => {
      repository.find.mockResolvedValue(stored({ role: 'admin' }));
      await expect(sut.update(admin, 'admin101', { role: 'chef' })).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('resetPassword', () => {
    it('generates a password of 16 characters, stores it and forgets the cached state', async () => {
      repository.find.mockResolvedValue(stored());
      repository.setPassword.mockResolvedValue(true);
      const reset = await sut.resetPassword(admin, 'bo');
      expect(reset.password).toMatch(/^[a-zA-Z2-9]{16}$/);
      expect(repository.setPassword).toHaveBeenCalledWith('bo', reset.password, true);
      expect(forget).toHaveBeenCalledWith('bo');
    });

    it('refuses a single sign-on user, oneself and another municipality', async () => {
      repository.find.mockResolvedValue(stored({ authSource: 'saml' }));
      await expect(sut.resetPassword(admin, 'bo')).rejects.toThrow(/single sign-on/);
      await expect(sut.resetPassword(admin, 'admin101')).rejects.toBeInstanceOf(BadRequestException);
      repository.find.mockResolvedValue(stored({ municipality: 147 }));
      await expect(sut.resetPassword(admin, 'eva')).rejects.toBeInstanceOf(NotFoundException);
      expect(repository.setPassword).not.toHaveBeenCalled();
    });
  });

  describe('disabling', () => {
    it('never disables oneself', async () => {
      repository.find.mockResolvedValue(stored({ role: 'admin' }));
      await expect(sut.update(admin, 'admin101', { disabled: true })).rejects.toThrow(
        new BadRequestException('Du kan ikke spærre dig selv'),
      );
      expect(repository.update).not.toHaveBeenCalled();
    });
  });
});
