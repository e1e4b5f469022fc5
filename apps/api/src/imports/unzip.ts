import { unzipSync } from 'fflate';
import { mkdirSync, writeFileSync } from 'fs';
import { basename, join } from 'path';

/** The export files a zip may carry; anything else in it is ignored. */
const EXPORT_FILE = /^[\p{L}\p{N}_.-]+\.(csv|txt)$/iu;
export const MAX_UNZIPPED_BYTES = 2 * 1024 ** 3;

export class UploadError extends Error {}

/**
 * Unpacks an uploaded export folder. Only export files are written, flattened to their base
 * names, so an entry like "../../etc/passwd" can never leave the target folder.
 */
export function unzipExport(zip: Uint8Array, target: string): string[] {
  let entries: Record<string, Uint8Array>;
  let total = 0;
  try {
    entries = unzipSync(zip, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_UNZIPPED_BYTES) throw new UploadError('Zip-filen er for stor udpakket (over 2 GB).');
        return EXPORT_FILE.test(basename(file.name)) && !file.name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof UploadError) throw e;
    throw new UploadError('Filen er ikke en gyldig zip-fil.');
  }
  mkdirSync(target, { recursive: true });
  const written: string[] = [];
  for (const [name, data] of Object.entries(entries)) {
    const file = basename(name);
    if (written.includes(file)) throw new UploadError(`Zip-filen indeholder ${file} mere end én gang.`);
    writeFileSync(join(target, file), data);
    written.push(file);
  }
  if (written.length === 0) throw new UploadError('Zip-filen indeholder ingen .csv- eller .txt-filer.');
  return written.sort();
}
