/**
 * Microsoft CTIP (Cyber Threat Intelligence Program) infected-host reports, in both shapes
 * Microsoft delivers them: the Interflow JSON list (`indicatorthreattype`, `networksourceipv4` …,
 * version 1.5) and the Azure JSON stream (one object per line: `DataFeed`, `ThreatCode`,
 * `SourceIpInfo`, `HttpInfo`, `CustomInfo` and a `Payload` in base64 or plain JSON). Values with
 * no harmonised field are kept under `extra.*`, so nothing of the report is lost.
 */
import { isIP } from 'node:net';
import { isoUtc, type FeedEventBuilder } from '../event.js';
import { jsonLinesFeed, jsonListFeed, prop, type FeedParser } from '../parser.js';

const NT_EPOCH_SECONDS = 11_644_473_600;

/**
 * A Windows NT time (100 ns since 1601) as IntelMQ converts it: the ticks times 10^-7 in floating
 * point, rounded to the microsecond, so the same float error gives the same microseconds.
 */
function fromWindowsNt(ticks: number): string {
  const seconds = ticks * 1e-7;
  const whole = Math.floor(seconds);
  let micros = Math.round((seconds - whole) * 1e6);
  let at = whole;
  if (micros === 1_000_000) {
    at++;
    micros = 0;
  }
  return isoUtc((at - NT_EPOCH_SECONDS) * 1000, micros);
}

/** Epoch seconds with a fraction (a payload's `ts`) → ISO time with microseconds. */
function fromEpochSeconds(ts: number): string {
  const whole = Math.floor(ts);
  return isoUtc(whole * 1000, Math.round((ts - whole) * 1e6));
}

const CONFIDENCE: Readonly<Record<string, number>> = { high: 100, medium: 50, low: 20, informational: 10 };

/** CTIP's TLP words; YELLOW is its name for AMBER, Unknown says nothing. */
function tlpOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.toUpperCase();
  if (t === 'YELLOW') return 'AMBER';
  return t === 'UNKNOWN' || t === '' ? undefined : t;
}

const empty = (v: unknown): boolean => v === undefined || v === null || v === '' || v === 0;

const snake = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A host name where a domain goes; an address or an invalid name is kept under `extra.<key>`. */
function setHost(b: FeedEventBuilder, field: string, extraKey: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') return;
  if (isIP(value) !== 0) return;
  if (!/^[a-z0-9_.-]{1,255}$/i.test(value)) b.set(extraKey, value);
  else b.set(field, value);
}

const SOURCE_IP_INFO: Readonly<Record<string, string | null>> = {
  SourceIpAsnNumber: 'source.asn',
  SourceIpAsnOrgName: 'source.as_name',
  SourceIpCountryCode: 'source.geolocation.cc',
  SourceIpRegion: 'source.geolocation.region',
  SourceIpCity: 'source.geolocation.city',
  SourceIpPostalCode: 'extra.source.geolocation.postal_code',
  SourceIpLatitude: 'source.geolocation.latitude',
  SourceIpLongitude: 'source.geolocation.longitude',
  SourceIpMetroCode: 'extra.source.geolocation.metro_code',
  SourceIpAreaCode: 'extra.source.geolocation.area_code',
  SourceIpConnectionType: 'extra.source.connection_type',
  // The address again, as an integer.
  SourceIpv4Int: null,
};

const HTTP_INFO: Readonly<Record<string, string>> = {
  HttpHost: 'extra.http.host',
  HttpRequest: 'extra.http.request',
  HttpMethod: 'extra.http.method',
  HttpReferrer: 'extra.http.referrer',
  HttpUserAgent: 'extra.user_agent',
  HttpVersion: 'extra.http.version',
};

/** The sinkhole payload: base64 (or plain) JSON whose keys go to `extra.payload.*`, or text. */
function setPayload(b: FeedEventBuilder, payload: unknown): void {
  if (typeof payload !== 'string' || payload === '') return;
  let text = payload;
  if (!payload.trimStart().startsWith('{') && /^[A-Za-z0-9+/]+={0,2}$/.test(payload)) text = Buffer.from(payload, 'base64').toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    b.set('extra.payload.text', text);
    return;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    b.set('extra.payload.text', text);
    return;
  }
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value === null || value === '') continue;
    switch (key) {
      case 'ts':
        if (typeof value === 'number') b.set('extra.payload.timestamp', fromEpochSeconds(value));
        else b.set('extra.payload.ts', value);
        break;
      case 'serverIp':
        b.set('extra.payload.server.ip', value);
        break;
      case 'serverPort':
        b.set('extra.payload.server.port', value);
        break;
      case 'domain':
        setHost(b, 'destination.fqdn', 'extra.payload.domain', value);
        break;
      case 'type':
        b.set('protocol.application', value);
        break;
      default: {
        if (typeof value === 'object' && Object.keys(value).length === 0) continue;
        // source_ip → source.ip, as IntelMQ names them.
        const name = key.replace(/^(source|destination)_/, '$1.');
        b.set(`extra.payload.${name}`, typeof value === 'object' ? JSON.stringify(value) : value);
      }
    }
  }
}

export const ctipAzure: FeedParser = {
  name: 'microsoft-ctip-azure',
  title: 'Microsoft CTIP infected hosts (Azure JSON stream)',
  provider: 'Microsoft',
  sniff: (head) => (/^\s*\{\s*"DataFeed"\s*:/.test(head) && head.includes('"ThreatCode"') ? 0.95 : 0),
  parse: jsonLinesFeed({
    row(item, b) {
      for (const [key, value] of Object.entries(item)) {
        switch (key) {
          case 'DataFeed':
            b.set('feed.name', value);
            break;
          case 'SourcedFrom':
            b.set('event_description.text', value);
            break;
          case 'DateTimeReceivedUtc':
            if (typeof value === 'number') b.set('time.source', fromWindowsNt(value));
            break;
          case 'DateTimeReceivedUtcTxt':
          case 'TargetIp':
          case 'TargetPort':
            // The time again, in words; the target fields are deprecated by Microsoft.
            break;
          case 'Malware':
            b.set('extra.malware', value);
            break;
          case 'ThreatCode':
            b.set('malware.name', value);
            break;
          case 'ThreatConfidence': {
            const c = typeof value === 'string' ? CONFIDENCE[value.toLowerCase()] : undefined;
            if (c !== undefined) b.set('feed.accuracy', ((b.get('feed.accuracy') as number | undefined) ?? 100) * (c / 100));
            else b.set('extra.threat_confidence', value);
            break;
          }
          case 'TotalEncounters':
            b.set('extra.total_encounters', value);
            break;
          case 'TLP':
            b.set('tlp', tlpOf(value));
            break;
          case 'SourceIp':
            b.set('source.ip', value);
            break;
          case 'SourcePort':
            b.set('source.port', value);
            break;
          case 'DestinationIp':
            b.set('destination.ip', value);
            break;
          case 'DestinationPort':
            b.set('destination.port', value);
            break;
          case 'SourceIpInfo':
            for (const [k, v] of Object.entries(record(value))) {
              if (empty(v)) continue;
              const field = Object.hasOwn(SOURCE_IP_INFO, k) ? SOURCE_IP_INFO[k] : `extra.source.${snake(k.replace(/^SourceIp/, ''))}`;
              if (field) b.set(field, v);
            }
            break;
          case 'HttpInfo':
            for (const [k, v] of Object.entries(record(value)))
              if (!empty(v)) b.set(Object.hasOwn(HTTP_INFO, k) ? HTTP_INFO[k]! : `extra.http.${snake(k.replace(/^Http/, ''))}`, v);
            break;
          case 'CustomInfo':
            for (const [k, v] of Object.entries(record(value))) if (!empty(v)) b.set(`extra.${snake(k)}`, v);
            break;
          case 'Payload':
            setPayload(b, value);
            break;
          default:
            if (!empty(value)) b.set(`extra.${snake(key)}`, typeof value === 'object' ? JSON.stringify(value) : value);
        }
      }
      if (!b.has('source.ip')) return 'no SourceIp';
      b.set('classification.type', 'infected-system');
    },
  }),
};

const INTERFLOW: Readonly<Record<string, string>> = {
  description: 'event_description.text',
  externalid: 'malware.name',
  tlplevel: 'tlp',
  networksourceipv4: 'source.ip',
  networksourceport: 'source.port',
  networkdestinationport: 'destination.port',
  networksourceasn: 'source.asn',
  isproductlicensed: 'extra.isproductlicensed',
  ispartnershareable: 'extra.ispartnershareable',
  useragent: 'extra.user_agent',
  severity: 'extra.severity',
  tags: 'extra.tags',
};

const NO_METADATA = new Set(['[]', '[""]', '["null"]', '[null]']);

export const ctipInterflow: FeedParser = {
  name: 'microsoft-ctip',
  title: 'Microsoft CTIP infected hosts (Interflow JSON)',
  provider: 'Microsoft',
  sniff: (head) => (/^\s*\[\s*\{/.test(head) && head.includes('"indicatorthreattype"') ? 0.95 : 0),
  parse: jsonListFeed({
    row(item, b) {
      const version = prop(item, 'version');
      if (version !== 1.5) return `version ${JSON.stringify(version)}: only CTIP Interflow version 1.5 is known`;
      const threat = prop(item, 'indicatorthreattype');
      if (threat !== 'Botnet') return `indicatorthreattype ${JSON.stringify(threat)}: only Botnet is known`;
      const destination = prop(item, 'networkdestinationipv4');
      for (const [key, value] of Object.entries(item)) {
        if (value === null || value === '') continue;
        switch (key) {
          case 'version':
          case 'indicatorthreattype':
          case 'confidence':
            break;
          case 'indicatorexpirationdatetime':
            b.set('extra.indicator_expiration', value);
            break;
          case 'firstreporteddatetime':
            b.set('time.source', value);
            break;
          case 'networkdestinationipv4': {
            // Seen as "192.88.99.209, 192.88.99.209" (the same address twice) and as 0.0.0.0 for none.
            const ip = typeof value === 'string' ? value.split(',')[0]!.trim() : value;
            if (ip !== '0.0.0.0') b.set('destination.ip', ip);
            break;
          }
          case 'hostname':
            if (value !== destination) setHost(b, 'destination.fqdn', 'extra.hostname', value);
            break;
          case 'additionalmetadata': {
            const text = JSON.stringify(value);
            if (!NO_METADATA.has(text)) b.set('extra.additionalmetadata', typeof value === 'string' ? value : text);
            break;
          }
          default:
            b.set(Object.hasOwn(INTERFLOW, key) ? INTERFLOW[key]! : `extra.${key}`, typeof value === 'object' ? JSON.stringify(value) : value);
        }
      }
      const confidence = prop(item, 'confidence');
      if (typeof confidence === 'number') b.set('feed.accuracy', ((b.get('feed.accuracy') as number | undefined) ?? 100) * (confidence / 100));
      if (!b.has('source.ip')) return 'no networksourceipv4';
      b.set('classification.type', 'infected-system');
    },
  }),
};
