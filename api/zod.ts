/**
 * Zod schemas on Fastify routes: a type provider (handlers see the parsed, typed values), the
 * validator and serializer compilers, and the OpenAPI transform (zod → JSON Schema with zod 4's
 * built-in `z.toJSONSchema`). Route schemas hold zod objects; @fastify/swagger sees JSON Schema.
 */
import type { FastifyInstance, FastifySchema, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';

/** Fastify type provider: request parts typed as the zod output, replies as the zod input. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** A request that failed its schema: 400 `invalid_input`, with one sentence per problem. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'invalid_input';
  readonly validationContext: HttpPart;
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(part: HttpPart, issues: readonly z.core.$ZodIssue[]) {
    super(formatIssues(part, issues));
    this.name = 'RequestValidationError';
    this.validationContext = part;
    this.issues = issues;
  }
}

const PART_NAMES: Record<HttpPart, string> = {
  body: 'body field',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/**
 * One readable sentence per issue, joined with "; ". Our schemas word their own messages with the
 * field's name; zod's generic messages get the field path put in front.
 */
export function formatIssues(part: HttpPart, issues: readonly z.core.$ZodIssue[]): string {
  const out: string[] = [];
  for (const issue of issues.slice(0, 10)) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      out.push(`unknown ${PART_NAMES[part]}${issue.keys.length > 1 ? 's' : ''} ${keys}`);
      continue;
    }
    if (part === 'body' && field === '' && issue.code === 'invalid_type') {
      out.push('body must be a JSON object');
      continue;
    }
    const msg = issue.message;
    // Messages written in our schemas name their field; zod's own ones do not.
    const head = (field.split('.').pop() ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const named = head !== '' && new RegExp(`\\b${head}\\b`, 'i').test(msg);
    out.push(field && !named ? `${field}: ${msg}` : msg);
  }
  return out.join('; ');
}

function isZod(schema: unknown): schema is z.ZodType {
  return schema instanceof z.ZodType;
}

/**
 * Installs the zod compilers on `app` (encapsulated: routes registered inside `app` and its children).
 * Headers are only checked, never replaced (request.headers stays Node's object).
 */
export function useZodCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZod(schema)) throw new Error(`route schema for ${httpPart} is not a zod schema`);
    const part = (httpPart ?? 'body') as HttpPart;
    return (data: unknown) => {
      const input = part === 'body' && data === null ? undefined : data;
      const result = schema.safeParse(input);
      if (!result.success) return { error: new RequestValidationError(part, result.error.issues) };
      return part === 'headers' ? {} : { value: result.data };
    };
  });
  app.setSerializerCompiler(({ schema }) => {
    if (!isZod(schema)) return (data: unknown) => JSON.stringify(data);
    // Parsing the reply keeps the documented shape honest and strips internal fields.
    return (data: unknown) => JSON.stringify(schema.parse(data));
  });
}

/** zod → JSON Schema for OpenAPI 3.1 (draft 2020-12), without the `$schema` key. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** @fastify/swagger `transform`: route schemas holding zod objects become JSON Schema. */
export function swaggerTransform({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
    const s = schema[part];
    if (isZod(s)) out[part] = toJsonSchema(s, 'input');
  }
  if (schema.response && typeof schema.response === 'object') {
    const responses: Record<string, unknown> = {};
    for (const [code, s] of Object.entries(schema.response as Record<string, unknown>)) {
      responses[code] = isZod(s) ? toJsonSchema(s, 'output') : s;
    }
    out.response = responses;
  }
  return { schema: out as FastifySchema, url };
}
