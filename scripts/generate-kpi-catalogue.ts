// npm run generate:kpi-catalogue — writes libs/contracts/src/kpi-catalogue.ts from the KPI registry.
// Run it after adding a KPI or changing a KPI's title, unit, shape, roles or higherIsBetter.
import { writeFileSync } from 'fs';
import { KPI_CATALOGUE_PATH, kpiCatalogueSource } from './lib/kpi-catalogue';

kpiCatalogueSource().then(
  (text) => {
    writeFileSync(KPI_CATALOGUE_PATH, text);
    console.log(`Wrote ${KPI_CATALOGUE_PATH}`);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
