import { z } from 'zod';

// zod 4 → OpenAPI 3.0 schemas. Named schemas (`.meta({ id })`) become components and are referred
// to by $ref; openApiComponents() holds every one met so far, for the document's post-processing.

type JsonSchema = Record<string, unknown>;

const components = new Map<string, JsonSchema>();

/** Rewrites zod's `#/definitions/X` references to OpenAPI components. */
function toComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponents);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/components/schemas/') : toComponents(v),
      ]),
    );
  }
  return value;
}

/** The OpenAPI schema of a zod schema; its named parts are kept as components. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { definitions, ...root } = z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io }) as JsonSchema & {
    definitions?: Record<string, JsonSchema>;
  };
  for (const [id, definition] of Object.entries(definitions ?? {})) components.set(id, toComponents(definition) as JsonSchema);
  delete root.$schema;
  return toComponents(root) as JsonSchema;
}

/** Every named schema met by openApiSchema, to merge into the document's components.schemas. */
export function openApiComponents(): Record<string, JsonSchema> {
  return Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b)));
}

/** The properties of an object schema (a query string's parameters), with whether each is required. */
export function queryParameters(schema: z.ZodObject): { name: string; required: boolean; schema: JsonSchema; description?: string }[] {
  const json = openApiSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      required: json.required?.includes(name) ?? false,
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}
