import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@bu/domain';
import { setLogUser } from '@bu/logger';
import { AuthService } from './auth.service';
import { PASSWORD_CHANGE_KEY, PUBLIC_KEY, ROLES_KEY, SESSION } from './roles.decorator';

const PASSWORD_CHANGE_FIRST = 'Din adgangskode er givet af en administrator. Vælg din egen adgangskode, før du fortsætter.';

/** Global guard: every endpoint needs a token unless @Public(); @Roles() narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new UnauthorizedException('Log ind for at se data');
    const { user, renewed, session } = await this.auth.verify(header.slice(7));
    request.user = user;
    request[SESSION] = session;
    // From here on, the request's log lines name the user and the municipality.
    setLogUser(user);
    // The dashboard stores the renewed token: a session in use outlives the idle timeout.
    if (renewed) context.switchToHttp().getResponse().setHeader('X-Renewed-Token', renewed);
    if (user.passwordChange && !this.reflector.getAllAndOverride<boolean>(PASSWORD_CHANGE_KEY, targets))
      throw new ForbiddenException({ statusCode: 403, message: PASSWORD_CHANGE_FIRST, passwordChange: true });
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.user.role)) throw new ForbiddenException('Din rolle giver ikke adgang hertil');
    return true;
  }
}
