/**
 * Log-source mapping: which events a rule's `logsource` covers, as data (mappings/*.yml). A rule
 * compiles to one variant per covered source, each with its preconditions (reader kind, channel,
 * EventID, Zeek log) and its field renames (Image → NewProcessName on Security 4688).
 */
import { readFileSync } from 'node:fs';
import type { SourceKind } from '../../core/event.js';
import type { Logsource } from './model.js';
import { yamlLibrary } from './yaml-library.js';

export const WINDOWS_KINDS: ReadonlySet<SourceKind> = new Set(['evtx', 'evtx-json', 'winjson', 'ecs']);

export interface SourceVariant {
  readonly kinds: ReadonlySet<SourceKind>;
  /** Lower-cased channel names; undefined: any. */
  readonly channels?: readonly string[];
  readonly eventIds?: readonly number[];
  readonly logTypes?: readonly string[];
  /** Other field preconditions (EventType: CreateKey …), compared case-insensitively. */
  readonly conditions: readonly { readonly field: string; readonly values: readonly string[] }[];
  readonly requireFields: readonly string[];
  readonly fieldMap: Readonly<Record<string, string>>;
}

interface WindowsMapping {
  services: Record<string, string[]>;
  categories: Record<
    string,
    { service?: string; conditions?: Record<string, unknown[]>; fieldmappings?: Record<string, string> }[]
  >;
}

interface OtherEntry {
  kinds: SourceKind[];
  logTypes?: string[];
  logTypeFromService?: boolean;
  requireFields?: string[];
  fieldmappings?: Record<string, string>;
}

interface OtherMapping {
  categories: Record<string, OtherEntry[]>;
  products: Record<string, OtherEntry[]>;
}

export interface LogsourceMapping {
  readonly windows: WindowsMapping;
  readonly other: OtherMapping;
}

let defaultMapping: LogsourceMapping | undefined;

export function loadDefaultMapping(): LogsourceMapping {
  const { parse } = yamlLibrary();
  defaultMapping ??= {
    windows: parse(
      readFileSync(new URL('./mappings/windows.yml', import.meta.url), 'utf8'),
    ) as WindowsMapping,
    other: parse(readFileSync(new URL('./mappings/other.yml', import.meta.url), 'utf8')) as OtherMapping,
  };
  return defaultMapping;
}

export type VariantsResult = { readonly variants: SourceVariant[]; readonly note?: string };

const ANY_WINDOWS: SourceVariant = { kinds: WINDOWS_KINDS, conditions: [], requireFields: [], fieldMap: {} };

function windowsVariants(ls: Logsource, mapping: WindowsMapping): VariantsResult {
  const channelsOf = (service: string): string[] | undefined =>
    mapping.services[service]?.map((c) => c.toLowerCase());
  if (ls.category) {
    const entries = mapping.categories[ls.category];
    if (!entries)
      return { variants: [ANY_WINDOWS], note: `category "${ls.category}" has no mapping: any Windows event` };
    const variants: SourceVariant[] = [];
    for (const entry of entries) {
      if (ls.service && entry.service && entry.service !== ls.service) continue;
      const service = ls.service ?? entry.service;
      const channels = service ? channelsOf(service) : undefined;
      const conditions = Object.entries(entry.conditions ?? {}).filter(([k]) => k !== 'EventID');
      const ids = entry.conditions?.EventID?.map(Number);
      variants.push({
        kinds: WINDOWS_KINDS,
        ...(channels ? { channels } : {}),
        ...(ids ? { eventIds: ids } : {}),
        conditions: conditions.map(([field, values]) => ({
          field,
          values: values.map((v) => String(v).toLowerCase()),
        })),
        requireFields: [],
        fieldMap: entry.fieldmappings ?? {},
      });
    }
    return { variants: variants.length > 0 ? variants : [ANY_WINDOWS] };
  }
  if (ls.service) {
    const channels = channelsOf(ls.service);
    if (!channels)
      return { variants: [ANY_WINDOWS], note: `service "${ls.service}" has no mapping: any Windows event` };
    return {
      variants: [{ kinds: WINDOWS_KINDS, channels, conditions: [], requireFields: [], fieldMap: {} }],
    };
  }
  return { variants: [ANY_WINDOWS] };
}

function otherVariant(entry: OtherEntry, ls: Logsource): SourceVariant {
  const logTypes = entry.logTypeFromService && ls.service ? [ls.service] : entry.logTypes;
  return {
    kinds: new Set(entry.kinds),
    ...(logTypes ? { logTypes } : {}),
    conditions: [],
    requireFields: entry.requireFields ?? [],
    fieldMap: entry.fieldmappings ?? {},
  };
}

/** The sources a rule's logsource covers. Unknown ones fall back to generic JSON with a note. */
export function variantsFor(ls: Logsource, mapping: LogsourceMapping): VariantsResult {
  if (ls.product === 'windows') return windowsVariants(ls, mapping.windows);
  if (ls.category && mapping.other.categories[ls.category]) {
    return { variants: mapping.other.categories[ls.category]!.map((e) => otherVariant(e, ls)) };
  }
  if (ls.product && mapping.other.products[ls.product]) {
    return { variants: mapping.other.products[ls.product]!.map((e) => otherVariant(e, ls)) };
  }
  if (!ls.product && ls.category && mapping.windows.categories[ls.category])
    return windowsVariants(ls, mapping.windows);
  return {
    variants: [
      { kinds: new Set<SourceKind>(['jsonl', 'csv']), conditions: [], requireFields: [], fieldMap: {} },
    ],
    note: `logsource ${JSON.stringify(ls)} has no mapping: generic JSON lines and CSV events`,
  };
}
