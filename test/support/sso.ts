import { createHash, randomBytes } from 'crypto';
import type { Pool } from 'pg';
import type { Response } from 'express';
import request from 'supertest';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
type App = Parameters<typeof request>[0];

/** An OpenID Connect user as the provider names them: the username is also the e-mail address. */
export const oidcPerson = (username: string, groups: string[]): ExternalIdentity => ({
  provider: 'oidc',
  externalId: `https://idp.example|${username}`,
  username,
  email: username,
  groups,
});

/** What a browser keeps of a sign-on callback's redirect: the ticket in the address, and the binding cookie. */
export interface TicketHandover {
  ticket: string;
  /** `bu_sso_binding=…`, for a Cookie header. */
  cookie: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The ticket and binding cookie of a callback's 302 (OIDC callback, SAML ACS, SsoService.finish). */
export function handoverOf(res: { headers: Record<string, unknown> }): TicketHandover {
  const location = String(res.headers.location);
  const ticket = decodeURIComponent(location.split('ticket=')[1] ?? '');
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const cookie = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('bu_sso_binding=')) ?? '';
  return { ticket, cookie };
}

/** The exchange as the web app makes it, from the browser the login ended in. */
export function exchange(server: App, handover: TicketHandover) {
  return request(server).post('/api/v1/auth/sso/exchange').set('Cookie', handover.cookie).send({ ticket: handover.ticket });
}

/** A ticket for the user as SsoService makes one, written straight into the database. */
export async function insertTicket(pool: Pool, username: string): Promise<TicketHandover> {
  const ticket = randomBytes(32).toString('base64url');
  const binding = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO sso_ticket (ticket_hash, binding_hash, username, expires_at) VALUES ($1, $2, $3, now() + interval '1 minute')`,
    [sha256(ticket), sha256(binding), username],
  );
  return { ticket, cookie: `bu_sso_binding=${binding}` };
}

/** The parts of an express response SsoService.finish uses, recorded. */
export function recordingResponse() {
  const out: { status?: number; location?: string; body?: string; headers: Record<string, string>; cookies: string[] } = {
    headers: {},
    cookies: [],
  };
  const res = {
    req: { secure: false },
    cookie(name: string, value: string) {
      out.cookies.push(`${name}=${value}`);
      return res;
    },
    redirect(status: number, location: string) {
      out.status = status;
      out.location = location;
    },
    status(code: number) {
      out.status = code;
      return res;
    },
    type() {
      return res;
    },
    setHeader(name: string, value: string) {
      out.headers[name] = value;
      return res;
    },
    send(body: string) {
      out.body = body;
      return res;
    },
  };
  return { res: res as unknown as Response, out };
}
