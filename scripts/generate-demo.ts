// npm run demo:generate -- [dir] — writes a DUBU-style demo export (Odense, 600 children).
import { copenhagenDate } from '@bu/domain';
import { generateDubuExport } from './demo/generate-dubu';

const exportDate = copenhagenDate(new Date());
const dir = process.argv[2] ?? '.data/demo/dubu-461';
generateDubuExport(dir, { municipalityCode: 461, seed: 461, children: 600, firstYear: Number(exportDate.slice(0, 4)) - 4, exportDate, messy: true }).then(
  (r) => console.log(`Wrote ${r.files.length} files to ${dir}; messy rows: ${JSON.stringify(r.stats)}`),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
