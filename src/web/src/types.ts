/** The API's answers as the UI reads them (docs/server.md, /api/openapi.json); the UI's own copy. */
export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';

export interface User {
  id: string;
  username: string;
  role: string;
  organisation: string | null;
  tlpClearance: Tlp;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: number;
}

export interface Me {
  user: User;
  via: string;
  permissions: string[];
  csrfToken?: string;
}

export interface Job {
  id: string;
  createdAt: number;
  paths: string[];
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  records: number;
  issues: number;
  detections: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  issueSamples: Record<string, unknown>[];
  finishedAt: number | null;
}

export interface Detection {
  id: string;
  kind: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  timestamp: string;
  host: string | null;
  fields: Record<string, unknown>;
  source: Record<string, unknown>;
  eventId?: string;
}

export interface StoredEvent {
  id: string;
  timestamp: string;
  host: string | null;
  user: string | null;
  srcIp: string | null;
  dstIp: string | null;
  source: Record<string, unknown>;
  fields: Record<string, unknown>;
}

export interface IncidentSummary {
  id: string;
  title: string;
  firstSeen: string;
  lastSeen: string;
  tlp: Tlp;
  organisation: string | null;
  detections: number;
}

export interface Analysis {
  id: string;
  title: string;
  first_seen: string;
  last_seen: string;
  severity: string;
  hosts: { name: string; first_seen: string; how_reached: string; detections: number }[];
  entry: {
    host: string;
    time: string;
    technique: string | null;
    rule: string;
    from_ip?: string | null;
  } | null;
  spread: { from: string; to: string; time: string; via: string }[];
  timeline: {
    time: string;
    tactic: string | null;
    technique: string | null;
    host: string;
    rule: string;
    count: number;
  }[];
  techniques: { id: string; name: string; tactics: string[]; count: number }[];
  infrastructure: {
    ip: string;
    country: string | null;
    asn: number | null;
    as_name: string | null;
    roles: string[];
    first_seen: string;
    last_seen: string;
    bytes_out?: number;
  }[];
  web_shells?: { host: string; path: string; time: string; written_by: string }[];
  web_commands?: { host: string; time: string; command: string }[];
  bytes_out_total: number;
  cross_border: boolean;
  countries: string[];
  activity: {
    by_hour_utc: number[];
    by_weekday: number[];
    best_utc_offset: number | null;
    fit: number;
    actions: number;
  };
  links: string[];
}

export interface Incident extends IncidentSummary {
  detectionIds: string[];
  analysis: Analysis;
}

export interface Task {
  id: string;
  title: string;
  owner: string | null;
  dueAt: number | null;
  done: boolean;
  createdAt: number;
}
export interface Comment {
  id: string;
  author: string;
  text: string;
  createdAt: number;
}
export interface Observable {
  type: string;
  value: string;
  detectionIds: string[];
  createdAt: number;
}
export interface CaseEvidence {
  id: string;
  name: string;
  sha256: string;
  size: number;
  addedBy?: string;
  addedAt?: number;
  custody?: unknown[];
}

export interface CaseSummary {
  id: string;
  number: number;
  ticket: string;
  status: string;
  statusReason: string | null;
  title: string;
  description: string;
  rsitClass: string | null;
  rsitType: string | null;
  tlp: Tlp;
  pap: string;
  severity: string;
  priority: string;
  organisations: string[];
  assignee: string | null;
  dueAt: number | null;
  incidentId: string | null;
  detectionIds: string[];
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  allowedTransitions: string[];
  crossBorder: boolean;
  foreignCountries: string[];
}

export interface CaseDetail extends CaseSummary {
  tasks: Task[];
  comments: Comment[];
  observables: Observable[];
  evidence: CaseEvidence[];
  links: string[];
}

export interface ProposedParty {
  kind: string;
  id: string;
  name: string;
  action: string;
  reasons: string[];
  subjects: string[];
  contacts: { email: string; name?: string; language?: string }[];
  preferredFormat: string;
  countries: string[];
}

export interface Parties {
  parties: ProposedParty[];
  unresolved: string[];
  crossBorder: { crossBorder: boolean; foreign: string[] };
}

export interface Notification {
  id: string;
  caseId: string;
  recipient: string;
  recipientName: string | null;
  partyKind: string;
  language: string;
  subject: string;
  status: string;
  sentAt: number | null;
  remindedAt: number | null;
  history: { at: number; status: string; note: string | null }[];
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export interface Counted {
  count: number;
  ids: string[];
}

export interface Figures {
  period: { from: string; to: string };
  opened: Counted & { byClass: Record<string, Counted> };
  handled: Counted & { byClass: Record<string, Counted> };
  resolved: Counted & { byClass: Record<string, Counted> };
  crossBorder: Counted & { share: number; byCountry: Record<string, Counted> };
  notifications: Counted & { byParty: Record<string, Record<string, Counted>> };
  medianHoursToResolution: number | null;
}

export interface Rule {
  id: string;
  title: string;
  level: string;
  status: string | null;
  product: string | null;
  category: string | null;
  service: string | null;
  tags: string[];
  file: string;
  kind: 'rule' | 'correlation';
  uploaded: boolean;
  enabled: boolean;
}

export interface Token {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt?: number | null;
}

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
