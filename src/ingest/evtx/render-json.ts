/**
 * A record in the evtx_dump JSON shape: attributes under `#attributes`, text as typed values,
 * `<Data Name="X">v</Data>` as `X: v`, empty elements as null, repeated names as arrays.
 *
 * Renders straight from template bodies and their substitution values, with no resolved tree in
 * between: `renderJson(nodes, values)` equals rendering `resolve(nodes, values)`, so it takes
 * resolved trees too (there are no substitutions left to fill).
 */
import { putField } from '../../core/fields.js';
import { MAX_NESTING, resolve } from './binxml/deserialize.js';
import type { ElementNode, SubstitutionValue, XmlNode } from './binxml/nodes.js';
import { ValueType } from './binxml/tokens.js';
import { valueToJson, valueToXmlText, type EvtxValue, type JsonValue } from './binxml/values.js';

type JsonObject = { [key: string]: JsonValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * What one element's children (or one attribute's parts) resolve to: how many nodes, the text
 * parts (values, character and entity references, CDATA) folded as they come, and the child
 * elements already rendered under their keys.
 */
class Content {
  /** Resolved nodes of any kind: what `resolve` would have pushed. */
  count = 0;
  /** Text parts so far. */
  leaves = 0;
  /** The first text part when it is a value (rendered typed when it is the only one). */
  firstValue: EvtxValue | undefined = undefined;
  firstText = '';
  /** Text of all parts, once there are two or more. */
  text = '';
  /** Child elements by key; created with the first one, after the element's `#attributes`. */
  elements: JsonObject | undefined = undefined;

  constructor(
    readonly attributes: JsonObject | undefined,
    /** `<Data Name="X">` children become `X` (not at the top level). */
    readonly dataRule: boolean,
  ) {}

  /** Empty again, for the next attribute. */
  reset(): void {
    this.count = 0;
    this.leaves = 0;
    this.firstValue = undefined;
    this.firstText = '';
    this.text = '';
  }

  addValue(value: EvtxValue): void {
    this.count++;
    const n = ++this.leaves;
    if (n === 1) this.firstValue = value;
    else if (n === 2) this.text = this.firstAsText() + valueToXmlText(value);
    else this.text += valueToXmlText(value);
  }

  addText(text: string): void {
    this.count++;
    const n = ++this.leaves;
    if (n === 1) this.firstText = text;
    else if (n === 2) this.text = this.firstAsText() + text;
    else this.text += text;
  }

  private firstAsText(): string {
    return this.firstValue === undefined ? this.firstText : valueToXmlText(this.firstValue);
  }

  /** The text parts as one JSON value: null for none, a lone value typed, else their text. */
  json(): JsonValue {
    if (this.leaves === 0) return null;
    if (this.leaves === 1) return this.firstValue === undefined ? this.firstText : valueJson(this.firstValue);
    return this.text;
  }

  addElement(key: string, value: JsonValue): void {
    let out = this.elements;
    if (out === undefined) {
      out = {};
      if (this.attributes) out['#attributes'] = this.attributes;
      this.elements = out;
    }
    addChild(out, key, value);
  }
}

/** A lone value as JSON: typed, and text without trailing whitespace. */
function valueJson(value: EvtxValue): JsonValue {
  const json = valueToJson(value);
  // evtx_dump trims trailing whitespace from text; SigmaHQ's regression data (and rules tuned on
  // it) see values that way, so our Events do too. The XML rendering keeps the exact text.
  return typeof json === 'string' ? json.trimEnd() : json;
}

function addChild(target: JsonObject, key: string, value: JsonValue): void {
  // Inlined putField/hasField: this runs for every element and attribute of every record.
  if (!Object.hasOwn(target, key)) {
    if (key === '__proto__') putField(target, key, value);
    else target[key] = value;
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

function isNodes(value: SubstitutionValue): value is readonly XmlNode[] {
  return Array.isArray(value);
}

/** A substitution `resolve` leaves out: missing, NULL, or (when optional) empty. */
function isLeftOut(value: SubstitutionValue | undefined, optional: boolean): value is undefined {
  if (value === undefined) return true;
  if (isNodes(value)) return optional && value.length === 0;
  if (value.type === ValueType.Null) return true;
  if (!optional) return false;
  const v = value.v;
  return v === '' || (v instanceof Uint8Array && v.length === 0) || (Array.isArray(v) && v.length === 0);
}

/** Adds what `nodes` resolve to (with `values` for their substitutions) to `into`. */
function scan(
  nodes: readonly XmlNode[],
  values: readonly SubstitutionValue[],
  depth: number,
  into: Content,
): void {
  if (depth > MAX_NESTING) return;
  for (const node of nodes) {
    switch (node.k) {
      case 'e':
        renderChild(node, values, depth, into);
        break;
      case 's': {
        const value = values[node.index];
        if (isLeftOut(value, node.optional)) break;
        if (isNodes(value)) scan(value, [], depth + 1, into);
        else into.addValue(value);
        break;
      }
      case 't':
        scan(node.body, node.values, depth + 1, into);
        break;
      default:
        addLeaf(node, into);
    }
  }
}

/** A node that is already what it resolves to: a text part, or a processing instruction. */
function addLeaf(node: XmlNode, into: Content): void {
  switch (node.k) {
    case 'v':
      into.addValue(node.value);
      break;
    case 'c':
      into.addText(String.fromCharCode(node.code));
      break;
    case 'n':
      into.addText(ENTITIES[node.name] ?? `&${node.name};`);
      break;
    case 'd':
      into.addText(node.text);
      break;
    default:
      into.count++;
  }
}

/** One attribute's parts at a time (attributes do not nest): reused, not allocated per attribute. */
const attributeParts = new Content(undefined, false);

/**
 * One attribute's parts, in `attributeParts` until the next call; undefined when `resolve` drops
 * the attribute (it had only NULL substitutions).
 */
function attributeContent(
  parts: readonly XmlNode[],
  values: readonly SubstitutionValue[],
  depth: number,
): Content | undefined {
  const content = attributeParts;
  content.reset();
  let dropped = false;
  for (const part of parts) {
    if (part.k === 's') {
      const value = values[part.index];
      if (isLeftOut(value, part.optional)) {
        dropped = true;
        continue;
      }
      if (isNodes(value)) {
        // Rare: Binary XML inside an attribute. Resolved the plain way; elements count, text shows.
        for (const node of resolve(value, [], [], depth + 1)) addLeaf(node, content);
      } else content.addValue(value);
    } else addLeaf(part, content);
  }
  return dropped && content.count === 0 ? undefined : content;
}

/** What `attributeJson` gives for an attribute `resolve` drops. */
const DROPPED = Symbol('dropped attribute');

/**
 * One attribute's value as JSON, or DROPPED. Most attributes are one static value or one
 * substitution, taken here directly; the rest go through attributeContent.
 */
function attributeJson(
  parts: readonly XmlNode[],
  values: readonly SubstitutionValue[],
  depth: number,
): JsonValue | typeof DROPPED {
  if (parts.length === 1) {
    const part = parts[0]!;
    if (part.k === 'v') return valueJson(part.value);
    if (part.k === 's') {
      const value = values[part.index];
      if (isLeftOut(value, part.optional)) return DROPPED;
      if (!isNodes(value)) return valueJson(value);
    }
  }
  const content = attributeContent(parts, values, depth);
  return content === undefined ? DROPPED : content.json();
}

/** Template children that are all optional substitutions: the element goes when they come out empty. */
function onlyOptional(children: readonly XmlNode[]): boolean {
  if (children.length === 0) return false;
  for (const c of children) if (c.k !== 's' || !c.optional) return false;
  return true;
}

/** Renders element `el` into its parent's content, unless `resolve` would drop it. */
function renderChild(
  el: ElementNode,
  values: readonly SubstitutionValue[],
  depth: number,
  parent: Content,
): void {
  if (parent.dataRule && el.name === 'Data' && renderData(el, values, depth, parent)) return;
  let attributes: JsonObject | undefined;
  for (const attr of el.attrs) {
    const value = attributeJson(attr.parts, values, depth);
    if (value === DROPPED) continue;
    attributes ??= {};
    attributes[attr.name] = value;
  }
  const only = el.children.length === 1 ? el.children[0]! : undefined;
  if (only?.k === 's') {
    // One substitution (`<EventID>%1</EventID>`): its value is the text, with no Content.
    const value = values[only.index];
    const leftOut = isLeftOut(value, only.optional);
    if (leftOut || !isNodes(value)) {
      if (leftOut && attributes === undefined && only.optional) return;
      parent.count++;
      const text = leftOut ? null : valueJson(value);
      if (attributes) {
        parent.addElement(
          el.name,
          text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text },
        );
      } else parent.addElement(el.name, text);
      return;
    }
  }
  const children = new Content(attributes, true);
  scan(el.children, values, depth, children);
  // An element whose content was only optional substitutions that came out empty is left out
  // entirely (libevtx drops `<Binary/>` this way); one that was empty by definition stays.
  if (children.count === 0 && attributes === undefined && onlyOptional(el.children)) return;
  parent.count++;
  if (children.elements !== undefined) {
    parent.addElement(el.name, children.elements);
    return;
  }
  const text = children.json();
  if (attributes) {
    parent.addElement(
      el.name,
      text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text },
    );
  } else parent.addElement(el.name, text);
}

/**
 * `<Data Name="X">text</Data>` inside an element: `X: text`. Only the first kept Name attribute
 * counts, so no attribute object is built. False, with nothing rendered, when there is none.
 */
function renderData(
  el: ElementNode,
  values: readonly SubstitutionValue[],
  depth: number,
  parent: Content,
): boolean {
  let name: JsonValue = null;
  let named = false;
  for (const attr of el.attrs) {
    if (attr.name !== 'Name') continue;
    const value = attributeJson(attr.parts, values, depth);
    if (value === DROPPED) continue;
    name = value;
    named = true;
    break;
  }
  if (!named) return false;
  const key = typeof name === 'string' ? name : JSON.stringify(name);
  const only = el.children.length === 1 ? el.children[0]! : undefined;
  if (only?.k === 's') {
    const value = values[only.index];
    const leftOut = isLeftOut(value, only.optional);
    if (leftOut || !isNodes(value)) {
      parent.count++;
      parent.addElement(key, leftOut ? null : valueJson(value));
      return true;
    }
  }
  // Never left out: it keeps an attribute. Its own child elements do not show in `X: text`.
  const children = new Content(undefined, true);
  scan(el.children, values, depth, children);
  parent.count++;
  parent.addElement(key, children.json());
  return true;
}

/** `{ Event: … }` for a record whose root element is Event. */
export function renderJson(nodes: readonly XmlNode[], values: readonly SubstitutionValue[] = []): JsonObject {
  const top = new Content(undefined, false);
  top.elements = {};
  scan(nodes, values, 0, top);
  return top.elements;
}
