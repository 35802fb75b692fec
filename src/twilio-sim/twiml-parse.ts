import { DOMParser, onErrorStopParsing, type Element as XmlElement } from '@xmldom/xmldom';

/** A light, assertion-friendly view of a TwiML element. */
export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  /** Concatenated direct text content (text and CDATA children), trimmed. */
  text: string;
  children: TwimlNode[];
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function toNode(el: XmlElement): TwimlNode {
  const attrs: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (a) attrs[a.name] = a.value;
  }
  const children: TwimlNode[] = [];
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) children.push(toNode(n as XmlElement));
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
  }
  return { name: el.tagName, attrs, text: text.trim(), children };
}

/**
 * Parses a TwiML document into a light tree rooted at `<Response>`.
 * Throws on malformed XML (any parser warning or error counts) or on another root element.
 */
export function parseTwiml(xml: string): TwimlNode {
  const parser = new DOMParser({ onError: onErrorStopParsing });
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = parser.parseFromString(xml, 'text/xml');
  } catch (err) {
    throw new Error(`TwiML is not well-formed XML: ${(err as Error).message}`);
  }
  const root = doc.documentElement;
  if (!root) throw new Error('TwiML has no root element');
  if (root.tagName !== 'Response') throw new Error(`TwiML root is <${root.tagName}>, expected <Response>`);
  return toNode(root);
}

/** Every element named `name` below (and including) `tree`, in document order. */
export function findAll(tree: TwimlNode, name: string): TwimlNode[] {
  const out: TwimlNode[] = [];
  const walk = (n: TwimlNode): void => {
    if (n.name === name) out.push(n);
    n.children.forEach(walk);
  };
  walk(tree);
  return out;
}

/** The first element named `name`; throws naming what is missing and what is there. */
export function findOne(tree: TwimlNode, name: string): TwimlNode {
  const found = findAll(tree, name)[0];
  if (!found) {
    throw new Error(`expected a <${name}> in <${tree.name}>, found only: ${describe(tree)}`);
  }
  return found;
}

/** Names of the direct children, e.g. ['Gather', 'Say', 'Hangup']: handy for verb-order assertions. */
export function verbs(tree: TwimlNode): string[] {
  return tree.children.map((c) => c.name);
}

function describe(n: TwimlNode): string {
  const inner = n.children.map(describe).join('');
  return inner ? `<${n.name}>${inner}</${n.name}>` : `<${n.name}/>`;
}
