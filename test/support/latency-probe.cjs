// The sampler of test/api/upload-latency.test.ts, in a process of its own (plain node: nothing to
// load), so that a stall of the API's event loop delays the API's answers and not the control's.
// Sent {periodMs, targets: {name: {url, headers}}}, it asks every target at the same due times
// until sent 'stop', then sends [{name, due, ms, failure}]: `due` on the wall clock (shared with the
// test), `ms` timed from when the request was due (a late sending shows), null for a failed one,
// with `failure` saying why.
const { performance } = require('perf_hooks');

const now = () => performance.timeOrigin + performance.now();

process.once('message', ({ periodMs, targets }) => {
  const samples = [];
  const inFlight = [];
  let sampling = true;
  process.once('message', () => (sampling = false));
  void (async () => {
    const t0 = now();
    for (let k = 0; sampling; k++) {
      const due = t0 + k * periodMs;
      const wait = due - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      for (const [name, { url, headers }] of Object.entries(targets)) {
        const failure = fetch(url, { headers }).then(
          async (res) => {
            const body = await res.text();
            return res.status === 200 ? undefined : `HTTP ${res.status} ${body.slice(0, 200)}`;
          },
          (error) => `${error.message}${error.cause ? `: ${error.cause.message}` : ''}`,
        );
        inFlight.push(failure.then((why) => samples.push({ name, due, ms: why === undefined ? now() - due : null, failure: why })));
      }
    }
    await Promise.all(inFlight);
    process.send(samples, () => process.disconnect());
  })();
});
