import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Request, Response } from 'express';
import { createWriteStream, rm } from 'fs';
import multer, { MulterError, type StorageEngine } from 'multer';
import { join } from 'path';
import { pipeline } from 'stream';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { ensurePrivateDir } from '@bu/jobs';
import { APP_CONFIG, AppConfig } from '../config';

/** An upload as the handler gets it: already on disk, in the private upload folder. */
export interface StoredUpload {
  path: string;
  size: number;
  originalname: string;
}

/** Multer storage: a random name in the upload folder, written as it arrives, readable by the service user only. */
function privateDiskStorage(dir: string): StorageEngine {
  return {
    _handleFile(_req, file, callback) {
      const path = join(dir, `${randomUUID()}.zip`);
      // Known before it is complete: multer's clean-up of an aborted request removes it then too.
      Object.assign(file, { path });
      const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      pipeline(file.stream, out, (error) => {
        if (error) rm(path, { force: true }, () => callback(error));
        else callback(null, { path, size: out.bytesWritten });
      });
    },
    _removeFile(_req, file, callback) {
      rm(file.path, { force: true }, (error) => callback(error));
    },
  };
}

/**
 * Receives the multipart field `file` straight to disk (never the whole upload in memory) with a
 * size limit from the settings. An upload the handler does not take (refused or failed) is
 * deleted at once; one it queues belongs to the job, which deletes it when it ends.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly single: ReturnType<ReturnType<typeof multer>['single']>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    ensurePrivateDir(config.uploadDir);
    this.single = multer({
      storage: privateDiskStorage(config.uploadDir),
      limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 1024 },
    }).single('file');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { file?: StoredUpload }>();
    // A folder deleted or loosened since start-up is made private again before it is written to.
    ensurePrivateDir(this.config.uploadDir);
    await new Promise<void>((resolve, reject) =>
      this.single(req, http.getResponse<Response>(), (error: unknown) => (error ? reject(this.refusal(error)) : resolve())),
    );
    return next.handle().pipe(
      catchError((error) => {
        const path = req.file?.path;
        return path
          ? from(new Promise((resolve) => rm(path, { force: true }, resolve))).pipe(mergeMap(() => throwError(() => error)))
          : throwError(() => error);
      }),
    );
  }

  private refusal(error: unknown): Error {
    if (error instanceof MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') {
        return new PayloadTooLargeException(
          `Filen er for stor: en upload må højst fylde ${Math.floor(this.config.uploadMaxBytes / 1024 ** 2).toLocaleString('da-DK')} MB.`,
        );
      }
      if (error.code === 'LIMIT_FILE_COUNT' || error.code === 'LIMIT_UNEXPECTED_FILE')
        return new BadRequestException('Vedhæft ét udtræk som en zip-fil i feltet "file".');
      return new BadRequestException('Uploaden kunne ikke læses: formularen er ikke som forventet.');
    }
    // A disk error is ours (500); a broken or aborted form is the client's.
    if (error instanceof Error && 'syscall' in error) return error;
    return new BadRequestException('Uploaden blev afbrudt eller kunne ikke læses.');
  }
}
