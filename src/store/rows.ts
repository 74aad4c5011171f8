/**
 * Table rows ↔ records, shared by every SQL store: the schema's column names and JSON text columns
 * are the same in SQLite and PostgreSQL.
 */
import type { Detection } from '../core/detection.js';
import { LEVELS } from '../core/detection.js';
import type { EventFields, SourceRef } from '../core/event.js';
import type { IngestJob, StoredDetection, StoredEvent } from './types.js';

export const EVENT_COLUMNS =
  'id, ts, kind, file, byte_offset, line, record_id, log_type, host, user_name, src_ip, dst_ip, fields';

export interface EventRow {
  id: string;
  ts: number;
  kind: SourceRef['kind'];
  file: string;
  byte_offset: number | null;
  line: number | null;
  record_id: number | null;
  log_type: string | null;
  host: string | null;
  user_name: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  fields: string;
}

export function sourceOfRow(row: EventRow): SourceRef {
  return {
    kind: row.kind,
    file: row.file,
    ...(row.byte_offset !== null ? { offset: Number(row.byte_offset) } : {}),
    ...(row.line !== null ? { line: Number(row.line) } : {}),
    ...(row.record_id !== null ? { recordId: Number(row.record_id) } : {}),
    ...(row.log_type !== null ? { logType: row.log_type } : {}),
  };
}

export function toStoredEvent(row: EventRow): StoredEvent {
  const source = sourceOfRow(row);
  return {
    id: row.id,
    event: { timestamp: Number(row.ts), source, fields: JSON.parse(row.fields) as EventFields },
    host: row.host,
    user: row.user_name,
    srcIp: row.src_ip,
    dstIp: row.dst_ip,
  };
}

export interface DetectionRow {
  id: string;
  kind: Detection['kind'];
  rule_id: string;
  rule_title: string;
  level: Detection['level'];
  ts: number;
  host: string | null;
  tags: string;
  fields: string;
  source: string;
  event_id: string | null;
}

export function toStoredDetection(r: DetectionRow): StoredDetection {
  return {
    id: r.id,
    detection: {
      kind: r.kind,
      ruleId: r.rule_id,
      ruleTitle: r.rule_title,
      level: LEVELS.includes(r.level) ? r.level : 'informational',
      tags: JSON.parse(r.tags) as string[],
      timestamp: Number(r.ts),
      host: r.host,
      fields: JSON.parse(r.fields) as EventFields,
      source: JSON.parse(r.source) as SourceRef,
      ...(r.event_id !== null ? { eventId: r.event_id } : {}),
    },
  };
}

export interface JobRow {
  id: string;
  created_at: number;
  paths: string;
  status: IngestJob['status'];
  records: number;
  issues: number;
  detections: number;
  first_ts: number | null;
  last_ts: number | null;
  issue_samples: string;
  finished_at: number | null;
}

export function toJob(r: JobRow): IngestJob {
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    id: r.id,
    createdAt: Number(r.created_at),
    paths: JSON.parse(r.paths) as string[],
    status: r.status,
    records: Number(r.records),
    issues: Number(r.issues),
    detections: Number(r.detections),
    firstTimestamp: n(r.first_ts),
    lastTimestamp: n(r.last_ts),
    issueSamples: JSON.parse(r.issue_samples) as IngestJob['issueSamples'],
    finishedAt: n(r.finished_at),
  };
}

export interface SummaryRow {
  id: string;
  title: string;
  first_seen: number;
  last_seen: number;
  detections: number;
}

export function toIncidentSummary(r: SummaryRow) {
  return {
    id: r.id,
    title: r.title,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    detectionCount: Number(r.detections),
  };
}
