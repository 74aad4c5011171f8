/**
 * What a new case takes from the incident it is opened for: a title and summary, its detections,
 * and its attacker infrastructure as observables; and whether a case is cross-border, derived from
 * the countries involved rather than typed by hand.
 */
import type { Incident } from '../investigate/index.js';
import type { ObservableType } from './observables.js';

export interface CaseSeed {
  readonly title: string;
  readonly description: string;
  readonly detectionIds: readonly string[];
  readonly observables: readonly { readonly type: ObservableType; readonly value: string }[];
}

/** From a stored analysis: older or partial ones may lack any part, and get a plainer seed. */
export function seedFromIncident(stored: {
  readonly id: string;
  readonly title: string;
  readonly analysis: unknown;
}): CaseSeed {
  const incident = (stored.analysis ?? {}) as Partial<Incident>;
  const infrastructure = Array.isArray(incident.infrastructure) ? incident.infrastructure : [];
  const hosts = (Array.isArray(incident.hosts) ? incident.hosts : []).map((h) => h.name);
  const title = typeof incident.title === 'string' ? incident.title : stored.title;
  const lines = [
    `${title}.`,
    `Seen ${incident.first_seen ?? '?'} to ${incident.last_seen ?? '?'} on ${hosts.length} host${hosts.length === 1 ? '' : 's'}${hosts.length > 0 ? ` (${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ', …' : ''})` : ''}.`,
  ];
  if (infrastructure.length > 0)
    lines.push(
      `Attacker infrastructure: ${infrastructure
        .slice(0, 5)
        .map((i) => `${i.ip}${i.country ? ` (${i.country}${i.asn ? `, AS${i.asn}` : ''})` : ''}`)
        .join(', ')}.`,
    );
  return {
    title,
    description: lines.join(' '),
    detectionIds: Array.isArray(incident.detections?.ids) ? incident.detections.ids : [],
    observables: infrastructure.map((i) => ({
      type: i.ip.includes(':') ? 'ipv6' : 'ipv4',
      value: i.ip,
    })),
  };
}
