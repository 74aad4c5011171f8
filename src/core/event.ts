/** The Event record: one log record or feed line, its fields under their native names. */

/** What kind of reader produced an event; detection and analytics branch on it. */
export type SourceKind =
  | 'evtx' // our binary parser
  | 'evtx-json' // evtx_dump JSON / JSONL (nested Event.System / Event.EventData)
  | 'winjson' // flat Windows JSON: OTRF/Mordor, nxlog-style
  | 'ecs' // winlogbeat / Elastic Common Schema JSON
  | 'w3c' // IIS / Exchange W3C extended logs
  | 'zeek'
  | 'suricata'
  | 'jsonl' // generic JSON lines
  | 'csv' // generic CSV with a header
  | 'feed'; // external feeds and reports

/** Where a record came from, precisely enough to find it again. */
export interface SourceRef {
  readonly kind: SourceKind;
  /** Path as given; inside an archive `archive.zip!inner/path`. */
  readonly file: string;
  /** Byte offset of the record in the (decompressed) file, for binary formats. */
  readonly offset?: number;
  /** 1-based line number, for text formats. */
  readonly line?: number;
  /** EVTX EventRecordID. */
  readonly recordId?: number;
  /** Zeek log path (conn, dns, http …) or another sub-type the reader knows. */
  readonly logType?: string;
}

/**
 * Records in reading order: by file, then place in it. Detections and correlation inputs with equal
 * times are ordered by this, so worker threads' timing never decides their order.
 */
export function compareSources(a: SourceRef, b: SourceRef): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return placeIn(a) - placeIn(b);
}

function placeIn(source: SourceRef): number {
  return source.offset ?? source.line ?? source.recordId ?? 0;
}

export type FieldScalar = string | number | boolean | null;
export type FieldValue = FieldScalar | readonly FieldValue[];

/**
 * Fields are flat and keyed by the source's own names: Windows `EventID`, `Channel`, `Image`,
 * `CommandLine` (System attributes as `Provider_Name`, `Execution_ProcessID` …); W3C `cs-uri-query`;
 * Zeek `id.orig_h`. That is what Sigma rules name, so matching needs no renaming at scan time.
 */
export type EventFields = Readonly<Record<string, FieldValue>>;

export interface Event {
  /** Milliseconds since the epoch, UTC; NaN when the record carries no time. */
  readonly timestamp: number;
  readonly source: SourceRef;
  readonly fields: EventFields;
  /** The record in its original nested shape (evtx_dump JSON for Windows) when the reader has one. */
  readonly raw?: unknown;
}
