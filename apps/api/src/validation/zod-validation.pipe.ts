import { applyDecorators, ArgumentMetadata, BadRequestException, Injectable, PipeTransform, UsePipes } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { requestError } from '@bu/contracts';
import { openApiSchema, queryParameters } from './openapi-schema';

/** What a handler's input must look like: its body and its whole query string (`@Query()` without a name). */
export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodObject;
}

/**
 * The one way requests are validated: zod schemas from @bu/contracts. A body or query string that
 * fails gets 400 with the first rule's Danish message (the shape every handler answered with
 * before: `{ statusCode, message, error }`); one that passes reaches the handler parsed (defaults
 * filled in, unknown keys dropped). Other parameters (the user, route params) pass untouched.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  constructor(private readonly schemas: RequestSchemas) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema =
      metadata.type === 'body'
        ? this.schemas.body
        : metadata.type === 'query' && metadata.data === undefined
          ? this.schemas.query
          : undefined;
    if (!schema) return value;
    const parsed = schema.safeParse(value ?? {}, { error: requestError });
    if (!parsed.success) throw new BadRequestException(parsed.error.issues[0]?.message ?? 'Ugyldig forespørgsel');
    return parsed.data;
  }
}

/**
 * Validates the handler's body and/or query string with the schemas and documents them (and,
 * when given, the 200 response) in the OpenAPI description from the same source.
 */
export function Validate(schemas: RequestSchemas & { response?: z.ZodType; status?: number }): MethodDecorator {
  const { response, status, ...request } = schemas;
  return applyDecorators(
    UsePipes(new ZodValidationPipe(request)),
    ...(request.body ? [ApiBody({ schema: openApiSchema(request.body, 'input') })] : []),
    ...(request.query ? queryParameters(request.query).map((p) => ApiQuery(p)) : []),
    ...(response ? [ApiResponseSchema(response, status)] : []),
  );
}

/** Documents a handler's response (200 unless told) with a schema from @bu/contracts. */
export function ApiResponseSchema(schema: z.ZodType, status = 200): MethodDecorator {
  return ApiResponse({ status, schema: openApiSchema(schema) });
}
