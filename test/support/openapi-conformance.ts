import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { apiRouteTable } from '../../routes/api';
import { buildOpenApi } from '../../routes/http/openapi';
import { TEST_PUBLIC_BASE_URL } from './harness';

/**
 * Checks real API responses against the OpenAPI document the service publishes: the status must be
 * documented for that operation and the JSON body must match its schema. Every test that goes through
 * `apiAs` is checked this way, so the document cannot drift from what the service returns.
 */
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

let state: { doc: Doc; ajv: Ajv2020; matchers: { method: string; template: string; re: RegExp }[] } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load() {
  if (state) return state;
  const doc = buildOpenApi(apiRouteTable(TEST_PUBLIC_BASE_URL), { serverUrl: TEST_PUBLIC_BASE_URL, version: 'test' }) as unknown as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc as object, 'openapi.json');
  const matchers = Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.keys(ops).map((method) => ({
      method,
      template,
      re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })),
  );
  state = { doc, ajv, matchers };
  return state;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export function conformanceProblems(method: string, url: string, status: number, contentType: string, body: unknown): string[] {
  const { doc, ajv, matchers } = load();
  const path = url.split('?')[0]!;
  const m = method.toLowerCase();
  // Literal paths win over templated ones (/api/clients vs /api/clients/{id}).
  const candidates = matchers.filter((x) => x.method === m && x.re.test(path));
  const match = candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
  if (!match) {
    return status === 404 || status === 401 ? [] : [`${method} ${path} answered ${status} but is not in the OpenAPI document`];
  }
  const response = doc.paths[match.template]![m]!.responses[String(status)];
  if (!response) return [`${method} ${match.template} answered ${status}, which the document does not list`];
  if (!response.content) return [];
  const media = Object.keys(response.content).find((m) => contentType.startsWith(m));
  if (!media) return [`${method} ${match.template} ${status}: content type ${contentType}, documented ${Object.keys(response.content).join(', ')}`];
  if (media !== 'application/json') return [];
  const key = `${m} ${match.template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({
      $ref: `openapi.json#/${pointer('paths', match.template, m, 'responses', String(status), 'content', media, 'schema')}`,
    });
    compiled.set(key, validate);
  }
  if (validate(body)) return [];
  return [`${method} ${match.template} ${status} body does not match the document: ${ajv.errorsText(validate.errors)}`];
}
