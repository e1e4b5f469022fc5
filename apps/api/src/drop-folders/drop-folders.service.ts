import { Inject, Injectable } from '@nestjs/common';
import type { DropFolders } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { APP_CONFIG, type AppConfig } from '../config';
import { DropFoldersRepository } from './drop-folders.repository';

/**
 * The drop folders, read-only: which folder the worker checks for which source, how often, and how
 * its last delivery went. Folders are added on the server (`npm run etl -- drop-folder add`), never from the
 * browser: a web user must not point the worker at a server path (ADR 0051).
 */
@Injectable()
export class DropFoldersService {
  constructor(
    @Inject(DropFoldersRepository) private readonly repository: DropFoldersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(user: AuthUser): Promise<DropFolders> {
    return {
      intervalMinutes: Math.round(this.config.dropFolderIntervalMs / 6_000) / 10,
      folders: await this.repository.list(user.municipality),
    };
  }
}
