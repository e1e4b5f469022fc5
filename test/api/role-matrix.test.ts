import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { hashPassword } from '../../apps/api/src/auth/auth.service';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { testSamlSettings } from '../support/saml-idp';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D, dubuAs } from '../support/fixtures';

// Every endpoint called with every role's token (and none): who may call what is part of the contract.
// The four roles are users of municipality 461 (Team Syd), the administrator a national one. The
// scoped users (issue 12): 461's own administrator, a team leader of another team (Team Nord), a
// team leader without teams (an old user; the API no longer creates one) and Copenhagen's (101)
// chief; their expected status is in `scoped`, else the same as their role's.
type Role = 'udvalg' | 'chef' | 'teamleder' | 'admin';
type Scoped = 'admin-461' | 'teamleder-nord' | 'leder-uden-team' | 'chef-kbh';
const SCOPED_ROLE: Record<Scoped, Role> = {
  'admin-461': 'admin',
  'teamleder-nord': 'teamleder',
  'leder-uden-team': 'teamleder',
  'chef-kbh': 'chef',
};
// The national administrator last: a DELETE it may do runs after everyone who must not.
const USERS: (Role | Scoped)[] = ['udvalg', 'chef', 'teamleder', 'admin-461', 'teamleder-nord', 'leder-uden-team', 'chef-kbh', 'admin'];
/** In the order of `scoped` below. */
const s = (admin461: number, nord: number, udenTeam: number, chefKbh: number): Record<Scoped, number> => ({
  'admin-461': admin461,
  'teamleder-nord': nord,
  'leder-uden-team': udenTeam,
  'chef-kbh': chefKbh,
});

const MATRIX: {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  body?: object;
  expect: Record<Role, number>;
  scoped?: Record<Scoped, number>;
  anonymous?: number;
}[] = [
  {
    method: 'get',
    path: '/api/health',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 200),
    anonymous: 200,
  },
  { method: 'get', path: '/api/v1/me', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 }, scoped: s(200, 200, 200, 200) },
  {
    method: 'get',
    path: '/api/v1/municipalities',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=caseload.open_cases',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=deadline.followup_overdue',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=budget.function',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=activity.summary',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  // The second edition's figures (KPIS.md), one row per set of roles.
  {
    method: 'get',
    path: '/api/v1/kpis?ids=cost.preventive_share,activity.children_with_open_case_per_1000,activity.children_with_open_case',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=flow.cases_opened,flow.cases_closed,decision.days_to_start,complaints.handling_days,placement.replacement_12m,early.age_at_investigation_start',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=continuity.caseworker_changes',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=cost.top_cases',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=benchmark.activity.notifications_per_1000',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=dq.rejected_rows',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/kpis/activity.notifications/series',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/etl/rules',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 200),
  },
  { method: 'get', path: '/api/v1/imports', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 }, scoped: s(200, 403, 403, 200) },
  {
    method: 'get',
    path: '/api/v1/imports/1/issues',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 404),
  },
  {
    method: 'get',
    path: '/api/v1/imports/jobs?state=failed',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'post',
    path: '/api/v1/imports',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  { method: 'get', path: '/api/v1/goals', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 }, scoped: s(200, 403, 403, 200) },
  {
    method: 'post',
    path: '/api/v1/goals',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/comparison-groups',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/comparison-groups/suggested',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'post',
    path: '/api/v1/comparison-groups',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 400),
  },
  {
    method: 'get',
    path: '/api/v1/comments',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 200),
  },
  {
    method: 'put',
    path: '/api/v1/comments',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 400),
  },
  {
    method: 'delete',
    path: '/api/v1/comments',
    expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 400),
  },
  {
    method: 'get',
    path: '/api/v1/settings',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'put',
    path: '/api/v1/settings/caseload.norms',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  {
    method: 'delete',
    path: '/api/v1/settings/caseload.norms?municipality=461',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  { method: 'get', path: '/api/v1/users', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 }, scoped: s(200, 403, 403, 403) },
  {
    method: 'post',
    path: '/api/v1/users',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  // Single sign-on: the organisation's buttons and the ticket handover are public; the group
  // mappings and the password switch belong to the administrator (a national one names the municipality).
  // OpenID Connect (public; not set up in this matrix's API: 404 for everyone; set up: test/api/oidc-login.test.ts).
  {
    method: 'get',
    path: '/api/v1/auth/oidc/login',
    expect: { udvalg: 404, chef: 404, teamleder: 404, admin: 404 },
    scoped: s(404, 404, 404, 404),
    anonymous: 404,
  },
  {
    method: 'get',
    path: '/api/v1/auth/oidc/callback?code=a&state=b',
    expect: { udvalg: 404, chef: 404, teamleder: 404, admin: 404 },
    scoped: s(404, 404, 404, 404),
    anonymous: 404,
  },
  { method: 'get', path: '/api/v1/auth/providers', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 }, anonymous: 200 },
  // SAML 2.0 (configured below): metadata, the redirect to the identity provider and its POST back are public.
  {
    method: 'get',
    path: '/api/v1/auth/saml/metadata',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    anonymous: 200,
  },
  { method: 'get', path: '/api/v1/auth/saml/login', expect: { udvalg: 302, chef: 302, teamleder: 302, admin: 302 }, anonymous: 302 },
  {
    method: 'post',
    path: '/api/v1/auth/saml/acs',
    body: {},
    expect: { udvalg: 400, chef: 400, teamleder: 400, admin: 400 },
    anonymous: 400,
  },
  {
    method: 'post',
    path: '/api/v1/auth/sso/exchange',
    body: { ticket: 'ukendt' },
    expect: { udvalg: 401, chef: 401, teamleder: 401, admin: 401 },
    anonymous: 400,
  },
  {
    method: 'get',
    path: '/api/v1/sso/group-mappings',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/sso/group-mappings?municipality=461',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'post',
    path: '/api/v1/sso/group-mappings',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  {
    method: 'put',
    path: '/api/v1/sso/group-mappings/999999',
    body: { group: 'g', role: 'chef' },
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/sso/login-policy?municipality=461',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'put',
    path: '/api/v1/sso/login-policy',
    body: { passwordLogin: true },
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(200, 403, 403, 403),
  },
  { method: 'get', path: '/api/v1/reports', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 }, scoped: s(200, 403, 403, 200) },
  {
    method: 'post',
    path: '/api/v1/reports',
    body: { asOf: 'nej' },
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/reports/schedule',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'put',
    path: '/api/v1/reports/schedule',
    body: {},
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 },
    scoped: s(400, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/me/preferences',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 200),
  },
  {
    method: 'put',
    path: '/api/v1/me/preferences',
    body: {},
    expect: { udvalg: 400, chef: 400, teamleder: 400, admin: 400 },
    scoped: s(400, 400, 400, 400),
  },
  // Another municipality's resources: 404 for ids, 403 for a municipality asked for by its code.
  {
    method: 'get',
    path: '/api/v1/kpis?ids=caseload.open_cases&municipality=461',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/kpis?ids=activity.summary&municipality=461',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/imports/2/issues',
    expect: { udvalg: 403, chef: 404, teamleder: 403, admin: 200 },
    scoped: s(404, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/reports?municipality=461',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  // Copenhagen's report 1.
  {
    method: 'get',
    path: '/api/v1/reports/1/pdf',
    expect: { udvalg: 404, chef: 404, teamleder: 403, admin: 200 },
    scoped: s(404, 403, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/goals?municipality=461',
    expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/comments?municipality=461',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 },
    scoped: s(200, 200, 200, 403),
  },
  {
    method: 'get',
    path: '/api/v1/settings?municipality=461',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'delete',
    path: '/api/v1/goals/1',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 204 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'delete',
    path: '/api/v1/users/kbh.bruger',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 204 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'delete',
    path: '/api/v1/users/nobody',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'delete',
    path: '/api/v1/sso/group-mappings/1',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 204 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'patch',
    path: '/api/v1/users/nobody',
    body: { disabled: true },
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  // Administration in the browser (issue 15, point 3).
  {
    method: 'patch',
    path: '/api/v1/users/chef-kbh',
    body: { email: 'kbh@kommune.dk' },
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'post',
    path: '/api/v1/users/nobody/password',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  { method: 'get', path: '/api/v1/audit', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 }, scoped: s(200, 403, 403, 403) },
  {
    method: 'get',
    path: '/api/v1/drop-folders',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 403),
  },
  {
    method: 'get',
    path: '/api/v1/imports?status=failed&source=dubu&from=2024-01-01',
    expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 },
    scoped: s(200, 403, 403, 200),
  },
  {
    method: 'post',
    path: '/api/v1/imports/jobs/nope/retry',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  {
    method: 'post',
    path: '/api/v1/imports/jobs/nope/cancel',
    expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 },
    scoped: s(404, 403, 403, 403),
  },
  // Case review (issue 16): team leaders (own teams) and the chief; the committee and the
  // administrators see nothing person-level. Round 1 is Copenhagen's.
  { method: 'get', path: '/api/v1/reviews', expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 403 }, scoped: s(403, 200, 403, 200) },
  {
    method: 'get',
    path: '/api/v1/reviews?municipality=461',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 403, 403),
  },
  {
    method: 'post',
    path: '/api/v1/reviews',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 400, admin: 403 },
    scoped: s(403, 400, 400, 400),
  },
  {
    method: 'get',
    path: '/api/v1/reviews/1',
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/reviews/1/cases/C1',
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 404),
  },
  {
    method: 'put',
    path: '/api/v1/reviews/1/cases/C1',
    body: { status: 'i_gang' },
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 404),
  },
  {
    method: 'get',
    path: '/api/v1/reviews/1/meetings',
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 200),
  },
  {
    method: 'post',
    path: '/api/v1/reviews/1/meetings',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 400, admin: 403 },
    scoped: s(403, 400, 400, 400),
  },
  {
    method: 'put',
    path: '/api/v1/reviews/1/meetings/1',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 400, admin: 403 },
    scoped: s(403, 400, 400, 400),
  },
  // Results are aggregates: the committee reads them (suppressed), nothing by team or caseworker.
  {
    method: 'get',
    path: '/api/v1/reviews/results',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 403, 200),
  },
  {
    method: 'get',
    path: '/api/v1/reviews/results?municipality=461',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 403, 403),
  },
  // Checklist versions: read by team leaders and the chief, written by the chief.
  {
    method: 'get',
    path: '/api/v1/reviews/checklists',
    expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 403, 200),
  },
  {
    method: 'post',
    path: '/api/v1/reviews/checklists',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 403 },
    scoped: s(403, 403, 403, 400),
  },
  // Action areas hold no person-level data: the committee reads them.
  {
    method: 'get',
    path: '/api/v1/reviews/actions',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 200, 200),
  },
  {
    method: 'post',
    path: '/api/v1/reviews/actions',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 400, admin: 403 },
    scoped: s(403, 400, 400, 400),
  },
  {
    method: 'put',
    path: '/api/v1/reviews/actions/1',
    body: { title: 'Indsats', owner: 'Team Syd' },
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 404),
  },
  // The chief's child-perspective examples for the committee: read with the results, written by
  // the chief. Example 1 is Copenhagen's.
  {
    method: 'get',
    path: '/api/v1/reviews/examples',
    expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 403 },
    scoped: s(403, 200, 403, 200),
  },
  {
    method: 'post',
    path: '/api/v1/reviews/examples',
    body: {},
    expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 403 },
    scoped: s(403, 403, 403, 400),
  },
  {
    method: 'put',
    path: '/api/v1/reviews/examples/1',
    body: { title: 'Pigen på 12 år', text: 'Hun blev hørt.' },
    expect: { udvalg: 403, chef: 404, teamleder: 403, admin: 403 },
    scoped: s(403, 403, 403, 200),
  },
  {
    method: 'delete',
    path: '/api/v1/reviews/examples/1',
    expect: { udvalg: 403, chef: 404, teamleder: 403, admin: 403 },
    scoped: s(403, 403, 403, 204),
  },
  // Last of the review entries: Copenhagen's chief deletes its round 1.
  {
    method: 'delete',
    path: '/api/v1/reviews/1',
    expect: { udvalg: 403, chef: 404, teamleder: 404, admin: 403 },
    scoped: s(403, 404, 403, 204),
  },
];

describe('role matrix: every endpoint with every role and scope', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    // Copenhagen's (101) export: import 2, goal 1, report 1, user kbh.bruger.
    const copenhagen = dubuAs(DUBU_SMALL, 101);
    await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await db.pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, created_by) VALUES (101, 'activity.family_care_share', 'Mål', '>=', 0.6, 'x')`,
    );
    // Copenhagen's group mapping 1.
    await db.pool.query(`INSERT INTO sso_group_mapping (municipality_code, group_id, role) VALUES (101, 'kbh-chefer', 'chef')`);
    await db.pool.query(
      `INSERT INTO report_archive (municipality_code, as_of, made_by, pdf, send_result) VALUES (101, '2024-02-29', 'planlagt', '\\x255044462d', 'ikke sendt: kun arkiveret')`,
    );
    // Copenhagen's case review round 1 (no cases).
    await db.pool.query(
      `INSERT INTO review_round (municipality_code, title, as_of, checklist_version, sampling, requested, found, created_by) VALUES (101, 'Runde', '2024-02-29', 1, '{}', 0, 0, 'x')`,
    );
    // Copenhagen's child-perspective example 1.
    await db.pool.query(`INSERT INTO review_example (municipality_code, title, body, created_by) VALUES (101, 'Eksempel', 'Tekst', 'x')`);
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    await addUser(db.pool, { username: 'teamleder-nord', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['Team Nord'] });
    await addUser(db.pool, { username: 'kbh.bruger', password: PASSWORD, role: 'udvalg', municipality: 101 });
    await db.pool.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, teams) VALUES ('leder-uden-team', $1, 'teamleder', 461, '{}')`,
      [await hashPassword(PASSWORD)],
    );
    app = await startTestApi(db, { saml: testSamlSettings() });
    for (const user of USERS) tokens[user] = await tokenFor(app, user);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  for (const entry of MATRIX) {
    it(`${entry.method.toUpperCase()} ${entry.path}`, async () => {
      const got: Record<string, number> = {};
      for (const user of USERS) {
        const req = request(app.getHttpServer())[entry.method](entry.path).set('Authorization', `Bearer ${tokens[user]}`);
        got[user] = (await (entry.body ? req.send(entry.body) : req)).status;
      }
      const scoped = (user: Scoped) => entry.scoped?.[user] ?? entry.expect[SCOPED_ROLE[user]];
      expect(got).toEqual({ ...entry.expect, ...Object.fromEntries((Object.keys(SCOPED_ROLE) as Scoped[]).map((u) => [u, scoped(u)])) });
      const anonymous = (await request(app.getHttpServer())[entry.method](entry.path)).status;
      expect(anonymous).toBe(entry.anonymous ?? 401);
    });
  }
});
