/**
 * The harmonised feed event and its builder. Fields are flat, under IntelMQ's dotted names
 * (`source.ip`, `extra.tag`); every value is checked against its type as it is set, and a value that
 * does not fit becomes an issue on the event (with the field and the value) instead of being dropped
 * silently. `raw` keeps the source line(s) in base64, as IntelMQ does.
 *
 *   const b = new FeedEventBuilder(report, { file, line });
 *   b.set('source.ip', '192.0.2.1'); b.set('source.port', '445');
 *   const event = b.finish(rawText);
 */
import { isIP } from 'node:net';
import { formatIp, parseIp, parsePrefix } from '../../core/ip.js';
import { issue, type Issue, type IssueLocation } from '../../core/issue.js';
import { FieldsBuilder } from '../../core/shaped-fields.js';
import { twoDigitNumber } from '../../core/time.js';
import { isClassificationType, isTaxonomy, taxonomyOf } from './classification.js';
import { fieldType, type FieldType } from './harmonisation.js';

export type HarmonisedValue = string | number | boolean;
export type HarmonisedFields = Record<string, HarmonisedValue>;

/** What the feed's report says about all its events (IntelMQ's Report). */
export interface FeedReport {
  readonly feedName?: string;
  readonly feedUrl?: string;
  readonly feedProvider?: string;
  readonly feedCode?: string;
  readonly feedAccuracy?: number;
  /** When we fetched or received it, ISO 8601 UTC (`time.observation`). */
  readonly observation: string;
  /** The report's file name; Shadowserver picks the report type from it. */
  readonly fileName: string;
}

export interface FeedEvent {
  readonly fields: HarmonisedFields;
  /** Values that did not fit their field, and other problems with this record. */
  readonly issues: readonly Issue[];
  readonly line: number;
  /**
   * When `raw` starts with text every event of the report shares (a CSV header): `raw` is
   * `rawHead + rawTail`, and `rawHead` the same string for the whole report, so the store compares
   * it with its template once instead of on every event.
   */
  readonly rawHead?: string;
  readonly rawTail?: string;
}

const TLPS = new Set(['WHITE', 'CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
const REGISTRIES = new Set(['AFRINIC', 'APNIC', 'ARIN', 'LACNIC', 'RIPE']);
const FQDN = /^(?=.{1,255}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63})*$/;
const URL_FORM = /^[a-z][a-z0-9+.-]{0,31}:\/\/[^\s/?#]*[^\s]*$/i;
const MAX_VALUE = 64 * 1024;

const p2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** ms since the epoch (+ optional microseconds within the second) → IntelMQ's `…+00:00` form. */
export function isoUtc(ms: number, micros?: number): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const frac = micros ?? (ms % 1000) * 1000;
  return frac > 0 ? `${base}.${String(Math.floor(frac)).padStart(6, '0')}+00:00` : `${base}+00:00`;
}

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s{0,2}(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00$/;

/**
 * A feed's time as IntelMQ writes it, or undefined. No zone means UTC. Accepts ISO 8601 and
 * `YYYY-MM-DD HH:MM:SS(.ffffff)(Z|±hh:mm)`, epoch seconds, and RFC 2822 dates (HTTP headers).
 */
let lastTimeIn = '';
let lastTimeOut: string | undefined;

export function normaliseTime(value: unknown): string | undefined {
  // Reports repeat their times row after row: the last answer is kept.
  if (typeof value === 'string' && value === lastTimeIn) return lastTimeOut;
  const out = normaliseTimeOnce(value);
  if (typeof value === 'string') {
    lastTimeIn = value;
    lastTimeOut = out;
  }
  return out;
}

let canonicalDay = '';
const twoDigits = (text: string, at: number, max: number): boolean => {
  const value = twoDigitNumber(text, at);
  return value >= 0 && value <= max;
};

/**
 * `YYYY-MM-DD HH:MM:SS` (Shadowserver's form) of a day already seen to be a real one, without
 * parsing it into a Date: the day part is kept, the time's digits checked.
 */
function fastTime(text: string): string | undefined {
  if (text.length !== 19 || (text.charCodeAt(10) !== 32 && text.charCodeAt(10) !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return undefined;
  if (!twoDigits(text, 11, 23) || !twoDigits(text, 14, 59) || !twoDigits(text, 17, 59)) return undefined;
  if (canonicalDay === '' || !text.startsWith(canonicalDay)) {
    const slow = normaliseTimeSlow(`${text.slice(0, 10)} 00:00:00`);
    if (slow === undefined || !slow.startsWith(text.slice(0, 10))) return undefined;
    canonicalDay = text.slice(0, 10);
  }
  return `${canonicalDay}T${text.slice(11)}+00:00`;
}

function normaliseTimeOnce(value: unknown): string | undefined {
  return (typeof value === 'string' ? fastTime(value) : undefined) ?? normaliseTimeSlow(value);
}

function normaliseTimeSlow(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const ms = value < 1e11 ? value * 1000 : value;
    return isoUtc(Math.floor(ms), Math.round((ms % 1000) * 1000));
  }
  if (typeof value !== 'string' || value.length > 64) return undefined;
  if (CANONICAL.test(value)) return value;
  const m = TIME.exec(value.trim());
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
    if (Number.isNaN(ms) || +mo! > 12 || +d! > 31 || +h > 23 || +mi > 59 || +s > 60) return undefined;
    if (zone && zone[0] !== 'Z' && zone[0] !== 'z' && zone !== 'UTC' && zone !== 'GMT') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (+digits.slice(0, 2) * 60 + +(digits.slice(2) || '0')) * 60000;
    }
    return isoUtc(ms, frac ? Math.floor(+`0.${frac}` * 1e6) : 0);
  }
  if (/^\d{9,10}(\.\d{1,6})?$/.test(value)) return normaliseTimeOnce(Number(value));
  if (/^[A-Za-z]{3},? \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}(:\d{2})? ?(GMT|UTC|[+-]\d{4})?$/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : isoUtc(ms);
  }
  return undefined;
}

type Checked = { readonly value: HarmonisedValue } | { readonly problem: string };

const bad = (problem: string): Checked => ({ problem });

function asInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?\d{1,16}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function asFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eE][+-]?\d{1,3})?$/.test(value.trim()))
    return Number(value.trim());
  return undefined;
}

/** `value` checked and normalised for field `name`; undefined for an unknown field. */
export function checkValue(name: string, value: unknown): Checked {
  return checkAs(fieldType(name), value);
}

/** `value` checked for a field of `type` (a parser looks a column's type up once, not per value). */
export function checkAs(type: FieldType | 'extra' | undefined, value: unknown): Checked {
  if (type === undefined) return bad('is not a harmonised field');
  if (typeof value === 'string' && value.length > MAX_VALUE) return bad(`is longer than ${MAX_VALUE} characters`);
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  switch (type) {
    case 'extra':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return { value };
      return { value: JSON.stringify(value) ?? 'null' };
    case 'String':
    case 'Base64':
      return text !== undefined ? { value: text } : bad('is not text');
    case 'LowercaseString':
      return text !== undefined ? { value: text.toLowerCase() } : bad('is not text');
    case 'UppercaseString':
      return text !== undefined ? { value: text.toUpperCase() } : bad('is not text');
    case 'Registry': {
      const r = text?.toUpperCase() === 'RIPENCC' ? 'RIPE' : text?.toUpperCase();
      return r !== undefined && REGISTRIES.has(r) ? { value: r } : bad('is not a regional Internet registry');
    }
    case 'TLP': {
      const t = text?.toUpperCase().replace(/^TLP:/, '');
      return t !== undefined && TLPS.has(t) ? { value: t } : bad('is not a TLP level');
    }
    case 'FQDN': {
      const f = text?.trim().toLowerCase().replace(/\.$/, '');
      if (f === undefined || !FQDN.test(f) || isIP(f) !== 0) return bad('is not a domain name');
      return { value: f };
    }
    case 'URL':
      return text !== undefined && URL_FORM.test(text) ? { value: text } : bad('is not a URL');
    case 'IPAddress': {
      if (text !== undefined && isIP(text) === 4) return { value: text };
      const ip = text === undefined ? undefined : parseIp(text.trim());
      return ip ? { value: ip.v6 ? formatIp(ip) : text!.trim() } : bad('is not an IP address');
    }
    case 'IPNetwork': {
      const t = text?.trim();
      if (t === undefined) return bad('is not a network');
      const withBits = t.includes('/') ? t : `${t}/${t.includes(':') ? 128 : 32}`;
      return parsePrefix(withBits) ? { value: withBits.toLowerCase() } : bad('is not a network (address/bits)');
    }
    case 'ASN': {
      const n = asInteger(typeof value === 'string' ? value.replace(/^AS/i, '') : value);
      return n !== undefined && n >= 1 && n <= 4294967295 ? { value: n } : bad('is not an AS number');
    }
    case 'Integer': {
      const n = asInteger(value);
      return n !== undefined ? { value: n } : bad('is not an integer');
    }
    case 'Float':
    case 'Accuracy': {
      const n = asFloat(value);
      if (n === undefined) return bad('is not a number');
      return type === 'Accuracy' && (n < 0 || n > 100) ? bad('is not between 0 and 100') : { value: n };
    }
    case 'Boolean':
      if (typeof value === 'boolean') return { value };
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return bad('is not true or false');
    case 'DateTime': {
      const t = normaliseTime(value);
      return t !== undefined ? { value: t } : bad('is not a time');
    }
    case 'ClassificationType': {
      const t = text?.toLowerCase();
      return t !== undefined && isClassificationType(t) ? { value: t } : bad('is not a classification type');
    }
    case 'ClassificationTaxonomy': {
      const t = text?.toLowerCase();
      return t !== undefined && isTaxonomy(t) ? { value: t } : bad('is not an RSIT taxonomy class');
    }
    case 'JSON':
    case 'JSONDict':
      return { value: typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null') };
  }
}

const show = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
};

/** A feed URL without its API key or token parameters: events are shared, credentials are not. */
export function withoutSecrets(url: string): string {
  return url.replace(/([?&])(?:api[_-]?key|key|token|apitoken|auth)=[^&#]*/gi, '$1');
}

/** The base64 of a text's first whole 3-byte groups, and the text left over after them. */
export interface RawHead {
  readonly encoded: string;
  readonly rest: string;
}

export function rawHead(text: string): RawHead {
  const bytes = Buffer.from(text, 'utf8');
  let cut = bytes.length - (bytes.length % 3);
  // Never inside a UTF-8 sequence: step back over continuation bytes, by whole groups.
  while (cut > 0 && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80) cut -= 3;
  return { encoded: bytes.subarray(0, cut).toString('base64'), rest: bytes.subarray(cut).toString('utf8') };
}

export class FeedEventBuilder {
  /**
   * Names and values collected in order, the object built once in finish(): an event has 20–40
   * fields, and an object given that many by keyed stores is a hash table in V8 (slower to read,
   * enumerate and collect all along the intake); built from a template of its key sequence it is not.
   */
  readonly #fields = new FieldsBuilder<HarmonisedValue>();
  readonly issues: Issue[] = [];

  constructor(
    report: FeedReport,
    readonly where: IssueLocation & { readonly line: number },
  ) {
    const fields = this.#fields;
    if (report.feedName !== undefined) fields.put('feed.name', report.feedName);
    if (report.feedUrl !== undefined) fields.put('feed.url', withoutSecrets(report.feedUrl));
    if (report.feedProvider !== undefined) fields.put('feed.provider', report.feedProvider);
    if (report.feedCode !== undefined) fields.put('feed.code', report.feedCode);
    if (report.feedAccuracy !== undefined) fields.put('feed.accuracy', report.feedAccuracy);
    fields.put('time.observation', report.observation);
  }

  /** Sets a field when the value fits; null, undefined and '' set nothing. False when not set. */
  set(name: string, value: unknown): boolean {
    return this.setAs(name, value === undefined || value === null || value === '' ? undefined : fieldType(name), value);
  }

  /** `set` for a field whose type the parser looked up once (`fieldType(name)`). */
  setAs(name: string, type: FieldType | 'extra' | undefined, value: unknown): boolean {
    if (value === undefined || value === null || value === '') return false;
    const checked = checkAs(type, value);
    if ('problem' in checked) {
      this.issues.push(
        issue('feed.field.invalid', `${name}: ${show(value)} ${checked.problem}`, { ...this.where, path: name }),
      );
      return false;
    }
    this.#fields.put(name, checked.value);
    return true;
  }

  /** Sets a value already checked (a parser's constants, checked once per report). */
  setChecked(name: string, value: HarmonisedValue): void {
    this.#fields.put(name, value);
  }

  /** Sets a field only when it has no value yet. */
  setDefault(name: string, value: unknown): boolean {
    return this.#fields.has(name) ? false : this.set(name, value);
  }

  has(name: string): boolean {
    return this.#fields.has(name);
  }

  /** The value set for a field so far, or undefined. */
  get(name: string): HarmonisedValue | undefined {
    return this.#fields.get(name);
  }

  problem(code: string, message: string): void {
    this.issues.push(issue(code, message, this.where));
  }

  /**
   * The event, with `raw` (the source text) and the taxonomy implied by its type. `head`, when
   * given, is text every event of the report starts its raw with (a CSV header), encoded once.
   */
  finish(raw: string, head?: RawHead): FeedEvent {
    const fields = this.#fields;
    const tail = head ? Buffer.from(head.rest + raw, 'utf8').toString('base64') : undefined;
    fields.put('raw', head && tail !== undefined ? head.encoded + tail : Buffer.from(raw, 'utf8').toString('base64'));
    const type = fields.get('classification.type');
    if (type === undefined) fields.put('classification.type', 'undetermined');
    if (!fields.has('classification.taxonomy')) {
      const taxonomy = taxonomyOf(String(type ?? 'undetermined'));
      if (taxonomy !== undefined) fields.put('classification.taxonomy', taxonomy);
    }
    if (head && tail !== undefined) return { fields: fields.build(), issues: this.issues, line: this.where.line, rawHead: head.encoded, rawTail: tail };
    return { fields: fields.build(), issues: this.issues, line: this.where.line };
  }
}
