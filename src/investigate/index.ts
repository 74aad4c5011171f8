/** Investigate: from detections and the facts of the event stream to reconstructed intrusions. */
export { FactCollector, hostKey, mergeFacts, type FactSnapshot, type ObservedDetection } from './facts.js';
export { buildIncidents, formatBytes, type BuildOptions, type Incident, type InfraRole } from './build.js';
export { activityOf, type Activity } from './activity.js';
export { techniquesOf, tacticsOf, tacticName } from './attack.js';
