/**
 * Binary XML tokens → nodes. Template bodies are parsed once per chunk and kept with their
 * substitution slots; `resolve` fills the slots with a record's values (dropping optional NULLs and
 * expanding nested Binary XML), giving a plain tree for the XML renderer and the dumps. The JSON
 * renderer behind Events fills the slots itself as it goes, by the same rules (render-json.ts).
 */
import { ByteCursor, EvtxFormatError } from '../cursor.js';
import type { AttributeNode, ElementNode, SubstitutionValue, XmlNode } from './nodes.js';
import { MORE_BIT, Token, ValueType } from './tokens.js';
import { decodeValue } from './values.js';

/** What the deserializer needs from the chunk: names and templates by chunk offset, cached there. */
export interface ChunkContext {
  readonly view: DataView;
  nameAt(offset: number): string;
  templateAt(offset: number): readonly XmlNode[];
}

/** Element nesting deeper than this is hostile or corrupt. */
const MAX_DEPTH = 128;
/** Nested Binary XML values and templates inside them. */
export const MAX_NESTING = 16;

function readName(chunk: ChunkContext, cur: ByteCursor): string {
  const offset = cur.u32('element name offset');
  if (offset === cur.pos) {
    // The name is stored inline, right here; step over it.
    cur.skip('inline name header', 6);
    const chars = cur.u16('inline name length');
    cur.skip('inline name', chars * 2 + 2);
  }
  return chunk.nameAt(offset);
}

export function readNameAt(view: DataView, offset: number): string {
  const cur = new ByteCursor(view, offset + 6);
  const chars = cur.u16('name length');
  return cur.utf16('name', chars);
}

function isValueToken(token: number): boolean {
  return (
    token === Token.Value ||
    token === Token.NormalSubstitution ||
    token === Token.OptionalSubstitution ||
    token === Token.CharRef ||
    token === Token.EntityRef
  );
}

/**
 * Parses tokens from `cur.pos` to end of stream (or `cur.end`). `nested` is true inside a BinXml
 * value (type 0x21), where start elements carry no dependency identifier.
 */
export function parseTokens(chunk: ChunkContext, cur: ByteCursor, nested: boolean, nesting = 0): XmlNode[] {
  if (nesting > MAX_NESTING)
    throw new EvtxFormatError('evtx.binxml.nesting', 'Binary XML nested too deeply', cur.pos);
  const root: XmlNode[] = [];
  const stack: ElementNode[] = [];
  /** Where nodes go: the open element's children, or the root. */
  let into = root;
  while (cur.pos < cur.end) {
    const at = cur.pos;
    const byte = cur.u8('token');
    const token = byte & ~MORE_BIT;
    switch (token) {
      case Token.EndOfStream:
        return root;
      case Token.OpenStartElement: {
        if (stack.length >= MAX_DEPTH)
          throw new EvtxFormatError('evtx.binxml.depth', 'elements nested too deeply', at);
        if (!nested) cur.skip('dependency identifier', 2);
        cur.skip('element data size', 4);
        const name = readName(chunk, cur);
        const attrs: AttributeNode[] = [];
        if (byte & MORE_BIT) {
          const listSize = cur.u32('attribute list size');
          const listEnd = Math.min(cur.end, cur.pos + listSize);
          let current: AttributeNode | undefined;
          while (cur.pos < listEnd) {
            const tokenAt = cur.pos;
            const t = cur.u8('attribute token') & ~MORE_BIT;
            if (t === Token.Attribute) {
              current = { name: readName(chunk, cur), parts: [] };
              attrs.push(current);
            } else if (current && isValueToken(t)) {
              current.parts.push(readContentToken(chunk, cur, t, tokenAt, nested, nesting));
            } else {
              cur.pos = tokenAt;
              break;
            }
          }
        }
        const element: ElementNode = { k: 'e', name, attrs, children: [] };
        into.push(element);
        stack.push(element);
        into = element.children;
        break;
      }
      case Token.CloseStartElement:
        break;
      case Token.CloseEmptyElement:
      case Token.EndElement:
        if (stack.length === 0)
          throw new EvtxFormatError('evtx.binxml.unbalanced', 'end of an element never opened', at);
        stack.pop();
        into = stack.length > 0 ? stack[stack.length - 1]!.children : root;
        break;
      case Token.Attribute:
        throw new EvtxFormatError('evtx.binxml.attribute', 'attribute outside a start element', at);
      case Token.CData: {
        const chars = cur.u16('CDATA length');
        into.push({ k: 'd', text: cur.utf16('CDATA', chars) });
        break;
      }
      case Token.PITarget:
        into.push({ k: 'p', target: readName(chunk, cur), data: '' });
        break;
      case Token.PIData: {
        const chars = cur.u16('PI data length');
        const text = cur.utf16('PI data', chars);
        const last = into[into.length - 1];
        if (last?.k === 'p') last.data = text;
        break;
      }
      case Token.TemplateInstance:
        into.push(readTemplateInstance(chunk, cur, nesting));
        break;
      case Token.FragmentHeader:
        cur.skip('fragment header', 3);
        break;
      default:
        if (isValueToken(token)) {
          into.push(readContentToken(chunk, cur, token, at, nested, nesting));
          break;
        }
        throw new EvtxFormatError('evtx.binxml.token', `unknown Binary XML token 0x${byte.toString(16)}`, at);
    }
  }
  return root;
}

function readContentToken(
  chunk: ChunkContext,
  cur: ByteCursor,
  token: number,
  at: number,
  _nested: boolean,
  _nesting: number,
): XmlNode {
  switch (token) {
    case Token.Value: {
      const type = cur.u8('value type');
      if (type !== ValueType.String) {
        throw new EvtxFormatError('evtx.binxml.value-type', `value token of type 0x${type.toString(16)}`, at);
      }
      const chars = cur.u16('value length');
      return { k: 'v', value: { type: ValueType.String, v: cur.utf16('value text', chars) } };
    }
    case Token.NormalSubstitution:
    case Token.OptionalSubstitution: {
      const index = cur.u16('substitution index');
      cur.skip('substitution value type', 1);
      return { k: 's', index, optional: token === Token.OptionalSubstitution };
    }
    case Token.CharRef:
      return { k: 'c', code: cur.u16('character reference') };
    case Token.EntityRef:
      return { k: 'n', name: readName(chunk, cur) };
    default:
      throw new EvtxFormatError('evtx.binxml.token', `unexpected token 0x${token.toString(16)}`, at);
  }
}

function readTemplateInstance(chunk: ChunkContext, cur: ByteCursor, nesting: number): XmlNode {
  cur.skip('template instance header', 1);
  cur.skip('template id', 4);
  const definitionOffset = cur.u32('template definition offset');
  if (definitionOffset === cur.pos) {
    // Defined inline, here: skip over the definition (its header holds the body size).
    cur.skip('template definition header', 20);
    const size = cur.u32('template body size');
    cur.skip('template body', size);
  }
  const body = chunk.templateAt(definitionOffset);
  const count = cur.u32('substitution count');
  if (count > 4096)
    throw new EvtxFormatError('evtx.template.values', `${count} substitution values`, cur.pos - 4);
  // Descriptors (size u16, type u8, padding u8) first, then the values in that order.
  const descriptors = cur.pos;
  if (cur.pos + count * 4 > cur.end) {
    // Truncated: step through them, so the error names the descriptor that is cut short.
    for (let i = 0; i < count; i++) {
      cur.u16('substitution size');
      cur.u8('substitution type');
      cur.skip('substitution padding', 1);
    }
  }
  cur.pos = descriptors + count * 4;
  const view = cur.view;
  const values: SubstitutionValue[] = new Array<SubstitutionValue>(count);
  for (let i = 0; i < count; i++) {
    const size = view.getUint16(descriptors + i * 4, true);
    const type = view.getUint8(descriptors + i * 4 + 2);
    const at = cur.pos;
    if (type === ValueType.BinXml) {
      cur.need('nested Binary XML', size);
      const inner = new ByteCursor(view, at, at + size);
      values[i] = parseTokens(chunk, inner, true, nesting + 1);
      cur.pos = at + size;
    } else {
      cur.need('substitution value', size);
      values[i] = decodeValue(type, view, at, size);
      cur.pos = at + size;
    }
  }
  return { k: 't', body, values };
}

/** Parses a template definition's body (at definition offset + 24). */
export function parseTemplateBody(chunk: ChunkContext, offset: number): XmlNode[] {
  const cur = new ByteCursor(chunk.view, offset + 20);
  const size = cur.u32('template body size');
  cur.end = Math.min(chunk.view.byteLength, cur.pos + size);
  return parseTokens(chunk, cur, false);
}

function isNodes(value: SubstitutionValue | undefined): value is readonly XmlNode[] {
  return Array.isArray(value);
}

function isNull(value: SubstitutionValue | undefined): value is undefined {
  return value === undefined || (!isNodes(value) && value.type === ValueType.Null);
}

/** What an optional substitution leaves out: NULL, and values with no bytes. */
function isEmptyOptional(value: SubstitutionValue | undefined): boolean {
  if (value === undefined || isNull(value)) return true;
  if (isNodes(value)) return value.length === 0;
  const v = value.v;
  return v === '' || (v instanceof Uint8Array && v.length === 0) || (Array.isArray(v) && v.length === 0);
}

/** Fills a node list's substitutions with values, giving only elements, values and references. */
export function resolve(
  nodes: readonly XmlNode[],
  values: readonly SubstitutionValue[],
  out: XmlNode[] = [],
  depth = 0,
): XmlNode[] {
  if (depth > MAX_NESTING) return out;
  for (const node of nodes) {
    switch (node.k) {
      case 'e': {
        const attrs: AttributeNode[] = [];
        for (const attr of node.attrs) {
          const parts: XmlNode[] = [];
          let dropped = false;
          for (const part of attr.parts) {
            if (part.k === 's') {
              const value = values[part.index];
              if (value === undefined || isNull(value) || (part.optional && isEmptyOptional(value))) {
                dropped = true;
                continue;
              }
              if (isNodes(value)) resolve(value, [], parts, depth + 1);
              else parts.push({ k: 'v', value });
            } else parts.push(part);
          }
          // An attribute whose only content was a NULL substitution is left out, as libevtx does.
          if (!(dropped && parts.length === 0)) attrs.push({ name: attr.name, parts });
        }
        const children = resolve(node.children, values, [], depth);
        // An element whose content was only optional substitutions that came out empty is left out
        // entirely (libevtx drops `<Binary/>` this way); one that was empty by definition stays.
        if (
          children.length === 0 &&
          attrs.length === 0 &&
          node.children.length > 0 &&
          node.children.every((c) => c.k === 's' && c.optional)
        )
          break;
        out.push({ k: 'e', name: node.name, attrs, children });
        break;
      }
      case 's': {
        const value = values[node.index];
        if (value === undefined || isNull(value) || (node.optional && isEmptyOptional(value))) break;
        if (isNodes(value)) resolve(value, [], out, depth + 1);
        else out.push({ k: 'v', value });
        break;
      }
      case 't':
        resolve(node.body, node.values, out, depth + 1);
        break;
      default:
        out.push(node);
    }
  }
  return out;
}
