import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUserSchema, MunicipalityInfoSchema, type CurrentUser as CurrentUserDto, type MunicipalityInfo } from '@bu/contracts';
import { ApiResponseSchema } from '../validation/zod-validation.pipe';
import { toCurrentUser } from '../auth/auth.controller';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, DuringPasswordChange } from '../auth/roles.decorator';
import { ScopeService } from './scope.service';

@ApiTags('municipalities')
@ApiBearerAuth()
@Controller({ version: '1' })
export class MunicipalitiesController {
  constructor(@Inject(ScopeService) private readonly scope: ScopeService) {}

  @Get('me')
  @DuringPasswordChange()
  @ApiResponseSchema(CurrentUserSchema)
  async me(@CurrentUser() user: AuthUser): Promise<CurrentUserDto> {
    return toCurrentUser(
      user,
      (await this.scope.municipalities(user)).map((m) => m.code),
    );
  }

  @Get('municipalities')
  @ApiResponseSchema(z.array(MunicipalityInfoSchema))
  municipalities(@CurrentUser() user: AuthUser): Promise<MunicipalityInfo[]> {
    return this.scope.municipalities(user);
  }
}
