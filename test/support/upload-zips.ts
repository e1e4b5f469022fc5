import { zipSync, type Zippable } from 'fflate';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const text = (s: string) => new TextEncoder().encode(s);

/** An export folder as a zip, each file under `udtraek/`, plus extra entries. */
export function zipFolder(dir: string, extra: Zippable = {}): Buffer {
  const files: Zippable = {};
  for (const f of readdirSync(dir)) files[`udtraek/${f}`] = readFileSync(join(dir, f));
  return Buffer.from(zipSync({ ...files, ...extra }));
}

/** 20 MB of zeros deflates to about 20 KB: a ratio of about 1000. */
const zeros = () => new Uint8Array(20 * 1024 ** 2);

/** Zips every upload must refuse as a whole, with the Danish message the data steward gets. */
export function badZips(exportDir: string): { name: string; zip: Buffer; message: string }[] {
  return [
    {
      name: 'an entry with ../',
      zip: zipFolder(exportDir, { '../../evil.csv': text('x') }),
      message: 'Zip-filen afvises: ../../evil.csv peger uden for udtrækkets mappe (../).',
    },
    {
      name: 'an absolute path',
      zip: zipFolder(exportDir, { '/etc/cron.d/evil.csv': text('x') }),
      message: 'Zip-filen afvises: /etc/cron.d/evil.csv har en absolut sti.',
    },
    {
      name: 'a zip bomb (high ratio)',
      zip: zipFolder(exportDir, { 'udtraek/fyld.csv': [zeros(), { level: 1 }] }),
      message: 'Zip-filen afvises som en mulig zip-bombe: fyld.csv pakker sig ud til over 100 gange sin størrelse.',
    },
    {
      name: 'a symbolic link',
      zip: zipFolder(exportDir, { 'udtraek/link.csv': [text('/etc/passwd'), { attrs: (0o120777 << 16) >>> 0 }] }),
      message: 'Zip-filen afvises: udtraek/link.csv er en symbolsk henvisning.',
    },
    {
      name: 'a file twice',
      zip: zipFolder(exportDir, { 'andet/sager.csv': text('x') }),
      message: 'Zip-filen indeholder sager.csv mere end én gang.',
    },
    { name: 'not a zip', zip: Buffer.from('Sagsnummer;CPR\nS1;0101154123\n'), message: 'Filen er ikke en gyldig zip-fil.' },
    { name: 'an empty zip', zip: Buffer.from(zipSync({})), message: 'Zip-filen indeholder ingen .csv- eller .txt-filer.' },
    {
      name: 'no export files, only a nested zip',
      zip: Buffer.from(zipSync({ 'udtraek.zip': zipFolder(exportDir) })),
      message: 'Zip-filen indeholder ingen .csv- eller .txt-filer.',
    },
  ];
}

/**
 * A bomb the table of contents hides: the export plus `fyld.csv`, whose headers (local and central)
 * say 1000 bytes while it inflates to 20 MB. Only the worker, counting what it inflates, finds it.
 */
export function lyingBomb(exportDir: string): Buffer {
  const zip = zipFolder(exportDir, { 'udtraek/fyld.csv': [zeros(), { level: 1 }] });
  const name = Buffer.from('udtraek/fyld.csv');
  for (const [signature, sizeAt, nameAt] of [
    [0x04034b50, 22, 30],
    [0x02014b50, 24, 46],
  ]) {
    for (let i = 0; i < zip.length - 4; i++) {
      if (zip.readUInt32LE(i) === signature && zip.subarray(i + nameAt, i + nameAt + name.length).equals(name))
        zip.writeUInt32LE(1000, i + sizeAt);
    }
  }
  return zip;
}
