import fs from 'node:fs';
import path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { findTwilioReferenceDir } from './reference-dir';
import { parseTwiml, type TwimlNode } from './twiml-parse';
import { structuralErrors } from './twiml-structure';

export interface TwimlValidationResult {
  valid: boolean;
  errors: string[];
  /** True when Twilio's XSD took part; false without the reference directory (structural rules only). */
  schemaChecked: boolean;
}

const MAIN_XSD = 'twiml_v20100401_twilioRealtimeCallSchema.xsd';
/** synthesis-nonamespace.xsd imports this location; xmllint-wasm finds the preloaded file under it. */
const XML_XSD_IMPORT = 'http://www.w3.org/2001/xml.xsd';

interface SchemaFiles {
  schema: XMLFileInfo[];
  preload: XMLFileInfo[];
}

const schemaCache = new Map<string, SchemaFiles>();

function loadSchema(dir: string): SchemaFiles {
  const cached = schemaCache.get(dir);
  if (cached) return cached;
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const files: SchemaFiles = {
    schema: [{ fileName: MAIN_XSD, contents: read(MAIN_XSD) }],
    preload: [
      { fileName: 'twilio-extensions.xsd', contents: read('twilio-extensions.xsd') },
      { fileName: 'synthesis-nonamespace.xsd', contents: read('synthesis-nonamespace.xsd') },
      { fileName: XML_XSD_IMPORT, contents: read('xml.xsd') },
    ],
  };
  schemaCache.set(dir, files);
  return files;
}

// ---------------------------------------------------------------------------------------------
// Schema validation. xmllint-wasm starts a worker and re-parses the schemas on every call
// (~100-150 ms here), whatever we cache. Calls made in the same tick are therefore coalesced
// into one xmllint run over several documents (20 documents take ~280 ms in one run).

interface Pending {
  xml: string;
  resolve: (errors: string[]) => void;
  reject: (err: unknown) => void;
}

const queues = new Map<string, Pending[]>();

function schemaErrors(xml: string, dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(dir);
    if (!queue) {
      queue = [];
      queues.set(dir, queue);
      setImmediate(() => {
        queues.delete(dir);
        void runBatch(dir, queue!);
      });
    }
    queue.push({ xml, resolve, reject });
  });
}

async function runBatch(dir: string, batch: Pending[]): Promise<void> {
  try {
    const results = await xmllintMany(
      dir,
      batch.map((p) => p.xml),
    );
    batch.forEach((p, i) => {
      p.resolve(results[i] ?? []);
    });
  } catch (err) {
    if (batch.length === 1) {
      batch[0]!.reject(err);
      return;
    }
    // One document may have upset xmllint as a whole: retry each on its own.
    for (const p of batch) {
      xmllintMany(dir, [p.xml]).then((r) => p.resolve(r[0] ?? []), p.reject);
    }
  }
}

async function xmllintMany(dir: string, docs: string[]): Promise<string[][]> {
  const { schema, preload } = loadSchema(dir);
  const names = docs.map((_, i) => `twiml-${i}.xml`);
  const result = await validateXML({
    xml: docs.map((contents, i) => ({ fileName: names[i]!, contents })),
    schema,
    preload,
  });
  const errors: string[][] = docs.map(() => []);
  let current = -1;
  for (const line of result.rawOutput.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^twiml-(\d+)\.xml(?::(\d+):)?\s*(.*)$/.exec(line);
    if (m) {
      current = Number(m[1]);
      const rest = m[3] ?? '';
      if (/^(validates|fails to validate)$/.test(rest)) continue;
      const msg = rest.replace(/^(element \S+: )?Schemas validity error : /, '');
      errors[current]?.push(m[2] ? `line ${m[2]}: ${msg}` : msg);
    } else if (current >= 0 && !/^\s*\^\s*$/.test(line)) {
      // Context lines after a parser error: keep them with that document's last error.
      const list = errors[current]!;
      if (list.length > 0) list[list.length - 1] += ` | ${line.trim()}`;
    }
  }
  docs.forEach((_, i) => {
    // A document that did not validate must never come back without an error.
    if (errors[i]!.length === 0 && new RegExp(`^twiml-${i}\\.xml fails to validate`, 'm').test(result.rawOutput)) {
      errors[i]!.push('fails to validate (xmllint gave no detail)');
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Checks the schema cannot make.

/** Attributes that hold a URL Twilio will request. */
function isUrlAttribute(name: string): boolean {
  return name === 'action' || name === 'url' || /Url$/.test(name) || /Callback$/.test(name);
}

function isMethodAttribute(name: string): boolean {
  return name === 'method' || /Method$/.test(name);
}

/** Twilio's connection overrides in the URL fragment, with the documented ranges (ms, count). */
const FRAGMENT_RANGES: Record<string, [number, number]> = {
  ct: [100, 10000],
  rt: [100, 15000],
  tt: [100, 15000],
  rc: [0, 5],
};

function checkAbsoluteUrl(value: string, where: string, schemes: string[], errors: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    errors.push(`${where}: "${value}" is not an absolute URL (Twilio would resolve it against the request URL)`);
    return;
  }
  if (!schemes.includes(url.protocol)) {
    errors.push(`${where}: "${value}" must use ${schemes.join(' or ')}`);
    return;
  }
  if (url.hash.length > 1) {
    for (const part of url.hash.slice(1).split('&')) {
      const [key, raw] = part.split('=');
      const range = key ? FRAGMENT_RANGES[key] : undefined;
      if (!range) continue;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
        errors.push(`${where}: connection override #${key}=${raw} must be an integer ${range[0]}-${range[1]}`);
      }
    }
  }
}

const HTTP = ['http:', 'https:'];
/** Verbs after which nothing in the same document runs. */
const TERMINAL = new Set(['Hangup', 'Reject', 'Redirect']);
/** Verbs that, given an action URL, continue the call there rather than with the next verb. */
const TERMINAL_WITH_ACTION = new Set(['Dial', 'Record', 'Enqueue']);

/** Verbs in the wrong place: <Reject> after the first, anything after a verb that ends the document. */
function orderErrors(verbsList: TwimlNode[], errors: string[]): void {
  verbsList.forEach((verb, i) => {
    if (verb.name === 'Reject' && i > 0) {
      errors.push(`<Reject> is verb ${i + 1}: only as the first verb does it leave the call unanswered and unbilled`);
    }
    const ends = TERMINAL.has(verb.name) || (TERMINAL_WITH_ACTION.has(verb.name) && verb.attrs.action !== undefined);
    const next = verbsList[i + 1];
    if (ends && next) {
      errors.push(`<${next.name}> after <${verb.name}${verb.attrs.action ? ' action' : ''}> is unreachable`);
    }
  });
}

/** URL and method attributes of one node (a <Start><Stream> URL is a wss: one). */
function attributeErrors(node: TwimlNode, where: string, underStart: boolean, errors: string[]): void {
  for (const [name, value] of Object.entries(node.attrs)) {
    if (underStart && node.name === 'Stream' && name === 'url') {
      checkAbsoluteUrl(value, `${where}@${name}`, ['wss:'], errors);
    } else if (isUrlAttribute(name)) {
      checkAbsoluteUrl(value, `${where}@${name}`, HTTP, errors);
    } else if (isMethodAttribute(name) && value !== 'GET' && value !== 'POST') {
      errors.push(`${where}@${name}: "${value}" must be GET or POST`);
    }
  }
}

/** The rules of one verb or noun that its attributes alone do not show. */
function nodeErrors(node: TwimlNode, where: string, errors: string[]): void {
  switch (node.name) {
    case 'Play':
      if (node.text) checkAbsoluteUrl(node.text, `${where} text`, HTTP, errors);
      else if (node.attrs.digits === undefined) errors.push(`${where}: needs a URL or a digits attribute`);
      break;
    case 'Redirect':
      if (node.text) checkAbsoluteUrl(node.text, `${where} text`, HTTP, errors);
      else errors.push(`${where}: needs a URL`);
      break;
    case 'Sip':
      if (node.text && !/^sips?:/i.test(node.text)) errors.push(`${where}: "${node.text}" is not a sip: URI`);
      if (!node.text && !node.children.some((c) => c.name === 'Uri')) errors.push(`${where}: no SIP URI`);
      break;
    case 'Uri':
      if (!/^sips?:/i.test(node.text)) errors.push(`${where}: "${node.text}" is not a sip: URI`);
      break;
    case 'Dial':
      if (!node.text && node.children.length === 0) errors.push(`${where}: nothing to dial`);
      break;
    case 'Gather':
      if (node.attrs.finishOnKey !== undefined && !/^[0-9#*]?$/.test(node.attrs.finishOnKey)) {
        errors.push(`${where}@finishOnKey: "${node.attrs.finishOnKey}" must be one of 0-9 # * or empty`);
      }
      if (node.attrs.numDigits !== undefined && !(Number(node.attrs.numDigits) >= 1)) {
        errors.push(`${where}@numDigits: must be at least 1`);
      }
      break;
  }
}

function semanticErrors(tree: TwimlNode): string[] {
  const errors: string[] = [];
  orderErrors(tree.children, errors);
  const walk = (node: TwimlNode, trail: string, underStart: boolean): void => {
    const where = `${trail}/${node.name}`;
    attributeErrors(node, where, underStart, errors);
    nodeErrors(node, where, errors);
    // Publish and Start take any content; only Start's Stream URL is checked above.
    if (node.name === 'Publish') return;
    for (const child of node.children) walk(child, where, underStart || node.name === 'Start');
  };
  walk(tree, '', false);
  return errors;
}

/**
 * Validates a TwiML voice document against Twilio's current schema plus the rules the schema
 * cannot express (absolute URLs, GET/POST methods, <Reject> first, no unreachable verbs...).
 * Without Twilio's XSD (the reference directory is not on npm, so a user's clone has none), the
 * simulator's verb schema stands in for it: every rule of ours still applies.
 */
export async function validateTwiml(xml: string, opts: { referenceDir?: string } = {}): Promise<TwimlValidationResult> {
  const dir = opts.referenceDir ?? findTwilioReferenceDir();
  const errors = dir ? await schemaErrors(xml, dir) : [];
  let tree: TwimlNode | null = null;
  try {
    tree = parseTwiml(xml);
  } catch (err) {
    // The schema run reports malformed XML and a wrong root already; add the parser's word if not.
    if (errors.length === 0) errors.push((err as Error).message);
  }
  if (tree) {
    errors.push(...semanticErrors(tree));
    if (!dir) errors.push(...structuralErrors(tree));
  }
  return { valid: errors.length === 0, errors, schemaChecked: dir !== null };
}

/** Throws an Error listing every problem with the document (for tests). */
export async function assertValidTwiml(xml: string, opts: { referenceDir?: string } = {}): Promise<void> {
  const { valid, errors } = await validateTwiml(xml, opts);
  if (!valid) {
    throw new Error(`invalid TwiML (${errors.length} error(s)):\n  - ${errors.join('\n  - ')}\n${xml}`);
  }
}
