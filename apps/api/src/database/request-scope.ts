import { AsyncLocalStorage } from 'async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthUser } from '../auth/auth.types';

// The municipalities the current request may see, as PostgreSQL's row-level security reads them
// (`bu.municipalities`, see the ApiRoleRowSecurity migration): one code, or '*' for a national user.
// Outside a request ('' : a public endpoint, start-up) the scoped tables show no rows.

const storage = new AsyncLocalStorage<string>();

/** The scope of a user: its municipality, or every municipality for a national one. */
export function scopeOf(user: Pick<AuthUser, 'municipality'>): string {
  return user.municipality === null ? '*' : String(user.municipality);
}

/** The scope of the code running now ('' outside any). */
export function currentScope(): string {
  return storage.getStore() ?? '';
}

/** Runs `fn` (and everything it starts) in a scope. */
export function runInScope<T>(scope: string, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Runs the handler (with its pipes) in the authenticated user's scope. An interceptor, not the
 * guard: what a guard enters does not reach the handler, which Nest calls from its own context.
 */
@Injectable()
export class RequestScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const user: AuthUser | undefined = context.switchToHttp().getRequest()?.user;
    if (!user) return next.handle();
    return new Observable((subscriber) => runInScope(scopeOf(user), () => next.handle().subscribe(subscriber)));
  }
}
