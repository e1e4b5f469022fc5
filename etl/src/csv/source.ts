import { createReadStream } from 'fs';

export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a file as decoded text chunks. Invalid bytes for the declared encoding or a NUL byte
 * (a binary file) fail the whole file: it is not in the declared format.
 */
export async function* readText(path: string, file: string, encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  // 32 KB pieces: their text is an ordinary young object that dies soon. A 1 MB piece decodes to a
  // large object (2 MB when the text has æøå) allocated in the old generation every time, which
  // under the 128 MB heap cap costs full collections; fields sliced from it keep it alive too.
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 15 }) as AsyncIterable<Buffer>) {
    if (buf.includes(0)) throw new FileFormatError(file, `Filen ${file} er ikke en tekstfil (den indeholder binære data).`);
    let text: string;
    try {
      text = decoder.decode(buf, { stream: true });
    } catch {
      throw new FileFormatError(file, `Filen ${file} er ikke gyldig ${encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}-tekst.`);
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
