/**
 * The few fields analytics need from every event, whatever its source: host, user, the two ends of a
 * connection and the bytes each sent. Each source kind names them differently; this is the one table.
 *
 * Direction: `src` is whoever started the exchange (Zeek's originator, the W3C client, Sysmon's
 * SourceIp); `bytesOut` is what the src sent to dst, `bytesIn` what came back. Data leaving a
 * network to an outside destination is therefore `bytesOut` of a flow whose src is inside.
 */
import type { Event, FieldValue, SourceKind } from './event.js';

export interface CommonFields {
  readonly host: string | null;
  readonly user: string | null;
  readonly srcIp: string | null;
  readonly dstIp: string | null;
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  readonly bytesOut: number | null;
  readonly bytesIn: number | null;
}

interface FieldNames {
  readonly host: readonly string[];
  readonly user: readonly string[];
  readonly srcIp: readonly string[];
  readonly dstIp: readonly string[];
  readonly srcPort: readonly string[];
  readonly dstPort: readonly string[];
  readonly bytesOut: readonly string[];
  readonly bytesIn: readonly string[];
}

const WINDOWS: FieldNames = {
  host: ['Computer', 'Hostname', 'host.name'],
  user: ['TargetUserName', 'SubjectUserName', 'User', 'AccountName', 'UserName'],
  srcIp: ['IpAddress', 'SourceIp', 'SourceAddress', 'ClientAddress', 'Ipaddress'],
  dstIp: ['DestinationIp', 'DestAddress'],
  srcPort: ['IpPort', 'SourcePort'],
  dstPort: ['DestinationPort', 'DestPort'],
  bytesOut: [],
  bytesIn: [],
};

const BY_KIND: Partial<Record<SourceKind, FieldNames>> = {
  evtx: WINDOWS,
  'evtx-json': WINDOWS,
  winjson: WINDOWS,
  ecs: WINDOWS,
  w3c: {
    host: ['s-computername', 's-sitename', 's-ip'],
    user: ['cs-username'],
    srcIp: ['c-ip', 'OriginalIP'],
    dstIp: ['s-ip'],
    srcPort: [],
    dstPort: ['s-port'],
    // The client's request is what it sent; the response body is what left the server.
    bytesOut: ['cs-bytes'],
    bytesIn: ['sc-bytes'],
  },
  zeek: {
    host: [],
    user: ['username', 'user'],
    srcIp: ['id.orig_h'],
    dstIp: ['id.resp_h'],
    srcPort: ['id.orig_p'],
    dstPort: ['id.resp_p'],
    bytesOut: ['orig_bytes', 'request_body_len'],
    bytesIn: ['resp_bytes', 'response_body_len'],
  },
  suricata: {
    host: ['host'],
    user: [],
    srcIp: ['src_ip'],
    dstIp: ['dest_ip'],
    srcPort: ['src_port'],
    dstPort: ['dest_port'],
    bytesOut: ['flow.bytes_toserver'],
    bytesIn: ['flow.bytes_toclient'],
  },
};

const GENERIC: FieldNames = {
  host: ['host', 'hostname', 'Computer', 'host.name'],
  user: ['user', 'username', 'user.name'],
  srcIp: ['src_ip', 'source.ip', 'srcip', 'src'],
  dstIp: ['dst_ip', 'dest_ip', 'destination.ip', 'dstip', 'dst'],
  srcPort: ['src_port', 'source.port'],
  dstPort: ['dst_port', 'dest_port', 'destination.port'],
  bytesOut: ['bytes_out', 'source.bytes'],
  bytesIn: ['bytes_in', 'destination.bytes'],
};

function firstString(fields: Event['fields'], names: readonly string[]): string | null {
  for (const name of names) {
    const value: FieldValue | undefined = fields[name];
    if (typeof value === 'string' && value !== '' && value !== '-') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
}

function firstNumber(fields: Event['fields'], names: readonly string[]): number | null {
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return null;
}

/** The fields an analyst pivots on (what the store keeps per event, beside the fields): host, user, addresses. */
export type PivotFields = Pick<CommonFields, 'host' | 'user' | 'srcIp' | 'dstIp'>;

/** commonFields without the ports and byte counts, for a caller that needs only the pivots (store ingest). */
export function pivotFields(event: Event): PivotFields {
  const names = BY_KIND[event.source.kind] ?? GENERIC;
  const f = event.fields;
  return {
    host: firstString(f, names.host),
    user: firstString(f, names.user),
    srcIp: firstString(f, names.srcIp),
    dstIp: firstString(f, names.dstIp),
  };
}

export function commonFields(event: Event): CommonFields {
  const names = BY_KIND[event.source.kind] ?? GENERIC;
  const f = event.fields;
  return {
    host: firstString(f, names.host),
    user: firstString(f, names.user),
    srcIp: firstString(f, names.srcIp),
    dstIp: firstString(f, names.dstIp),
    srcPort: firstNumber(f, names.srcPort),
    dstPort: firstNumber(f, names.dstPort),
    bytesOut: firstNumber(f, names.bytesOut),
    bytesIn: firstNumber(f, names.bytesIn),
  };
}
