import { z } from 'zod';
import type { RouteSpec } from './route-spec';

/**
 * OpenAPI 3.1 generated from the very schemas that validate requests (zod's JSON Schema output is
 * draft 2020-12, which OpenAPI 3.1 uses as is). Request bodies are documented as input (defaults make
 * fields optional), responses as output.
 */
type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const defs = (out.$defs ?? {}) as Record<string, JsonSchema>;
  delete out.$defs;
  delete out.$schema;
  // Hoist named schemas into components; input and output shapes of one id differ, so suffix inputs.
  const rename = (name: string) => (io === 'input' ? `${name}Input` : name);
  for (const [name, def] of Object.entries(defs)) components[rename(name)] = rewriteRefs(def, rename);
  return rewriteRefs(out, rename);
}

function rewriteRefs(node: JsonSchema, rename: (n: string) => string): JsonSchema {
  return JSON.parse(JSON.stringify(node).replace(/"#\/\$defs\/([^"]+)"/g, (_m, name: string) => `"#/components/schemas/${rename(name)}"`)) as JsonSchema;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Record<string, JsonSchema>) {
  if (!schema) return [];
  const obj = toSchema(schema, 'input', components);
  const props = (obj.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((obj.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

export function buildOpenApi(routes: RouteSpec[], opts: { serverUrl: string; version: string }): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = `/api${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const responses: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(r.responses)) {
      const content: Record<string, unknown> = {};
      if (doc.schema) content[doc.contentType ?? 'application/json'] = { schema: toSchema(doc.schema, 'output', components) };
      else if (doc.contentType) content[doc.contentType] = {};
      for (const alt of doc.alternatives ?? []) {
        content[alt.contentType] = alt.schema ? { schema: toSchema(alt.schema, 'output', components) } : {};
      }
      responses[status] = Object.keys(content).length ? { description: doc.description, content } : { description: doc.description };
    }
    const op: Record<string, unknown> = {
      operationId: `${r.method}${p.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path', components), ...parameters(r.query, 'query', components)],
      responses,
    };
    if (r.public) op.security = [];
    if (r.body) {
      const content: Record<string, unknown> = {};
      const kind = r.bodyKind ?? 'json';
      if (kind !== 'multipart') content['application/json'] = { schema: toSchema(r.body, 'input', components) };
      if (kind !== 'json') content['multipart/form-data'] = { schema: toSchema(r.multipartBody ?? r.body, 'input', components) };
      op.requestBody = { required: true, content };
    }
    (paths[p] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Callback service configuration API',
      version: opts.version,
      description:
        'Configure clients, channels and numbers, rate tables, callback extensions, authorized caller IDs, caller IDs and sounds. ' +
        'Authenticate with `Authorization: Bearer <key>`: the operator key sees everything, a client key only its own objects (others answer 404).',
    },
    servers: [{ url: opts.serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
