/**
 * A resolved record tree in the evtx_dump JSON shape: attributes under `#attributes`, text as typed
 * values, `<Data Name="X">v</Data>` as `X: v`, empty elements as null, repeated names as arrays.
 */
import type { AttributeNode, ElementNode, XmlNode } from './binxml/nodes.js';
import { valueToJson, valueToXmlText, type JsonValue } from './binxml/values.js';

type JsonObject = { [key: string]: JsonValue };

function partsJson(parts: readonly XmlNode[]): JsonValue {
  const values = parts.filter((p) => p.k === 'v' || p.k === 'c' || p.k === 'n' || p.k === 'd');
  if (values.length === 1 && values[0]!.k === 'v') {
    const value = valueToJson(values[0]!.value);
    // evtx_dump trims trailing whitespace from text; SigmaHQ's regression data (and rules tuned on
    // it) see values that way, so our Events do too. The XML rendering keeps the exact text.
    return typeof value === 'string' ? value.trimEnd() : value;
  }
  let text = '';
  for (const part of values) {
    if (part.k === 'v') text += valueToXmlText(part.value);
    else if (part.k === 'c') text += String.fromCharCode(part.code);
    else if (part.k === 'n') text += ENTITIES[part.name] ?? `&${part.name};`;
    else if (part.k === 'd') text += part.text;
  }
  return values.length === 0 ? null : text;
}

function partsText(parts: readonly XmlNode[]): string {
  const value = partsJson(parts);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function attributesJson(attrs: readonly AttributeNode[]): JsonObject | undefined {
  if (attrs.length === 0) return undefined;
  const out: JsonObject = {};
  for (const a of attrs) out[a.name] = partsJson(a.parts);
  return out;
}

function addChild(target: JsonObject, key: string, value: JsonValue): void {
  if (!(key in target)) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  if (Array.isArray(existing) && (existing as unknown as { repeated?: boolean }).repeated)
    existing.push(value);
  else {
    const list: JsonValue[] = [existing ?? null, value];
    Object.defineProperty(list, 'repeated', { value: true, enumerable: false });
    target[key] = list;
  }
}

export function elementJson(el: ElementNode): JsonValue {
  const attributes = attributesJson(el.attrs);
  const elements = el.children.filter((c): c is ElementNode => c.k === 'e');
  if (elements.length > 0) {
    const out: JsonObject = {};
    if (attributes) out['#attributes'] = attributes;
    for (const child of elements) {
      const name = child.name === 'Data' ? child.attrs.find((a) => a.name === 'Name') : undefined;
      if (name) {
        addChild(out, partsText(name.parts), partsJson(child.children));
      } else addChild(out, child.name, elementJson(child));
    }
    return out;
  }
  const text = partsJson(el.children);
  if (attributes)
    return text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text };
  return text;
}

/** `{ Event: … }` for a record whose root element is Event. */
export function renderJson(nodes: readonly XmlNode[]): JsonObject {
  const out: JsonObject = {};
  for (const node of nodes) if (node.k === 'e') addChild(out, node.name, elementJson(node));
  return out;
}
