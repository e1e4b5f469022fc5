import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import { AppUserEntity } from '@bu/db';
import { isRole } from '@bu/domain';
import type { AuthUser } from './auth.types';
import { LoginThrottle } from './login-throttle';

const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);

/**
 * Local users with bcrypt-hashed passwords and short-lived signed tokens. Single sign-on
 * (OIDC: Entra ID, AD FS) plugs in here by issuing the same AuthUser; controllers only see AuthUser.
 */
@Injectable()
export class AuthService {
  private readonly throttle = new LoginThrottle();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(JwtService) private readonly jwt: JwtService,
  ) {}

  async login(username: string, password: string, address: string): Promise<{ token: string; user: AuthUser }> {
    const key = `${String(username).toLowerCase()}|${address}`;
    this.throttle.check(key);
    const row = await this.db.getRepository(AppUserEntity).findOne({ where: { username: String(username) } });
    // An unknown user costs the same time as a wrong password, so usernames cannot be probed.
    const valid = await bcrypt.compare(String(password), row?.passwordHash ?? DUMMY_HASH);
    if (!row || !valid || !isRole(row.role)) {
      this.throttle.fail(key);
      throw new UnauthorizedException('Forkert brugernavn eller adgangskode');
    }
    this.throttle.succeed(key);
    const user: AuthUser = { username: row.username, role: row.role, municipality: row.municipalityCode, teams: row.teams };
    return { token: await this.jwt.signAsync({ sub: user.username, role: user.role, mun: user.municipality, teams: user.teams }), user };
  }

  async verify(token: string): Promise<AuthUser> {
    try {
      const claims = await this.jwt.verifyAsync(token);
      return { username: claims.sub, role: claims.role, municipality: claims.mun ?? null, teams: claims.teams ?? [] };
    } catch {
      throw new UnauthorizedException('Log ind igen');
    }
  }
}

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 10);
}
