// A tiny XML fragment parser for comparing our EVTX XML with libevtx's as trees, not bytes.
export interface XmlTree {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlTree[];
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : +e.slice(1));
    return ENTITY[e] ?? m;
  });
}

/** Every top-level element of a fragment sequence. Text is trimmed; whitespace-only text is ''. */
export function parseXmlFragments(xml: string): XmlTree[] {
  const roots: XmlTree[] = [];
  const stack: XmlTree[] = [];
  const re =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(re)) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      if (top) top.text += m[1];
    } else if (m[2] !== undefined) {
      const done = stack.pop();
      if (done) done.text = done.text.trim();
    } else if (m[3] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (m[4] ?? '').matchAll(/([^\s=]+)="([^"]*)"/g)) attrs[a[1]!] = decode(a[2]!);
      const node: XmlTree = { name: m[3], attrs, text: '', children: [] };
      (top ? top.children : roots).push(node);
      if (m[5] !== '/') stack.push(node);
    } else if (m[6] !== undefined && top) {
      top.text += decode(m[6]);
    }
  }
  return roots;
}
