/**
 * Windows events as JSON: evtx_dump's nested shape (`Event.System` / `Event.EventData`), the flat
 * shape of OTRF/Mordor and nxlog (`EventID`, `Hostname`, `SourceName` …), and winlogbeat/ECS
 * (`winlog.event_data.*`). All become the flat, Sigma-named fields our EVTX parser gives.
 */
import { FieldsBuilder } from '../../core/shaped-fields.js';
import type { Event, FieldValue } from '../../core/event.js';
import { issue } from '../../core/issue.js';
import type { ReadResult } from '../../core/reader.js';
import { parseTimestamp } from '../../core/time.js';
import { flattenJson, forEachJsonField, isRecord } from '../flatten-json.js';
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

// Both shapes below are built with a FieldsBuilder, so they come out in sorted key order as the
// store's stable JSON has them (core/shaped-fields.ts).
function flatWindows(value: Record<string, unknown>): Record<string, FieldValue> {
  const fields = new FieldsBuilder<FieldValue>();
  forEachJsonField(value, (name, v) => fields.put(name, v));
  for (const [from, to] of Object.entries(FLAT_RENAMES)) {
    const v = fields.get(from);
    if (v !== undefined) fields.putIfAbsent(to, v);
  }
  const eventId = fields.get('EventID');
  if (typeof eventId === 'string' && /^\d+$/.test(eventId)) fields.put('EventID', Number(eventId));
  return fields.build();
}

function ecsWindows(value: Record<string, unknown>): Record<string, FieldValue> {
  const winlog = value.winlog as Record<string, unknown>;
  const fields = new FieldsBuilder<FieldValue>();
  // user_data after event_data: a name in both takes user_data's value.
  for (const data of [winlog.event_data, winlog.user_data])
    forEachJsonField(data, (name, v) => fields.put(name, v));
  const set = (name: string, v: unknown): void => {
    if (v !== undefined && v !== null) fields.putIfAbsent(name, v as FieldValue);
  };
  set('EventID', typeof winlog.event_id === 'string' ? Number(winlog.event_id) : winlog.event_id);
  set('Channel', winlog.channel);
  set('Provider_Name', winlog.provider_name);
  set('Computer', winlog.computer_name ?? (isRecord(value.host) ? value.host.name : undefined));
  set('EventRecordID', winlog.record_id);
  const rest = flattenJson(value);
  for (const name in rest) if (!name.startsWith('winlog.event_data.')) fields.putIfAbsent(name, rest[name]!);
  return fields.build();
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
