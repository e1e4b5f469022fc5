import { chmodSync, createWriteStream, mkdirSync, statSync } from 'fs';
import { mkdir, rm } from 'fs/promises';
import { basename, join } from 'path';
import { pipeline } from 'stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * Uploaded exports (a zip of the export folder, full CPR numbers inside) are checked by the API
 * from the zip's central directory, and unpacked by the ETL worker as a stream with the same
 * checks plus the bytes actually inflated. The limits below stop a zip bomb before it fills the
 * disk; a zip that breaks any rule is refused as a whole, nothing of it is unpacked.
 */
export const UPLOAD_ZIP_LIMITS = {
  /** Entries of any kind: a central directory of millions of entries is itself an attack. */
  maxEntries: 10_000,
  /** The sum of every entry's uncompressed size (real exports are well under 1 GB). */
  maxUnpackedBytes: 2 * 1024 ** 3,
  /** Uncompressed/compressed per export file. CSV exports compress 5-20 ×; 100 × is a bomb. */
  maxRatio: 100,
  /** Below this size a file is never a bomb, whatever its ratio (a file of empty lines). */
  ratioFloorBytes: 1024 ** 2,
};

/** The export files a zip may carry; anything else (folders, a nested zip, a PDF) is ignored. */
const EXPORT_FILE = /^[\p{L}\p{N}_.-]+\.(csv|txt)$/iu;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A zip refused as a whole; the message is Danish, for the data steward. */
export class UploadError extends Error {}

/** The folder a worker unpacks an uploaded zip into, beside the zip (same private upload folder). */
export const unpackDirFor = (zip: string): string => `${zip}.d`;

/** Creates the upload folder private to the service user (0700), and tightens an existing one. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2).toLocaleString('da-DK')} MB`;

/**
 * yauzl's own refusals (file names, sizes) in Danish; anything else is a damaged zip, except an
 * error of the system (a full disk, too many open files, a read error: it has a syscall), which is
 * not the zip's fault and goes on as it is: the job is retried and keeps its zip.
 */
export function uploadErrorOf(error: Error): Error {
  if (error instanceof UploadError) return error;
  if (typeof (error as NodeJS.ErrnoException).syscall === 'string') return error;
  const m = error.message;
  const name = m.slice(m.indexOf(':') + 1).trim();
  if (m.startsWith('invalid relative path')) return new UploadError(`Zip-filen afvises: ${name} peger uden for udtrækkets mappe (../).`);
  if (m.startsWith('absolute path')) return new UploadError(`Zip-filen afvises: ${name} har en absolut sti.`);
  if (m.startsWith('invalid characters in fileName')) return new UploadError(`Zip-filen afvises: ${name} har ugyldige tegn i navnet.`);
  if (/too many bytes|not enough bytes|size mismatch/.test(m))
    return new UploadError('Zip-filen afvises: en fil fylder ikke det, zip-filen angiver (beskadiget eller manipuleret).');
  if (/encrypted/.test(m)) return new UploadError('Zip-filen afvises: den indeholder krypterede filer.');
  return new UploadError('Filen er ikke en gyldig zip-fil.');
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    // lazyEntries: one entry at a time, as we ask; validateEntrySizes: an entry that inflates to
    // more (or fewer) bytes than its header says is an error, so a lying header cannot slip a bomb past the limits.
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, autoClose: false, strictFileNames: false }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );
}

/** The checks of one entry against the whole archive so far; returns the base name to unpack, or null to skip. */
function check(entry: Entry, seen: { entries: number; bytes: number; names: Set<string> }): string | null {
  const { maxEntries, maxUnpackedBytes, maxRatio, ratioFloorBytes } = UPLOAD_ZIP_LIMITS;
  if (++seen.entries > maxEntries)
    throw new UploadError(`Zip-filen afvises: den indeholder over ${maxEntries.toLocaleString('da-DK')} filer.`);
  seen.bytes += entry.uncompressedSize;
  if (seen.bytes > maxUnpackedBytes) throw new UploadError(`Zip-filen er for stor udpakket (over ${mb(maxUnpackedBytes)}).`);
  if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
    throw new UploadError(`Zip-filen afvises: ${entry.fileName} er en symbolsk henvisning.`);
  if (entry.fileName.endsWith('/')) return null;
  const file = basename(entry.fileName);
  if (!EXPORT_FILE.test(file)) return null;
  // Flattened to base names (an export is one folder): two files of the same name are ambiguous.
  if (seen.names.has(file)) throw new UploadError(`Zip-filen indeholder ${file} mere end én gang.`);
  seen.names.add(file);
  if (entry.isEncrypted()) throw new UploadError('Zip-filen afvises: den indeholder krypterede filer.');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    throw new UploadError(`Zip-filen afvises: ${file} er pakket med en metode, der ikke understøttes.`);
  if (entry.uncompressedSize > ratioFloorBytes && entry.uncompressedSize > maxRatio * Math.max(entry.compressedSize, 1)) {
    throw new UploadError(`Zip-filen afvises som en mulig zip-bombe: ${file} pakker sig ud til over ${maxRatio} gange sin størrelse.`);
  }
  return file;
}

/**
 * Reads a zip entry by entry. Without a target it checks the central directory only (the API,
 * before queueing: cheap, no file data read). With a target it unpacks the export files, flattened
 * to their base names, into that new private folder (0700, files 0600), as streams; on any
 * refusal the folder is removed. Returns the export files' names, sorted.
 */
async function readUploadZip(path: string, target?: string): Promise<string[]> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw uploadErrorOf(error as Error);
  }
  const seen = { entries: 0, bytes: 0, names: new Set<string>() };
  if (target) await mkdir(target, { mode: 0o700 });
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => reject(uploadErrorOf(error));
      zip.on('error', fail);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        let file: string | null;
        try {
          file = check(entry, seen);
        } catch (error) {
          return fail(error as Error);
        }
        if (!file || !target) return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return fail(error);
          pipeline(stream, createWriteStream(join(target, file), { flags: 'wx', mode: 0o600 })).then(() => zip.readEntry(), fail);
        });
      });
      zip.readEntry();
    });
    if (seen.names.size === 0) throw new UploadError('Zip-filen indeholder ingen .csv- eller .txt-filer.');
    return [...seen.names].sort();
  } catch (error) {
    if (target) await rm(target, { recursive: true, force: true });
    throw error;
  } finally {
    zip.close();
  }
}

/** The API's check before queueing: the central directory only. */
export function inspectUploadZip(path: string): Promise<string[]> {
  return readUploadZip(path);
}

/** The worker's unpack into `target` (which must not exist). */
export function unpackUploadZip(path: string, target: string): Promise<string[]> {
  return readUploadZip(path, target);
}
