// npm run demo:generate -- [dir] — writes a DUBU-style demo export (Faxe, 2,000 children).
import { copenhagenDate } from '@bu/domain';
import { generateDubuExport } from './demo/generate-dubu';

const exportDate = copenhagenDate(new Date());
const dir = process.argv[2] ?? '.data/demo/dubu-320';
generateDubuExport(dir, {
  municipalityCode: 320,
  seed: 320,
  children: 2000,
  firstYear: Number(exportDate.slice(0, 4)) - 4,
  exportDate,
  messy: true,
}).then(
  (r) => console.log(`Wrote ${r.files.length} files to ${dir}; messy rows: ${JSON.stringify(r.stats)}`),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
