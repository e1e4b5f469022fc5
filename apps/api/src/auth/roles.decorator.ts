import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@bu/domain';
import type { SessionClaims } from './auth.service';
import type { AuthUser } from './auth.types';

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Who may call the endpoint: the reviewer sees it on the method. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** No token needed (login, health, the dashboard's static files). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const PASSWORD_CHANGE_KEY = 'duringPasswordChange';

/**
 * Open to a user whose password an administrator gave and who has not yet chosen their own
 * (ADR 0117): who am I, choose a password, log out. Every other endpoint answers such a user 403.
 */
export const DuringPasswordChange = () => SetMetadata(PASSWORD_CHANGE_KEY, true);

/** The request's key for how and when the caller's session was made (SessionClaims), set by the guard. */
export const SESSION = 'authSession';

/** How and when the caller's session was made (the token's `auth` and `amr`). */
export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SessionClaims => ctx.switchToHttp().getRequest()[SESSION],
);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
