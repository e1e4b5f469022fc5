import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import type { Response } from 'express';
import type { AuthProviders, LoginResponse } from '@bu/contracts';
import { logger } from '@bu/logger';
import { mayHoldCpr } from '@bu/domain';
import { toLoginResponse } from '../auth/auth.controller';
import { AuthService } from '../auth/auth.service';
import { runInScope } from '../database/request-scope';
import { grantOf, isKombitPrivilege } from './group-mapping';
import { SsoRepository, type SsoUserValues } from './sso.repository';
import type { ExternalIdentity, SignInRefusal, SignInResult, SsoProvider } from './sso.types';

type Provider = AuthProviders['providers'][number];

/** How long the browser has to hand the ticket back: it does so at once, from the redirect. */
const TICKET_SECONDS = 60;

/** An SSO user's name: what the provider sends (often an e-mail address), trimmed. */
const USERNAME = /^[\p{L}\p{N}._@+-]{2,128}$/u;

const REFUSALS: Record<SignInRefusal, { title: string; text: string }> = {
  no_group: {
    title: 'Du har ikke adgang til Børneblik endnu',
    text:
      'Du er logget ind hos din organisation, men du er ikke med i en gruppe, som giver adgang til Børneblik. ' +
      'Bed din kommunes Børneblik-administrator om adgang: oplys dit brugernavn og hvilken rolle du skal have ' +
      '(udvalg, chef, teamleder eller administrator). Der er ikke oprettet en bruger til dig.',
  },
  several_municipalities: {
    title: 'Dine grupper giver adgang i flere kommuner',
    text:
      'Du er med i grupper, som giver adgang til Børneblik i mere end én kommune, og en bruger hører til én kommune. ' +
      'Bed din Børneblik-administrator om at rette gruppernes opsætning.',
  },
  disabled: {
    title: 'Din bruger er spærret',
    text: 'Din bruger i Børneblik er spærret. Kontakt din kommunes Børneblik-administrator.',
  },
  bad_username: {
    title: 'Dit brugernavn kan ikke bruges',
    text:
      'Din organisation sender et brugernavn, som Børneblik ikke kan bruge (2-128 bogstaver, tal og . _ @ + -, og intet, der ligner et CPR-nummer). ' +
      'Bed din Børneblik-administrator om at få rettet, hvilket navn organisationens log ind sender.',
  },
  username_taken: {
    title: 'Brugernavnet findes allerede',
    text:
      'Der findes allerede en bruger i Børneblik med dit brugernavn, som ikke er knyttet til din organisations konto. ' +
      'Bed din Børneblik-administrator om at slette eller omdøbe den lokale bruger.',
  },
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest('hex');
const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The cookie that ties a ticket to the browser its login ended in; sent only to the exchange. */
export const BINDING_COOKIE = 'bu_sso_binding';
const BINDING_PATH = '/api/v1/auth/sso';

/**
 * The groups the mappings are looked up by: the provider's own groups, except any of a KOMBIT
 * privilege's form, and the privileges of a signed KOMBIT privilege list. Otherwise another
 * provider (a municipality's own Entra ID or AD FS beside KOMBIT) could send a group named like
 * another municipality's privilege and be let in there.
 */
export function groupsOf(identity: ExternalIdentity): string[] {
  const own = identity.groups.filter((g) => !isKombitPrivilege(g));
  if (own.length < identity.groups.length)
    logger().warn(
      { provider: identity.provider, ignored: identity.groups.length - own.length },
      'single sign-on: groups in the form of a KOMBIT privilege outside a privilege list were ignored',
    );
  return [...own, ...(identity.privileges ?? [])];
}

/**
 * The end of every single sign-on login, whatever the protocol: the verified identity becomes a
 * user through the administrator's group mapping (made or updated at each login, so a group change
 * takes effect at the next one), then a one-time ticket the web app exchanges for the same session
 * a password login gives. The ticket travels in the address's fragment, which no server or log sees.
 */
@Injectable()
export class SsoService {
  private readonly providers = new Map<SsoProvider, Provider>();

  constructor(
    @Inject(SsoRepository) private readonly repository: SsoRepository,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  /** A protocol that is configured shows its button on the login page. */
  registerProvider(provider: Provider): void {
    this.providers.set(provider.id, provider);
  }

  listProviders(): AuthProviders {
    return { providers: [...this.providers.values()] };
  }

  hasProvider(): boolean {
    return this.providers.size > 0;
  }

  /**
   * Makes or updates the user from the identity's groups; the national scope, as no user is known
   * yet. One transaction that holds the mappings it read (FOR SHARE): a mapping corrected while it
   * runs either waits for it and then ends the session it wrote, or is read as corrected.
   */
  async signIn(identity: ExternalIdentity): Promise<SignInResult> {
    const { result, changed } = await runInScope('*', () =>
      this.repository.transaction((repository) => this.signInWith(repository, identity)),
    );
    // After the commit: forgotten before it, a request meanwhile could cache the row as it was.
    for (const username of changed) this.auth.users.forget(username);
    return result;
  }

  /** signIn's work inside its transaction; `changed`: the names whose cached state is out of date. */
  private async signInWith(repository: SsoRepository, identity: ExternalIdentity): Promise<{ result: SignInResult; changed: string[] }> {
    const username = identity.username.trim();
    const existing = await repository.userByExternalId(identity.externalId);
    const grant = grantOf(await repository.mappedGroups(groupsOf(identity)));
    if (typeof grant === 'string') {
      if (existing) await repository.endSessions(existing.id);
      return { result: { ok: false, refusal: grant }, changed: existing ? [existing.username] : [] };
    }
    const refused = async (refusal: SignInRefusal) => {
      if (existing) await repository.grantNotConfirmed(existing.id);
      return { result: { ok: false as const, refusal }, changed: [] };
    };
    if (existing?.disabled) return refused('disabled');
    // The name goes into the audit log, kept for years: never one that may be a CPR number.
    if (!USERNAME.test(username) || mayHoldCpr(username)) return refused('bad_username');
    const values: SsoUserValues = {
      username,
      externalId: identity.externalId,
      authSource: identity.provider,
      email: identity.email && /^[^@\s]+@[^@\s]+$/.test(identity.email) ? identity.email : null,
      ...grant,
    };
    const holder = await repository.userByName(username);
    if (holder && holder.id !== existing?.id) return refused('username_taken');
    // The row and token version written: the ticket's session is made for these only, so a mapping
    // corrected, or the name given to another row, before the ticket is redeemed refuses it.
    const written = existing ? await repository.updateUser(existing.id, values) : await repository.insertUser(values);
    if (!written) return refused('username_taken');
    return {
      result: { ok: true, username, id: written.id, tokenVersion: written.tokenVersion },
      changed: existing && existing.username !== username ? [username, existing.username] : [username],
    };
  }

  /** Answers the provider's callback: to the web app with a ticket, or the Danish page of the refusal. */
  async finish(res: Response, identity: ExternalIdentity): Promise<void> {
    const result = await this.signIn(identity);
    if (!result.ok) {
      logger().info({ provider: identity.provider, refusal: result.refusal }, 'single sign-on refused');
      const { title, text } = REFUSALS[result.refusal];
      this.page(res, 403, title, text);
      return;
    }
    const ticket = randomBytes(32).toString('base64url');
    // The ticket works only with this cookie, so a ticket sent to someone else (a link that would log
    // the victim's browser in as the sender: login CSRF) is refused.
    const binding = randomBytes(32).toString('base64url');
    await runInScope('*', () =>
      this.repository.saveTicket(hashTicket(ticket), hashTicket(binding), result.username, result, TICKET_SECONDS),
    );
    res.cookie(BINDING_COOKIE, binding, {
      httpOnly: true,
      sameSite: 'lax',
      secure: res.req?.secure ?? false,
      path: BINDING_PATH,
      maxAge: TICKET_SECONDS * 1000,
    });
    logger().info({ provider: identity.provider, user: result.username }, 'single sign-on');
    res.redirect(302, `/#/sso?ticket=${ticket}`);
  }

  /** A protocol failure (wrong state, a replayed or expired answer, a bad signature): the Danish page. */
  fail(res: Response, message: string, status = 400): void {
    this.page(res, status, 'Log ind mislykkedes', message);
  }

  /**
   * The session for a ticket, exactly as a password login gives it; a ticket works once, within a
   * minute, and only while the user is as its sign-in wrote it (same row, same token version).
   */
  async exchange(ticket: string, binding: string | undefined): Promise<LoginResponse | undefined> {
    const found = await runInScope('*', () => this.repository.takeTicket(hashTicket(ticket)));
    if (!found || binding === undefined || !safeEqual(hashTicket(binding), found.bindingHash)) return undefined;
    if (!found.user) return undefined;
    try {
      return toLoginResponse(await this.auth.session(found.username, found.user));
    } catch (error) {
      if (!(error instanceof UnauthorizedException)) throw error;
      // A mapping changed, the user was disabled or the name moved to another row since the sign-in: log in again.
      logger().info({ user: found.username }, 'single sign-on ticket refused: the user changed after the sign-in');
      return undefined;
    }
  }

  private page(res: Response, status: number, title: string, text: string): void {
    res
      .status(status)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        `<!doctype html><html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
          `<title>${escapeHtml(title)} – Børneblik</title></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` +
          `<p><a href="/">Til log ind-siden</a></p></main></body></html>`,
      );
  }
}
