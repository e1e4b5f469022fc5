import { readFileSync } from 'fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_JSON, openApiJson, SCHEMA_TS, schemaTs } from '../../scripts/lib/openapi';

// The web client's types come from the API's OpenAPI description, which comes from the controllers'
// decorators and the schemas in @bu/contracts. Committed, they must be current: after a change,
// `npm run generate:api` writes both files again.

describe('generated API description and web client types', () => {
  it('apps/web/src/api/openapi.json is what the API describes now', async () => {
    expect(readFileSync(OPENAPI_JSON, 'utf8'), 'stale: run npm run generate:api').toBe(await openApiJson());
  });

  it('apps/web/src/api/schema.ts is what openapi-typescript makes of it', () => {
    expect(readFileSync(SCHEMA_TS, 'utf8'), 'stale: run npm run generate:api').toBe(schemaTs(OPENAPI_JSON));
  });
});
