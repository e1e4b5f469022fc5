import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DropFoldersSchema, type DropFolders } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { DropFoldersService } from './drop-folders.service';

/** The drop folders of the administrator's municipality (every folder for a product administrator), read-only. */
@ApiTags('imports')
@ApiBearerAuth()
@Controller({ path: 'drop-folders', version: '1' })
export class DropFoldersController {
  constructor(@Inject(DropFoldersService) private readonly service: DropFoldersService) {}

  @Get()
  @Roles('admin')
  @Validate({ response: DropFoldersSchema })
  list(@CurrentUser() user: AuthUser): Promise<DropFolders> {
    return this.service.list(user);
  }
}
