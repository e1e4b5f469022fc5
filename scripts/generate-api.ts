import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { OPENAPI_JSON, openApiJson, SCHEMA_TS, schemaTs } from './lib/openapi';

// npm run generate:api: writes the API's OpenAPI description (apps/web/src/api/openapi.json) and
// the web client's types made from it by openapi-typescript (apps/web/src/api/schema.ts). Run it
// after changing a route, a decorator or a schema in @bu/contracts: test/api/openapi-generated.test.ts
// fails while the committed files are stale.

async function main(): Promise<void> {
  mkdirSync(dirname(OPENAPI_JSON), { recursive: true });
  writeFileSync(OPENAPI_JSON, await openApiJson());
  writeFileSync(SCHEMA_TS, schemaTs(OPENAPI_JSON));
  console.log('Wrote apps/web/src/api/openapi.json and apps/web/src/api/schema.ts');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
