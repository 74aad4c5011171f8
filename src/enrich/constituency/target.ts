/**
 * What a lookup target names: an IP address, or a domain — given bare, inside a URL, or as the domain
 * of an e-mail address, and defanged or not (`hxxps://evil[.]example`). Domains come out in the form
 * they are listed in: lower-case ASCII (IDN as punycode), no trailing dot.
 *
 *   parseTarget('hxxps://Bücher[.]example./x') → { kind: 'domain', domain: 'xn--bcher-kva.example', … }
 */
import { domainToASCII } from 'node:url';
import { formatIp, parseIp, type IpAddress } from '../../core/ip.js';

/** Longer than any real URL we act on; bounds the work done on hostile text. */
export const MAX_TARGET_LENGTH = 4096;

export type Target =
  | { readonly kind: 'ip'; readonly input: string; readonly ip: string; readonly address: IpAddress }
  | { readonly kind: 'domain'; readonly input: string; readonly domain: string };

export type TargetResult =
  Target | { readonly kind: 'invalid'; readonly input: string; readonly reason: string };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Characters no host name has; checked before IDNA mapping, which would cut the text at some of them. */
const NOT_IN_HOST = /[\s/\\@:?#%[\]<>"'`|^{}\u0000-\u001f\u007f]/;

/**
 * `Example.COM.` → `example.com`; `bücher.example` → `xn--bcher-kva.example`. Undefined for anything
 * that is not a host name (an address, a URL, an empty label, a label over 63 or a name over 253).
 */
export function normaliseDomain(text: string): string | undefined {
  let s = text.trim();
  if (s.length === 0 || s.length > 1000 || NOT_IN_HOST.test(s)) return undefined;
  s = s.replace(/\.+$/, '');
  const ascii = domainToASCII(s);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // An all-numeric last label is an address, not a name (192.0.2.1, 3232235777).
  if (/^\d+$/.test(labels.at(-1)!)) return undefined;
  return ascii;
}

/** A listed domain: like normaliseDomain, and `*.example.com` or `.example.com` mean `example.com`. */
export function normaliseListedDomain(text: string): string | undefined {
  return normaliseDomain(text.trim().replace(/^\*?\./, ''));
}

/** `hxxp://evil[.]example` → `http://evil.example`: the ways reports defang indicators. */
export function refang(text: string): string {
  return text
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[\/\]/g, '/')
    .replace(/^hxxp(s?)(?=:|\[:\])/i, 'http$1')
    .replace(/^fxp(?=:)/i, 'ftp');
}

function fromHost(input: string, host: string): TargetResult {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const address = parseIp(bare);
  if (address) return { kind: 'ip', input, ip: formatIp(address), address };
  const domain = normaliseDomain(bare);
  if (domain !== undefined) return { kind: 'domain', input, domain };
  return { kind: 'invalid', input, reason: `"${host.slice(0, 100)}" is neither an IP address nor a domain` };
}

/** An IP address, domain, URL (any scheme with a host) or e-mail address → what it names. */
export function parseTarget(text: string): TargetResult {
  const input = text;
  if (text.length > MAX_TARGET_LENGTH)
    return {
      kind: 'invalid',
      input: text.slice(0, 100),
      reason: `longer than ${MAX_TARGET_LENGTH} characters`,
    };
  const s = refang(text.trim());
  if (s === '') return { kind: 'invalid', input, reason: 'empty' };
  const address = parseIp(s);
  if (address) return { kind: 'ip', input, ip: formatIp(address), address };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return { kind: 'invalid', input, reason: 'not a valid URL' };
    }
    if (url.hostname === '') return { kind: 'invalid', input, reason: 'the URL names no host' };
    return fromHost(input, url.hostname);
  }
  const email = /^[^@\s]{1,64}@([^@\s]+)$/.exec(s);
  if (email) return fromHost(input, email[1]!);
  // No scheme but a path, query or port: read it as a web address (`evil.example/login`, `host:8080`).
  if (/[/?#]/.test(s) || /^[^:]+:\d{1,5}$/.test(s)) {
    try {
      const url = new URL(`http://${s}`);
      if (url.hostname !== '') return fromHost(input, url.hostname);
    } catch {
      // Falls through to the answer below.
    }
    return { kind: 'invalid', input, reason: 'not a valid address, domain or URL' };
  }
  return fromHost(input, s);
}

/** Domain suffixes of a name, longest first: `a.b.example` → `a.b.example`, `b.example`, `example`. */
export function domainSuffixes(domain: string): string[] {
  const out = [domain];
  for (let i = domain.indexOf('.'); i >= 0; i = domain.indexOf('.', i + 1)) out.push(domain.slice(i + 1));
  return out;
}
