import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthService } from '../auth/auth.service';
import { fake, user, type Fake } from '../testing/fake';
import type { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

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
      repository.municipalityOf.mockResolvedValue(undefined);
      await expect(sut.create(admin, newUser)).resolves.toEqual({ username: 'bo' });
      expect(repository.save).toHaveBeenCalledWith({ ...newUser, municipality: 101, teams: [] });
      expect(forget).toHaveBeenCalledWith('bo');
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
      repository.municipalityOf.mockResolvedValue({ municipality: 147 });
      await expect(sut.create(admin, newUser)).rejects.toBeInstanceOf(ConflictException);
      expect(repository.save).not.toHaveBeenCalled();
    });
  });

  describe('remove', () => {
    it('refuses to delete oneself', async () => {
      await expect(sut.remove(admin, 'admin101')).rejects.toBeInstanceOf(BadRequestException);
    });

    it("answers 404 for another municipality's user; a national administrator may delete it", async () => {
      repository.municipalityOf.mockResolvedValue({ municipality: 147 });
      await expect(sut.remove(admin, 'eva')).rejects.toBeInstanceOf(NotFoundException);
      await sut.remove(national, 'eva');
      expect(repository.delete).toHaveBeenCalledWith('eva');
    });
  });

  describe('setDisabled', () => {
    it('never disables oneself', async () => {
      await expect(sut.setDisabled(admin, 'admin101', true)).rejects.toThrow(new BadRequestException('Du kan ikke spærre dig selv'));
    });
  });
});
