/**
 * Report types the loaded schema does not know (the historic ones, or a schema not downloaded yet):
 * Shadowserver's column conventions mapped to harmonised fields, and a classification by the report
 * type's family. Every column without a convention goes to `extra.<column>`. The event says it was
 * read by convention (`extra.shadowserver_mapping: "convention"`), so an analyst knows.
 */
import type { FieldRule, ReportType } from './schema.js';

/** Column → [field, conversion]. `src_*` and plain names are the source; `dst_*` the destination. */
const COLUMNS: Readonly<Record<string, readonly [string, string?]>> = {
  timestamp: ['time.source', 'add_UTC_to_timestamp'],
  ip: ['source.ip', 'validate_ip'],
  src_ip: ['source.ip', 'validate_ip'],
  port: ['source.port', 'convert_int'],
  src_port: ['source.port', 'convert_int'],
  hostname: ['source.reverse_dns', 'validate_to_none'],
  src_hostname: ['source.reverse_dns', 'validate_to_none'],
  asn: ['source.asn', 'invalidate_zero'],
  src_asn: ['source.asn', 'invalidate_zero'],
  geo: ['source.geolocation.cc'],
  src_geo: ['source.geolocation.cc'],
  region: ['source.geolocation.region'],
  src_region: ['source.geolocation.region'],
  city: ['source.geolocation.city'],
  src_city: ['source.geolocation.city'],
  naics: ['extra.naics', 'invalidate_zero'],
  src_naics: ['extra.source.naics', 'invalidate_zero'],
  sic: ['extra.sic', 'invalidate_zero'],
  src_sic: ['extra.source.sic', 'invalidate_zero'],
  sector: ['extra.sector', 'validate_to_none'],
  src_sector: ['extra.source.sector', 'validate_to_none'],
  protocol: ['protocol.transport', 'validate_to_none'],
  dst_ip: ['destination.ip', 'validate_ip'],
  dst_port: ['destination.port', 'convert_int'],
  dst_asn: ['destination.asn', 'invalidate_zero'],
  dst_geo: ['destination.geolocation.cc'],
  dst_region: ['destination.geolocation.region'],
  dst_city: ['destination.geolocation.city'],
  dst_hostname: ['destination.reverse_dns', 'validate_to_none'],
  dst_naics: ['extra.destination.naics', 'invalidate_zero'],
  dst_sector: ['extra.destination.sector', 'validate_to_none'],
  network: ['source.network', 'validate_to_none'],
  infection: ['malware.name', 'validate_to_none'],
  http_host: ['destination.fqdn', 'validate_to_none'],
  md5: ['malware.hash.md5', 'validate_to_none'],
  sha1: ['malware.hash.sha1', 'validate_to_none'],
  sha256: ['malware.hash.sha256', 'validate_to_none'],
};

/** Report-type family → [taxonomy, type]; the longest matching prefix wins. */
const FAMILIES: readonly (readonly [prefix: string, taxonomy: string, type: string])[] = [
  ['scan_', 'vulnerable', 'vulnerable-system'],
  ['event4_sinkhole', 'malicious-code', 'infected-system'],
  ['event6_sinkhole', 'malicious-code', 'infected-system'],
  ['event4_microsoft_sinkhole', 'malicious-code', 'infected-system'],
  ['event4_sinkhole_dns', 'other', 'other'],
  ['event4_sinkhole_http_referer', 'other', 'other'],
  ['event4_honeypot_brute_force', 'intrusion-attempts', 'brute-force'],
  ['event4_honeypot_darknet', 'other', 'other'],
  ['event4_honeypot_http_scan', 'information-gathering', 'scanner'],
  ['event4_honeypot_ddos', 'availability', 'ddos'],
  ['event4_ddos', 'availability', 'ddos'],
  ['event4_ip_spoofer', 'fraud', 'masquerade'],
  ['blocklist', 'other', 'blacklist'],
  ['compromised_website', 'intrusions', 'system-compromise'],
  ['malware_url', 'malicious-code', 'malware-distribution'],
  ['sandbox_url', 'malicious-code', 'malware-distribution'],
  ['sandbox_conn', 'malicious-code', 'malware-distribution'],
  ['sandbox_dns', 'other', 'other'],
  ['phish_url', 'fraud', 'phishing'],
  ['device_id', 'other', 'undetermined'],
  ['population_', 'other', 'other'],
  ['special', 'vulnerable', 'vulnerable-system'],
];

export function conventionalType(name: string, columns: readonly string[]): ReportType | undefined {
  let family: (typeof FAMILIES)[number] | undefined;
  for (const f of FAMILIES) if (name.startsWith(f[0]) && (!family || f[0].length > family[0].length)) family = f;
  if (!family) return undefined;
  const taken = new Set<string>();
  const optional: FieldRule[] = [];
  for (const column of columns) {
    const known = Object.hasOwn(COLUMNS, column) ? COLUMNS[column] : undefined;
    // Two columns for one field (ip and src_ip): the first wins, the other stays as extra.
    if (known && !taken.has(known[0])) {
      taken.add(known[0]);
      optional.push(known[1] === undefined ? [known[0], column] : [known[0], column, known[1]]);
    } else optional.push(['extra.', column, 'typed']);
  }
  const constants: Record<string, string> = {
    'classification.taxonomy': family[1],
    'classification.type': family[2],
    'classification.identifier': name.replace(/_/g, '-'),
  };
  const service = /^scan_([a-z0-9]+)/.exec(name)?.[1];
  if (service !== undefined) constants['protocol.application'] = service;
  if (name.includes('_http')) constants['protocol.application'] = 'http';
  return { name, feedName: `Shadowserver ${name}`, constants, required: [], optional };
}
