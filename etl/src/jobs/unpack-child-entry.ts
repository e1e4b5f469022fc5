// A child process that unpacks one uploaded zip (see unpackUploadZipApart), at the lowest CPU
// priority, so the inflating and writing never compete with the API's requests for a core.
import { unpackUploadZip, UploadError } from './upload-zip';

const [zip, target] = process.argv.slice(2);
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

unpackUploadZip(zip, target)
  .then(
    (files) => send({ type: 'done', files }),
    (error: Error) =>
      send(error instanceof UploadError ? { type: 'refused', message: error.message } : { type: 'error', message: error.message }),
  )
  .finally(() => process.disconnect());
