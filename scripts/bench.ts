// npm run bench -- <etl|api|browser|login|scale> [rows [--rejected] | --fresh --scale x | [--national] runs | etl|sets|saturation] — benchmarks that print figures (speed is measured here, never in timed tests).
import { benchApi } from '../bench/api';
import { benchBrowser } from '../bench/browser';
import { benchEtl } from '../bench/etl';
import { benchLogin } from '../bench/login';
import { benchScale } from '../bench/scale';

const [what, ...args] = process.argv.slice(2);
const size = args.find((a) => !a.startsWith('--'));
const run: Record<string, () => Promise<void>> = {
  etl: () => benchEtl(Number(size ?? 1_000_000), { rejected: args.includes('--rejected') }),
  api: () => benchApi(args),
  browser: () => benchBrowser(args),
  login: () => benchLogin(Number(size ?? 10)),
  scale: () => benchScale(args),
};
if (!what || !run[what]) {
  console.error(`Brug: npm run bench -- <${Object.keys(run).join('|')}> [antal]`);
  process.exit(2);
}
run[what]().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
