// npm run bench -- <etl> [size] — benchmarks that print figures (speed is measured here, never in timed tests).
import { benchEtl } from '../bench/etl';

const [what, size] = process.argv.slice(2);
const run: Record<string, () => Promise<void>> = {
  etl: () => benchEtl(Number(size ?? 1_000_000)),
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
