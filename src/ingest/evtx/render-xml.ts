/** A resolved record tree as XML, the way libevtx's evtxexport writes it (two-space indent, `<X/>` when empty). */
import type { AttributeNode, ElementNode, XmlNode } from './binxml/nodes.js';
import { ARRAY_BIT } from './binxml/tokens.js';
import { valueToXmlText, type EvtxValue } from './binxml/values.js';

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

function partsText(parts: readonly XmlNode[], escape: (s: string) => string): string {
  let text = '';
  for (const part of parts) {
    if (part.k === 'v') text += escape(valueToXmlText(part.value));
    else if (part.k === 'c') text += `&#${part.code};`;
    else if (part.k === 'n') text += `&${part.name};`;
    else if (part.k === 'd') text += `<![CDATA[${part.text}]]>`;
  }
  return text;
}

function attributesText(attrs: readonly AttributeNode[]): string {
  return attrs.map((a) => ` ${a.name}="${partsText(a.parts, escapeAttribute)}"`).join('');
}

function isArrayValue(children: readonly XmlNode[]): EvtxValue | undefined {
  if (children.length !== 1) return undefined;
  const only = children[0]!;
  return only.k === 'v' && only.value.type & ARRAY_BIT ? only.value : undefined;
}

function renderElement(el: ElementNode, indent: string, out: string[]): void {
  const open = `${indent}<${el.name}${attributesText(el.attrs)}`;
  const array = isArrayValue(el.children);
  if (array) {
    // An array substitution repeats its element once per item, as Event Viewer and libevtx show it.
    for (const item of array.v as readonly EvtxValue[]) {
      out.push(`${open}>${escapeText(valueToXmlText(item))}</${el.name}>`);
    }
    return;
  }
  if (el.children.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  if (!el.children.some((c) => c.k === 'e' || c.k === 'p')) {
    out.push(`${open}>${partsText(el.children, escapeText)}</${el.name}>`);
    return;
  }
  out.push(`${open}>`);
  for (const child of el.children) {
    if (child.k === 'e') renderElement(child, `${indent}  `, out);
    else if (child.k === 'p') out.push(`${indent}  <?${child.target} ${child.data}?>`);
    else {
      const text = partsText([child], escapeText);
      if (text.trim() !== '') out.push(`${indent}  ${text}`);
    }
  }
  out.push(`${indent}</${el.name}>`);
}

export function renderXml(nodes: readonly XmlNode[]): string {
  const out: string[] = [];
  for (const node of nodes) {
    if (node.k === 'e') renderElement(node, '', out);
    else if (node.k === 'p') out.push(`<?${node.target} ${node.data}?>`);
  }
  return out.join('\n');
}
