import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { GroupMapping, GroupMappingBody, LoginPolicy } from '@bu/contracts';
import { AuthService } from '../auth/auth.service';
import type { AuthUser } from '../auth/auth.types';
import { ScopeService } from '../municipalities/scope.service';
import { BARE_PRIVILEGE, CVR_PRIVILEGE } from './group-mapping';
import { GroupMappingsRepository, type MappingChange } from './group-mappings.repository';
import { SsoService } from './sso.service';

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/**
 * The administrator says which of the organisation's groups give which role, municipality and
 * teams, and whether passwords still log in. A municipality's administrator edits only that
 * municipality's mappings; a product administrator names the municipality. Any change of a mapping
 * ends the sessions of the municipality's single sign-on users at once: a user's role and teams are
 * made from the mappings only at login, so they log in again and get the mappings as they are now
 * (a group mapped to chef by mistake and corrected keeps nobody a chef, nor on the chefs' weekly
 * e-mail: their grant ends with the sessions, grant_ended_at). Only the mapping's own
 * municipality is touched, and password users (the administrator making the change, if logged in
 * by password) keep their sessions.
 */
@Injectable()
export class GroupMappingsService {
  constructor(
    @Inject(GroupMappingsRepository) private readonly repository: GroupMappingsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(SsoService) private readonly sso: SsoService,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async list(admin: AuthUser, municipality?: number): Promise<GroupMapping[]> {
    return this.repository.list(await this.target(admin, municipality));
  }

  async create(admin: AuthUser, body: GroupMappingBody): Promise<GroupMapping> {
    const code = await this.target(admin, body.municipality);
    await this.mappable(admin, code, body.group);
    const change = await this.repository.insert(code, body);
    if (!change) throw await this.taken(body.group, code);
    return this.ended(change);
  }

  async update(admin: AuthUser, id: number, body: GroupMappingBody): Promise<GroupMapping> {
    const current = await this.own(admin, id);
    if (body.municipality !== undefined && body.municipality !== current.municipality)
      throw new BadRequestException('En gruppeopsætning kan ikke flyttes til en anden kommune; slet den og opret en ny');
    await this.mappable(admin, current.municipality, body.group);
    try {
      const change = await this.repository.update(id, current.municipality, body);
      if (!change) throw new NotFoundException(`Gruppeopsætning ${id} findes ikke`);
      return this.ended(change);
    } catch (error) {
      if (isUniqueViolation(error)) throw await this.taken(body.group, current.municipality);
      throw error;
    }
  }

  async remove(admin: AuthUser, id: number): Promise<void> {
    const current = await this.own(admin, id);
    const change = await this.repository.delete(id, current.municipality);
    if (!change) throw new NotFoundException(`Gruppeopsætning ${id} findes ikke`);
    this.ended(change);
  }

  async policy(admin: AuthUser, municipality?: number): Promise<LoginPolicy> {
    const code = await this.target(admin, municipality);
    return { municipality: code, passwordLogin: await this.repository.passwordLogin(code) };
  }

  async setPolicy(admin: AuthUser, municipality: number | undefined, passwordLogin: boolean): Promise<LoginPolicy> {
    const code = await this.target(admin, municipality);
    // Turned off with no organisation login set up, nobody of the municipality could log in at all.
    if (!passwordLogin && !this.sso.hasProvider())
      throw new BadRequestException('Log ind med adgangskode kan ikke slås fra, før log ind med organisationens konto er sat op');
    if (!passwordLogin && admin.municipality === code && (await this.repository.authSource(admin.username)) === 'local')
      throw new BadRequestException(
        'Du er logget ind med adgangskode. Log ind med organisationens konto, før du slår log ind med adgangskode fra – ellers kan du ikke komme ind igen.',
      );
    await this.repository.setPasswordLogin(code, passwordLogin);
    // Off means off now: the municipality's password sessions end too, not only new logins.
    if (!passwordLogin) for (const username of await this.repository.endLocalSessions(code)) this.auth.users.forget(username);
    return { municipality: code, passwordLogin };
  }

  /**
   * Whether the administrator may map the group in the municipality. A bare KOMBIT privilege names
   * no municipality: mapped by a municipality's administrator, it would let in, as users of this
   * municipality, every other municipality's holders of it (and block those another municipality
   * had mapped otherwise); a product administrator may, for an installation that serves one
   * municipality. A `<CVR>:<URI>` privilege gives access only in the municipality whose CVR number
   * the operator registered; before that, only a product administrator maps one.
   */
  private async mappable(admin: AuthUser, municipality: number, group: string): Promise<void> {
    const name = group.trim();
    if (BARE_PRIVILEGE.test(name)) {
      if (admin.municipality !== null)
        throw new BadRequestException(
          'Et KOMBIT-privilegie uden kommunens CVR-nummer (CVR:privilegie) gælder i alle kommuner og kan kun opsættes af en produktadministrator',
        );
      return;
    }
    const scoped = CVR_PRIVILEGE.exec(name);
    if (!scoped) return;
    const cvr = await this.repository.cvr(municipality);
    if (cvr === null) {
      if (admin.municipality === null) return;
      throw new BadRequestException(
        `Kommunens CVR-nummer (kommune ${municipality}) er ikke registreret, så et KOMBIT-privilegie (CVR:privilegie) kan ikke opsættes endnu; bed driften registrere det`,
      );
    }
    if (scoped[1] !== cvr)
      throw new BadRequestException(
        `Privilegiet hører til CVR-nummer ${scoped[1]}, men kommune ${municipality} har CVR-nummer ${cvr}; et KOMBIT-privilegie giver kun adgang i kommunen med dets CVR-nummer`,
      );
  }

  /** The sessions the change ended are refused at once in this process (other processes: within the user cache's TTL). */
  private ended<T>({ result, ended }: MappingChange<T>): T {
    for (const username of ended) this.auth.users.forget(username);
    return result;
  }

  /**
   * Why the group cannot be mapped: it is already, here or in another municipality (which the caller
   * cannot see). A group gives access in one municipality only, so no administrator can take over or
   * block another municipality's people by mapping its groups.
   */
  private async taken(group: string, municipality: number): Promise<ConflictException> {
    const own = (await this.repository.list(municipality)).some((m) => m.group === group);
    return new ConflictException(
      own
        ? `Gruppen ${group} har allerede en opsætning i kommune ${municipality}`
        : `Gruppen ${group} giver allerede adgang i en anden kommune; en gruppe kan kun give adgang i én kommune`,
    );
  }

  /**
   * The mapping, if it is in the administrator's municipality (a product administrator: any). Row-level
   * security hides the others already; this holds without it, and answers 404 as it does.
   */
  private async own(admin: AuthUser, id: number): Promise<GroupMapping> {
    const current = await this.repository.get(id);
    if (!current || (admin.municipality !== null && admin.municipality !== current.municipality))
      throw new NotFoundException(`Gruppeopsætning ${id} findes ikke`);
    return current;
  }

  /** The municipality meant: the admin's own, or the one a product administrator names. */
  private async target(admin: AuthUser, municipality?: number): Promise<number> {
    if (municipality === undefined && admin.municipality === null) throw new BadRequestException('Angiv kommunen (municipality)');
    return (await this.scope.resolve(admin, municipality)).code;
  }
}
