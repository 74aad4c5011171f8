/** An investigation's incident (docs/formats.md) as the store keeps it: its span and detections beside the analysis. */
import type { Incident } from '../investigate/index.js';
import type { StoredIncident } from './types.js';

export function incidentRecord(i: Incident): StoredIncident {
  return {
    id: i.id,
    title: i.title,
    firstSeen: Date.parse(i.first_seen),
    lastSeen: Date.parse(i.last_seen),
    detectionIds: i.detections.ids,
    analysis: i,
  };
}
