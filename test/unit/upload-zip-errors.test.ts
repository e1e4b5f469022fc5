import { createWriteStream } from 'fs';
import { describe, expect, it } from 'vitest';
import { UploadError, uploadErrorOf } from '@bu/jobs';

// A zip the worker cannot unpack because of the machine (a full disk) is not a bad zip: it must not
// be refused for good, with the data steward told the export is broken and the upload deleted.
describe("unpacking errors: the zip's fault or the machine's", () => {
  it('lets an error of the system (a full disk) go on as it is, so the job is retried with its zip', async () => {
    const full = await new Promise<Error>((resolve) => {
      const stream = createWriteStream('/dev/full');
      stream.on('error', resolve);
      stream.write(Buffer.alloc(4096));
    });
    expect((full as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const passed = uploadErrorOf(full);
    expect(passed).toBe(full);
    expect(passed).not.toBeInstanceOf(UploadError);
  });

  it('says in Danish what is wrong with a bad zip', () => {
    expect(uploadErrorOf(new Error('invalid relative path: ../../etc/passwd'))).toEqual(
      new UploadError('Zip-filen afvises: ../../etc/passwd peger uden for udtrækkets mappe (../).'),
    );
    const damaged = uploadErrorOf(new Error('end of central directory record signature not found'));
    expect(damaged).toBeInstanceOf(UploadError);
    expect(damaged.message).toBe('Filen er ikke en gyldig zip-fil.');
  });
});
