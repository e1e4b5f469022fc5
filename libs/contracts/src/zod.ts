import { z } from 'zod';

// The dashboard runs under a Content-Security-Policy without 'unsafe-eval'. zod probes for
// `new Function` when it builds an object schema (for its compiled fast path), and the browser
// reports that probe as a violation even though zod catches it. The schemas here are built in the
// browser too, so zod interprets; the API's request bodies are small enough for that.
z.config({ jitless: true });

export { z };
