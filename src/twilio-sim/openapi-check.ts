import fs from 'node:fs';
import Ajv, { type ValidateFunction, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { findTwilioOpenApiFile } from './reference-dir';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export type FormParams = Record<string, string | string[]>;

export interface MatchedOperation {
  operationId: string;
  method: string;
  template: string;
  pathParams: Record<string, string>;
}

interface OperationEntry {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  paramNames: string[];
  op: JsonObject;
  checkers?: { path: ValidateFunction; query: ValidateFunction; form: ValidateFunction | null };
}

/**
 * Twilio's OpenAPI description of the 2010-04-01 API, turned into request checkers.
 * The 1.8 MB file is parsed once per directory; an operation's checkers are compiled the first
 * time it is seen and kept (compiling all ~200 operations up front would cost seconds for nothing).
 */
export class TwilioOpenApi {
  private readonly ajv: Ajv;
  private readonly operations: OperationEntry[] = [];
  private readonly responseCheckers = new Map<string, ValidateFunction>();

  constructor(private readonly spec: JsonObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: 'array', useDefaults: false });
    addFormats(this.ajv);
    // Twilio's own formats. Kept permissive where the platform's rules are not published.
    this.ajv.addFormat('http-method', /^(GET|POST)$/);
    this.ajv.addFormat('endpoint', /\S/);
    this.ajv.addFormat('twiml', /\S/);
    this.ajv.addFormat('phone-number', /^[+\d*() .-]+$/);
    this.ajv.addFormat('date-time-rfc-2822', (s: string) => !Number.isNaN(Date.parse(s)));
    this.ajv.addFormat('currency', /^[A-Za-z]{3}$/);
    this.ajv.addFormat('iso-country-code', /^[A-Za-z]{2}$/);
    for (const f of ['uri-map', 'phone-number-capabilities', 'ice-server']) this.ajv.addFormat(f, true);

    const paths = (spec.paths ?? {}) as Record<string, JsonObject>;
    for (const [template, item] of Object.entries(paths)) {
      const paramNames: string[] = [];
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (m) {
            paramNames.push(m[1]!);
            return '([^/]+)';
          }
          return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        })
        .join('');
      for (const [method, op] of Object.entries(item)) {
        if (!op || typeof op !== 'object' || Array.isArray(op) || typeof op.operationId !== 'string') continue;
        this.operations.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          template,
          regex: new RegExp(`^${pattern}$`),
          paramNames,
          op,
        });
      }
    }
  }

  /** The operation for this method and path, or null when Twilio's API has none. */
  match(method: string, pathname: string): MatchedOperation | null {
    for (const e of this.operations) {
      if (e.method !== method.toUpperCase()) continue;
      const m = e.regex.exec(pathname);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      e.paramNames.forEach((n, i) => {
        pathParams[n] = decodeURIComponent(m[i + 1]!);
      });
      return { operationId: e.operationId, method: e.method, template: e.template, pathParams };
    }
    return null;
  }

  /** Checks path, query and form parameters; returns one line per violation (empty when fine). */
  checkRequest(match: MatchedOperation, query: FormParams, form: FormParams): string[] {
    const entry = this.operations.find((e) => e.operationId === match.operationId && e.method === match.method);
    if (!entry) return [`unknown operation ${match.operationId}`];
    const checkers = (entry.checkers ??= this.compileOperation(entry));
    const out: string[] = [];
    const run = (label: string, fn: ValidateFunction, data: FormParams | Record<string, string>) => {
      // ajv coerces in place: hand it a copy so the recorded request keeps the raw strings.
      if (!fn(structuredClone(data))) out.push(...formatErrors(`${match.operationId} ${label}`, fn.errors));
    };
    run('path', checkers.path, match.pathParams);
    run('query', checkers.query, query);
    if (checkers.form) run('form', checkers.form, form);
    else if (Object.keys(form).length > 0) {
      out.push(`${match.operationId} form: takes no form body, got ${Object.keys(form).join(', ')}`);
    }
    return out;
  }

  /** Checks a response body the stand-in produced against a component schema (self-check). */
  checkComponent(schemaName: string, body: unknown): string[] {
    let fn = this.responseCheckers.get(schemaName);
    if (!fn) {
      const schema = this.resolve({ $ref: `#/components/schemas/${schemaName}` });
      fn = this.ajv.compile(schema as object);
      this.responseCheckers.set(schemaName, fn);
    }
    return fn(structuredClone(body)) ? [] : formatErrors(`response ${schemaName}`, fn.errors);
  }

  /** Names of the form fields an operation accepts (for tests and messages). */
  formFields(operationId: string): string[] {
    const entry = this.operations.find((e) => e.operationId === operationId);
    const schema = entry ? formSchema(entry.op) : null;
    return schema ? Object.keys((this.resolve(schema) as JsonObject).properties ?? {}) : [];
  }

  private compileOperation(entry: OperationEntry): NonNullable<OperationEntry['checkers']> {
    const params = ((entry.op.parameters ?? []) as JsonObject[]).map((p) => this.resolve(p) as JsonObject);
    const objectOf = (where: string) => {
      const properties: Record<string, Json> = {};
      const required: string[] = [];
      for (const p of params.filter((x) => x.in === where)) {
        properties[p.name as string] = (p.schema ?? {}) as Json;
        if (p.required === true) required.push(p.name as string);
      }
      return { type: 'object', properties, required, additionalProperties: false };
    };
    const form = formSchema(entry.op);
    return {
      path: this.ajv.compile(objectOf('path')),
      query: this.ajv.compile(objectOf('query')),
      form: form ? this.ajv.compile({ ...(this.resolve(form) as JsonObject), additionalProperties: false }) : null,
    };
  }

  /** Inlines local $refs (Twilio's request schemas reference enums and a few objects, no cycles). */
  private resolve(node: Json, depth = 0): Json {
    if (depth > 50) throw new Error('OpenAPI $ref nesting too deep');
    if (Array.isArray(node)) return node.map((n) => this.resolve(n, depth + 1));
    if (!node || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string') {
      const target = node.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<Json>((acc, key) => (acc && typeof acc === 'object' && !Array.isArray(acc) ? (acc[key] ?? null) : null), this.spec);
      if (target === null) throw new Error(`unresolved $ref ${node.$ref}`);
      return this.resolve(target, depth + 1);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'description' || k === 'examples' || k === 'example') continue;
      out[k] = this.resolve(v, depth + 1);
    }
    return out;
  }
}

function formSchema(op: JsonObject): Json | null {
  const content = ((op.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
  const form = content['application/x-www-form-urlencoded'] as JsonObject | undefined;
  return form?.schema ?? null;
}

function formatErrors(prefix: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'additionalProperties') {
      return `${prefix}: unknown field ${String((e.params as { additionalProperty: string }).additionalProperty)}`;
    }
    if (e.keyword === 'required') {
      return `${prefix}: missing required field ${String((e.params as { missingProperty: string }).missingProperty)}`;
    }
    const field = e.instancePath.replace(/^\//, '') || '(body)';
    const extra = e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}` : '';
    return `${prefix}: ${field} ${e.message ?? e.keyword}${extra}`;
  });
}

const specCache = new Map<string, TwilioOpenApi>();

/** The checker for Twilio's OpenAPI file (see findTwilioOpenApiFile), parsed once per file. */
export function loadTwilioOpenApi(referenceDir?: string): TwilioOpenApi {
  const file = findTwilioOpenApiFile(referenceDir);
  if (!file) {
    throw new Error(
      referenceDir
        ? `Twilio's OpenAPI description is not in ${referenceDir}`
        : "Twilio's OpenAPI description was not found: it comes with the devDependency @twilio/cli-core (npm ci)",
    );
  }
  let api = specCache.get(file);
  if (!api) {
    api = new TwilioOpenApi(JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject);
    specCache.set(file, api);
  }
  return api;
}
