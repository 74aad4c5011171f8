/**
 * Windows events as JSON: evtx_dump's nested shape (`Event.System` / `Event.EventData`), the flat
 * shape of OTRF/Mordor and nxlog (`EventID`, `Hostname`, `SourceName` …), and winlogbeat/ECS
 * (`winlog.event_data.*`). All become the flat, Sigma-named fields our EVTX parser gives.
 */
import { putField, hasField } from '../../core/fields.js';
import type { Event, FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { flattenJson, isRecord } from '../flatten-json.js';
import type { JsonItem } from '../json-values.js';
import { evtxJsonTimestamp, flattenEvtxJson } from './flatten.js';

export type WindowsJsonShape = 'evtx-json' | 'winjson' | 'ecs';

export function windowsShape(value: unknown): WindowsJsonShape | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.Event) && isRecord(value.Event.System)) return 'evtx-json';
  if (isRecord(value.winlog)) return 'ecs';
  if (
    'EventID' in value &&
    ('Hostname' in value || 'SourceName' in value || 'Channel' in value || 'Computer' in value)
  )
    return 'winjson';
  return undefined;
}

/** OTRF/nxlog names → the names Sigma rules and our EVTX events use. */
const FLAT_RENAMES: Record<string, string> = {
  Hostname: 'Computer',
  SourceName: 'Provider_Name',
  ProviderName: 'Provider_Name',
  ProviderGuid: 'Provider_Guid',
  RecordNumber: 'EventRecordID',
};

function flatWindows(value: Record<string, unknown>): Record<string, FieldValue> {
  const fields = flattenJson(value);
  for (const [from, to] of Object.entries(FLAT_RENAMES)) {
    if (hasField(fields, from) && !hasField(fields, to)) fields[to] = fields[from]!;
  }
  if (typeof fields.EventID === 'string' && /^\d+$/.test(fields.EventID))
    fields.EventID = Number(fields.EventID);
  return fields;
}

function ecsWindows(value: Record<string, unknown>): Record<string, FieldValue> {
  const winlog = value.winlog as Record<string, unknown>;
  const fields: Record<string, FieldValue> = {};
  if (isRecord(winlog.event_data)) Object.assign(fields, flattenJson(winlog.event_data));
  if (isRecord(winlog.user_data)) Object.assign(fields, flattenJson(winlog.user_data));
  const set = (name: string, v: unknown): void => {
    if (v !== undefined && v !== null && !hasField(fields, name)) fields[name] = v as FieldValue;
  };
  set('EventID', typeof winlog.event_id === 'string' ? Number(winlog.event_id) : winlog.event_id);
  set('Channel', winlog.channel);
  set('Provider_Name', winlog.provider_name);
  set('Computer', winlog.computer_name ?? (isRecord(value.host) ? value.host.name : undefined));
  set('EventRecordID', winlog.record_id);
  const rest = flattenJson(value);
  for (const [k, v] of Object.entries(rest))
    if (!k.startsWith('winlog.event_data.') && !hasField(fields, k)) putField(fields, k, v);
  return fields;
}

function timestampOf(fields: Record<string, FieldValue>, shape: WindowsJsonShape): number {
  if (shape === 'evtx-json') return evtxJsonTimestamp(fields);
  for (const name of [
    '@timestamp',
    'TimeCreated',
    'EventTime',
    'TimeCreated_SystemTime',
    'UtcTime',
    'EventReceivedTime',
  ]) {
    const t = parseTimestamp(fields[name]);
    if (!Number.isNaN(t)) return t;
  }
  return Number.NaN;
}

export async function* readWindowsJson(
  items: AsyncIterable<JsonItem>,
  file: string,
): AsyncGenerator<ReadResult> {
  for await (const item of items) {
    if (!item.ok) {
      yield { ok: false, issue: issue('winjson.json.invalid', item.message, { file, line: item.line }) };
      continue;
    }
    const shape = windowsShape(item.value);
    if (!shape) {
      yield {
        ok: false,
        issue: issue('winjson.record.shape', 'not a Windows event record', { file, line: item.line }),
      };
      continue;
    }
    const value = item.value as Record<string, unknown>;
    const fields =
      shape === 'evtx-json'
        ? flattenEvtxJson(value)
        : shape === 'ecs'
          ? ecsWindows(value)
          : flatWindows(value);
    const event: Event = {
      timestamp: timestampOf(fields, shape),
      source: { kind: shape, file, line: item.line },
      fields,
      ...(shape === 'evtx-json' ? { raw: value } : {}),
    };
    yield { ok: true, event };
  }
}
