import { AsyncLocalStorage } from 'async_hooks';
import { createHash, Hash } from 'crypto';
import { constants } from 'fs';
import { open, type FileHandle } from 'fs/promises';
import { basename } from 'path';

/** A file's SHA-256 and size, taken from the very bytes the import parsed. */
export interface ReadDigest {
  /** null when the SHA-256 is known already (`sha256`: a staging thread took it). */
  hash: Hash | null;
  bytes: number;
  complete: boolean;
  sha256?: string;
}

/**
 * The import's record of the files it read (runImport): each file is hashed as it is read, once,
 * instead of in a pass of its own before the import.
 */
export const readDigests = new AsyncLocalStorage<Map<string, ReadDigest>>();

export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

const READ_BYTES = 1 << 18;

/**
 * Opens an export file to read: never through a symbolic link, and only a regular file. The check
 * is on the file opened, so a link put in a checked file's place (a drop-folder delivery between
 * its check and its import) is refused, not followed. Non-blocking: a named pipe is refused, not
 * waited on.
 */
export async function openExportFile(path: string, file = basename(path)): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new FileFormatError(file, `Filen ${file} er en symbolsk henvisning; den følges ikke.`);
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new FileFormatError(file, `Filen ${file} er ikke en almindelig fil.`);
  }
  return handle;
}

/**
 * Æ, Ø, Å, æ, ø, å and é as UTF-8 (0xC3 and one of these): read as Windows-1252 they become "Ã¦"
 * and the like, which no Danish text holds. A file declared Windows-1252 with them is UTF-8.
 */
const UTF8_DANISH = new Set([0x86, 0x98, 0x85, 0xa6, 0xb8, 0xa5, 0xa9]);

function looksLikeUtf8(piece: Buffer, previous: number): boolean {
  if (previous === 0xc3 && UTF8_DANISH.has(piece[0])) return true;
  for (let at = piece.indexOf(0xc3); at >= 0 && at < piece.length - 1; at = piece.indexOf(0xc3, at + 1)) {
    if (UTF8_DANISH.has(piece[at + 1])) return true;
  }
  return false;
}
const DECODE_BYTES = 1 << 15;

/**
 * Reads a file as decoded text chunks. Invalid bytes for the declared encoding or a NUL byte
 * (a binary file) fail the whole file: it is not in the declared format.
 */
export async function* readText(path: string, file: string, encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const digests = readDigests.getStore();
  const digest: ReadDigest | undefined = digests ? { hash: createHash('sha256'), bytes: 0, complete: false } : undefined;
  if (digest) digests!.set(path, digest);
  // Read in 256 KB pieces (a read and a stream event each: eight times fewer than 32 KB reads, a
  // quarter of a second less CPU in the benchmark's import of 4 s), decoded 32 KB at a time: their text is an ordinary young
  // object that dies soon. A 1 MB text is a large object (2 MB with æøå) allocated in the old
  // generation every time, which under the 128 MB heap cap costs full collections; fields sliced
  // from it keep it alive too.
  let last = -1;
  const handle = await openExportFile(path, file);
  for await (const piece of handle.createReadStream({ highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
    if (digest) {
      digest.hash!.update(piece);
      digest.bytes += piece.length;
    }
    if (piece.includes(0)) throw new FileFormatError(file, `Filen ${file} er ikke en tekstfil (den indeholder binære data).`);
    // Windows-1252 decodes any byte: UTF-8 would be read as "Ã¦" for "æ" without a word.
    if (
      encoding === 'windows-1252' &&
      ((last === -1 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) || looksLikeUtf8(piece, last))
    ) {
      throw new FileFormatError(file, `Filen ${file} er UTF-8-tekst, men skal være Windows-1252; gem den igen i Windows-1252 (ANSI).`);
    }
    last = piece[piece.length - 1];
    for (let at = 0; at < piece.length; at += DECODE_BYTES) {
      let text: string;
      try {
        text = decoder.decode(piece.subarray(at, at + DECODE_BYTES), { stream: true });
      } catch {
        throw new FileFormatError(file, `Filen ${file} er ikke gyldig ${encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}-tekst.`);
      }
      if (text) yield text;
    }
  }
  const rest = decoder.decode();
  if (digest) digest.complete = true;
  if (rest) yield rest;
}
