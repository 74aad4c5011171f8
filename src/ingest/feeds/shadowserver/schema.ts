/**
 * Shadowserver's IntelMQ report schema (the JSON Shadowserver publishes for IntelMQ, and which
 * IntelMQ's parser is driven by): per report type, constant fields, and the columns that map to
 * harmonised fields with an optional conversion. Loaded from a file the operator keeps current;
 * report types it lacks fall back to the column conventions in conventions.ts.
 */
import { readFileSync } from 'node:fs';
import { VigilError } from '../../../core/errors.js';

/** [harmonised field (or `extra.` to use the column name), column, conversion?] */
export type FieldRule = readonly [field: string, column: string, conversion?: string];

export interface ReportType {
  readonly name: string;
  readonly feedName: string;
  readonly constants: Readonly<Record<string, string>>;
  readonly required: readonly FieldRule[];
  readonly optional: readonly FieldRule[];
}

export type Schema = ReadonlyMap<string, ReportType>;

function rules(value: unknown, where: string): FieldRule[] {
  if (!Array.isArray(value)) throw new VigilError('shadowserver.schema.invalid', `${where} is not a list`);
  return value.map((r: unknown, i) => {
    if (!Array.isArray(r) || r.length < 2 || r.length > 3 || !r.every((x) => typeof x === 'string'))
      throw new VigilError('shadowserver.schema.invalid', `${where}[${i}] is not [field, column, conversion?]`);
    return r as unknown as FieldRule;
  });
}

export function parseSchema(doc: unknown, file: string): Schema {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new VigilError('shadowserver.schema.invalid', `${file}: not a JSON object of report types`);
  const out = new Map<string, ReportType>();
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    const constants = (v.constant_fields ?? {}) as Record<string, unknown>;
    const name = typeof v.file_name === 'string' ? v.file_name : key;
    out.set(name, {
      name,
      feedName: typeof v.feed_name === 'string' ? v.feed_name : key,
      constants: Object.fromEntries(Object.entries(constants).filter(([, c]) => typeof c === 'string')) as Record<
        string,
        string
      >,
      required: rules(v.required_fields ?? [], `${file}: ${key}.required_fields`),
      optional: rules(v.optional_fields ?? [], `${file}: ${key}.optional_fields`),
    });
  }
  return out;
}

export function loadSchema(path: string): Schema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError('shadowserver.schema.unreadable', `${path}: ${(error as Error).message}`);
  }
  try {
    return parseSchema(JSON.parse(text) as unknown, path);
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('shadowserver.schema.invalid', `${path}: ${(error as Error).message}`);
  }
}

/** `2019-01-01-scan_smb-test-geo.csv` → `scan_smb`; undefined when the name has not that form. */
export function reportTypeOf(fileName: string): string | undefined {
  const base = fileName.replace(/^.*[\\/]/, '');
  return /^\d{4}-\d{2}-\d{2}-([a-z0-9_]{1,80})(?:-[^/]*)?\.csv$/i.exec(base)?.[1]?.toLowerCase();
}

const ZERO_OR_EMPTY = new Set(['', '0']);

/** A schema conversion: the column's text → the value to set (undefined: set nothing), or an Error. */
export const CONVERSIONS: Readonly<Record<string, (text: string) => unknown>> = {
  add_UTC_to_timestamp: (t) => t,
  convert_date: (t) => t,
  convert_date_utc: (t) => t,
  validate_ip: (t) => t,
  validate_network: (t) => t,
  validate_fqdn: (t) => t,
  convert_fqdn: (t) => t.toLowerCase(),
  convert_int: (t) => (t === '' ? undefined : t),
  convert_float: (t) => (t === '' ? undefined : t),
  invalidate_zero: (t) => (ZERO_OR_EMPTY.has(t) ? undefined : /^\d+$/.test(t) ? Number(t) : t),
  validate_to_none: (t) => (t === '' || t === '0' || t.toLowerCase() === 'unknown' ? undefined : t),
  convert_bool: (t) => {
    const l = t.toLowerCase();
    if (l === 'y' || l === 'yes' || l === 'true' || l === '1') return true;
    if (l === 'n' || l === 'no' || l === 'false' || l === '0') return false;
    return undefined;
  },
  set_tor_node: (t) => (t === '' ? undefined : true),
  /** For columns read by convention: numbers as numbers, Y/N as booleans, empty as nothing. */
  typed: (t) => {
    if (t === '') return undefined;
    if (/^-?\d{1,15}$/.test(t)) return Number(t);
    if (/^-?\d{1,15}\.\d{1,15}$/.test(t)) return Number(t);
    const l = t.toLowerCase();
    if (l === 'y' || l === 'yes' || l === 'true') return true;
    if (l === 'n' || l === 'no' || l === 'false') return false;
    return t;
  },
};
