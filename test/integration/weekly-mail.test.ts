import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { reportQueue, WEEKLY_MAIL_JOB, type ReportQueue } from '@bu/jobs';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
import { startReportWorker, type RunningReportWorker } from '../../apps/worker/src/reports/worker';
import { WEEKLY_LISTS, weeklyListTitle } from '../../apps/worker/src/reports/weekly-mail';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { oidcPerson, recordingResponse } from '../support/sso';

// The weekly e-mail end to end: queued on the reports queue, run by the reports worker, sent
// through a real SMTP server. Team leaders and chiefs with an e-mail get the counts of their work
// lists (a team leader's for their own teams), equal to the lengths of the lists the API gives
// them, with a link to the view and nothing that names a case or a child; whoever turned it off,
// or has another role, no e-mail or a disabled account, gets none. Nor does anyone who could not log
// in with the role the e-mail is for (a security review's findings, 7 December 2026): a single sign-on
// user whose sign-in was refused or whose municipality's group mappings changed since their last
// login, a password user of a municipality that turned password login off, or one still on a
// password an administrator gave.

const D = '2024-04-30';

describe('the weekly e-mail to team leaders and chiefs', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let smtp: TestSmtp;
  let worker: RunningReportWorker;
  let queue: ReportQueue;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });
  /** The job's result once the worker has run it. */
  const finished = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const job = await queue.queue.getJob(id);
      if (job?.finishedOn) return job.returnvalue;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${id} did not finish`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    await addUser(db.pool, { username: 'teamleder-syd', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['Team Syd'] });
    await addUser(db.pool, { username: 'teamleder-fra', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['Team Nord'] });
    await addUser(db.pool, { username: 'chef-uden-mail', password: PASSWORD, role: 'chef', municipality: 461 });
    await addUser(db.pool, { username: 'chef-stoppet', password: PASSWORD, role: 'chef', municipality: 461 });
    // Made by an administrator, who gave the password; the chief has not chosen their own yet (ADR 0117).
    await addUser(db.pool, { username: 'chef-ny', password: PASSWORD, role: 'chef', municipality: 461, temporary: true });
    for (const user of ['udvalg', 'chef', 'teamleder', 'teamleder-syd', 'teamleder-fra', 'chef-stoppet', 'chef-ny', 'chef-kbh', 'admin'])
      await db.pool.query(`UPDATE app_user SET email = $2 WHERE username = $1`, [user, `${user}@kommune.test`]);
    await db.pool.query(`UPDATE app_user SET disabled = true WHERE username = 'chef-stoppet'`);
    // Single sign-on chiefs: one who logged in two days ago, one five weeks and more ago (who may have
    // left: the organisation does not tell Børneblik).
    await db.pool.query(
      `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id, email, last_login_at)
       VALUES ('sso-chef-aktiv', 'chef', 461, 'oidc', 'idp|aktiv', 'sso-chef-aktiv@kommune.test', now() - interval '2 days'),
              ('sso-chef-gaaet', 'chef', 461, 'oidc', 'idp|gaaet', 'sso-chef-gaaet@kommune.test', now() - interval '36 days')`,
    );
    smtp = await startTestSmtp();
    app = await startTestApi(db);
    for (const user of ['chef', 'teamleder', 'teamleder-syd', 'teamleder-fra', 'udvalg', 'admin']) tokens[user] = await tokenFor(app, user);
    worker = startReportWorker(
      { databaseUrl: db.url, dbConnectTimeoutMs: 5000, shutdownGraceMs: 10_000 } as Parameters<typeof startReportWorker>[0],
      {
        mail: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'boerneblik@odense.test' },
        publicUrl: 'https://boerneblik.odense.test',
      },
    );
    queue = reportQueue({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await app?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('lets each user turn it off for themself, and refuses bad input in Danish', async () => {
    expect((await http().get('/api/v1/me/preferences').set(as('teamleder-fra')).expect(200)).body).toEqual({
      weeklyMail: true,
      email: 'teamleder-fra@kommune.test',
      weeklyMailForRole: true,
      password: true,
    });
    expect(
      (await http().put('/api/v1/me/preferences').set(as('teamleder-fra')).send({ weeklyMail: false }).expect(200)).body.weeklyMail,
    ).toBe(false);
    expect((await http().get('/api/v1/me/preferences').set(as('teamleder-fra')).expect(200)).body.weeklyMail).toBe(false);
    // Only the caller's own row changed.
    expect((await db.pool.query(`SELECT username FROM app_user WHERE NOT weekly_mail`)).rows).toEqual([{ username: 'teamleder-fra' }]);
    expect((await http().get('/api/v1/me/preferences').set(as('udvalg')).expect(200)).body.weeklyMailForRole).toBe(false);
    expect((await http().put('/api/v1/me/preferences').set(as('chef')).send({ weeklyMail: 'ja' }).expect(400)).body.message).toBe(
      'weeklyMail skal være true eller false',
    );
    await http().get('/api/v1/me/preferences').expect(401);
  });

  it('sends each team leader and chief the counts of their work lists, as the API gives them, and nothing that names a case', async () => {
    const job = await queue.enqueue(WEEKLY_MAIL_JOB, {});
    // teamleder, teamleder-syd, chef, sso-chef-aktiv: not udvalg or admin (role), chef-uden-mail (no
    // e-mail), teamleder-fra (turned off), chef-stoppet (disabled), chef-ny (the administrator's
    // password), chef-kbh (Copenhagen has no data), sso-chef-gaaet (no login for five weeks).
    expect(await finished(job.id!)).toEqual({ sent: 4, failed: 0, skipped: 1, alreadySent: 0 });
    expect(smtp.mails.map((m) => m.to.join()).sort()).toEqual([
      'chef@kommune.test',
      'sso-chef-aktiv@kommune.test',
      'teamleder-syd@kommune.test',
      'teamleder@kommune.test',
    ]);

    for (const user of ['teamleder', 'teamleder-syd', 'chef']) {
      const mail = smtp.mails.find((m) => m.to[0] === `${user}@kommune.test`)!;
      expect(mail.subject).toBe('Ugens arbejdslister i Børneblik – Odense Kommune');
      expect(mail.text).toContain('opgjort pr. 30.04.2024');
      expect(mail.text).toContain('https://boerneblik.odense.test/#/teamleder');
      expect(mail.text).toContain('Mine indstillinger');
      const api = (
        await http()
          .get(`/api/v1/kpis?ids=${WEEKLY_LISTS.join(',')}`)
          .set(as(user))
          .expect(200)
      ).body;
      expect(api.asOf).toBe(D);
      for (const id of WEEKLY_LISTS) {
        const list = api.kpis[id] as { count: number; rows: Record<string, unknown>[] };
        expect(mail.text, `${user}: ${id}`).toContain(`- ${weeklyListTitle(id)}: ${list.count}\n`);
        // No case number, notification id, caseworker or CPR number of the list's rows.
        for (const row of list.rows)
          for (const value of Object.values(row))
            if (typeof value === 'string' && value.length >= 2 && !/^\d{4}-\d{2}-\d{2}/.test(value))
              expect(mail.raw, `${user}: ${id} ${value}`).not.toMatch(new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
      }
      expect(mail.raw).not.toMatch(/\b\d{6}-?\d{4}\b/);
    }
    // The team scope: the two team leaders' counts are their own teams' (the fixture's cases to hand
    // over, C5 and C6, are Team Nord's).
    const count = (user: string, id: string) =>
      Number(new RegExp(`- ${weeklyListTitle(id)}: (\\d+)`).exec(smtp.mails.find((m) => m.to[0] === `${user}@kommune.test`)!.text)![1]);
    expect(count('teamleder', 'caseload.unassigned')).toBe(2);
    expect(count('teamleder-syd', 'caseload.unassigned')).toBe(0);
  });

  it("sends nobody the same week's e-mail twice when the job runs again (a retry after a crash)", async () => {
    const before = smtp.mails.length;
    const again = await queue.enqueue(WEEKLY_MAIL_JOB, {});
    expect(await finished(again.id!)).toEqual({ sent: 0, failed: 0, skipped: 1, alreadySent: 4 });
    expect(smtp.mails.length).toBe(before);
  });

  describe('only while the user could log in with the role it is for', () => {
    const person = oidcPerson;
    /** The provider's callback as the API answers it: 302 to the web app, or 403 and the refusal's page. */
    const signIn = async (identity: ExternalIdentity) => {
      const { res, out } = recordingResponse();
      await app.get(SsoService).finish(res, identity);
      return out.status;
    };
    const mappings = () => http().post('/api/v1/sso/group-mappings').set(as('admin'));
    const stored = async (username: string) =>
      (await db.pool.query(`SELECT role, teams FROM app_user WHERE username = $1`, [username])).rows[0] as {
        role: string;
        teams: string[];
      };
    /** This week's e-mail sent anew (the notes of the runs before forgotten): who got it, and the text each got. */
    const monday = async () => {
      await db.pool.query(`DELETE FROM weekly_mail_sent`);
      const before = smtp.mails.length;
      const job = await queue.enqueue(WEEKLY_MAIL_JOB, {});
      expect((await finished(job.id!)).failed).toBe(0);
      return new Map(smtp.mails.slice(before).map((m) => [m.to[0].replace('@kommune.test', ''), m.text]));
    };
    const unassigned = (text: string | undefined) =>
      Number(new RegExp(`- ${weeklyListTitle('caseload.unassigned')}: (\\d+)`).exec(text!)![1]);
    let mistake: number;

    beforeAll(async () => {
      // Mapped before anyone signs in: a new mapping withdraws the municipality's SSO grants too.
      mistake = (await mappings().send({ group: 'BU-Alle', role: 'chef', municipality: 461 }).expect(201)).body.id;
      await mappings().send({ group: 'BU-Chefer', role: 'chef', municipality: 461 }).expect(201);
      // Copenhagen's (the product administrator's scope here is the municipalities with data): written directly.
      await db.pool.query(`INSERT INTO sso_group_mapping (municipality_code, group_id, role) VALUES (101, 'KBH-Alle', 'udvalg')`);
    });

    it('a mapping changed: no e-mail on the role of the old mapping until a login under the new one', async () => {
      expect(await signIn(person('anne@kommune.test', ['BU-Alle']))).toBe(302);
      let sent = await monday();
      expect([...sent.keys()].sort()).toEqual(['anne', 'chef', 'teamleder', 'teamleder-syd']);
      // sso-chef-aktiv's last login came before the mappings were made: their role is not known now.
      expect(unassigned(sent.get('anne'))).toBe(unassigned(sent.get('chef')));

      // The broad group was given chef by mistake; the administrator corrects it.
      await http()
        .put(`/api/v1/sso/group-mappings/${mistake}`)
        .set(as('admin'))
        .send({ group: 'BU-Alle', role: 'teamleder', teams: ['Team Syd'] })
        .expect(200);
      // The row still says chef (the sessions ended; the role is made again at the next login) ...
      expect(await stored('anne@kommune.test')).toEqual({ role: 'chef', teams: [] });
      // ... but no municipality-wide counts go out on it.
      sent = await monday();
      expect([...sent.keys()].sort()).toEqual(['chef', 'teamleder', 'teamleder-syd']);

      // The next login gives the corrected role: the e-mail again, with Team Syd's counts only.
      expect(await signIn(person('anne@kommune.test', ['BU-Alle']))).toBe(302);
      sent = await monday();
      expect([...sent.keys()].sort()).toEqual(['anne', 'chef', 'teamleder', 'teamleder-syd']);
      expect(unassigned(sent.get('anne'))).toBe(0);
    });

    it('a sign-in refused (no mapped group, or groups of two municipalities): none until a sign-in succeeds', async () => {
      expect(await signIn(person('bo@kommune.test', ['BU-Chefer']))).toBe(302);
      expect((await monday()).has('bo')).toBe(true);

      // Taken out of the chiefs' group at the organisation: refused, the row left as it was.
      expect(await signIn(person('bo@kommune.test', ['Ikke-mappet']))).toBe(403);
      expect((await stored('bo@kommune.test')).role).toBe('chef');
      expect((await monday()).has('bo')).toBe(false);

      expect(await signIn(person('bo@kommune.test', ['BU-Chefer']))).toBe(302);
      expect((await monday()).has('bo')).toBe(true);

      expect(await signIn(person('bo@kommune.test', ['BU-Chefer', 'KBH-Alle']))).toBe(403);
      expect((await monday()).has('bo')).toBe(false);

      expect(await signIn(person('bo@kommune.test', ['BU-Chefer']))).toBe(302);
      expect((await monday()).has('bo')).toBe(true);
    });

    it('password login turned off: none to the municipality’s password users; turned on again: theirs again', async () => {
      app.get(SsoService).registerProvider({ id: 'oidc', label: 'Log ind med Odense Kommunes konto', loginUrl: '/api/v1/auth/oidc/login' });
      const policy = (passwordLogin: boolean) =>
        http().put('/api/v1/sso/login-policy').set(as('admin')).send({ municipality: 461, passwordLogin }).expect(200);

      await policy(false);
      expect([...(await monday()).keys()].sort()).toEqual(['anne', 'bo']);

      await policy(true);
      expect([...(await monday()).keys()].sort()).toEqual(['anne', 'bo', 'chef', 'teamleder', 'teamleder-syd']);
    });

    it('a password an administrator gave: none until the user has chosen their own', async () => {
      expect((await monday()).has('chef-ny')).toBe(false);
      const token = await tokenFor(app, 'chef-ny');
      await http()
        .post('/api/v1/auth/password')
        .set('Authorization', `Bearer ${token}`)
        .send({ password: PASSWORD, newPassword: 'chefens-eget-kodeord' })
        .expect(200);
      expect((await monday()).has('chef-ny')).toBe(true);
    });
  });
});
