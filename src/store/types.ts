/**
 * The repository interfaces every store implements — SQLite embedded, PostgreSQL for a team server —
 * and one contract suite (test/store/contract.ts) checks. Every write is idempotent: records carry
 * content-derived ids, and writing one twice stores it once.
 */
import type { Detection } from '../core/detection.js';
import type { Event, SourceRef } from '../core/event.js';
import type { Issue } from '../core/issue.js';
import type { AccountRepository, AuditRepository, RuleSettingsRepository } from './accounts.js';
import type { ConstituencyRepository } from './constituency.js';
import type { AdvisoryRepository } from './advisories.js';
import type { IncidentHandlingRepository } from './incident-handling.js';
import type { CaseRepository } from './cases.js';
import type { SavedHuntRepository } from './saved-hunts.js';
import type { NotificationRepository } from './notifications.js';
import type { WeeklyReportRepository } from './weekly-reports.js';
import type { IntakeRepository } from './intake.js';

export type * from './accounts.js';
export type * from './incident-handling.js';
export type * from './cases.js';
export type * from './notifications.js';
export type * from './constituency.js';
export type * from './advisories.js';
export type * from './weekly-reports.js';
export type * from './intake.js';
export type * from './saved-hunts.js';

/** An event as stored: its content id and the common fields analysts pivot on, beside the event. */
export interface StoredEvent {
  readonly id: string;
  readonly event: Event;
  readonly host: string | null;
  readonly user: string | null;
  readonly srcIp: string | null;
  readonly dstIp: string | null;
}

export interface StoredDetection {
  /** Content id: the rule and the event it fired on. */
  readonly id: string;
  readonly detection: Detection;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** One ingest of evidence: what was given, how far it got, what it found. */
export interface IngestJob {
  readonly id: string;
  readonly createdAt: number;
  readonly paths: readonly string[];
  readonly status: JobStatus;
  readonly records: number;
  readonly issues: number;
  readonly detections: number;
  readonly firstTimestamp: number | null;
  readonly lastTimestamp: number | null;
  /** The first issues met (the count above is exact). */
  readonly issueSamples: readonly Issue[];
  readonly finishedAt: number | null;
}

/** A stored incident: its id, span and the analysis as a JSON document (docs/formats.md). */
export interface StoredIncident {
  readonly id: string;
  readonly title: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly detectionIds: readonly string[];
  readonly analysis: unknown;
}

export interface IncidentSummary {
  readonly id: string;
  readonly title: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly detectionCount: number;
}

/** What an analyst pivots on. Every given condition must hold; results come in time order. */
export interface EventQuery {
  readonly from?: number;
  readonly to?: number;
  readonly host?: string;
  readonly user?: string;
  /** Either end of a connection, or the address an event names. */
  readonly ip?: string;
  readonly kind?: SourceRef['kind'];
  /** Native field name = value (exact, case-insensitive on the value). */
  readonly field?: { readonly name: string; readonly value: string };
  /** Case-insensitive substring of any field value. */
  readonly text?: string;
  readonly limit?: number;
  /** Continue after this (timestamp, id) — keyset paging, stable under inserts. */
  readonly after?: { readonly timestamp: number; readonly id: string };
}

export interface DetectionQuery {
  readonly from?: number;
  readonly to?: number;
  readonly host?: string;
  readonly ruleId?: string;
  readonly minLevel?: Detection['level'];
  readonly limit?: number;
}

export interface EventRepository {
  /** Stores events; returns how many were new. */
  add(events: readonly Event[]): Promise<number>;
  get(id: string): Promise<StoredEvent | undefined>;
  search(query: EventQuery): Promise<StoredEvent[]>;
  /** Every matching event in time order, in pages, for hunts over the whole store. */
  scan(query: Omit<EventQuery, 'limit' | 'after'>, pageSize?: number): AsyncGenerator<StoredEvent>;
  count(): Promise<number>;
}

export interface DetectionRepository {
  add(detections: readonly Detection[]): Promise<number>;
  get(id: string): Promise<StoredDetection | undefined>;
  search(query: DetectionQuery): Promise<StoredDetection[]>;
  count(): Promise<number>;
}

export interface IngestJobRepository {
  create(paths: readonly string[]): Promise<IngestJob>;
  update(id: string, change: Partial<Omit<IngestJob, 'id' | 'createdAt' | 'paths'>>): Promise<IngestJob>;
  get(id: string): Promise<IngestJob | undefined>;
  list(limit?: number): Promise<IngestJob[]>;
}

export interface IncidentRepository {
  put(incident: StoredIncident): Promise<void>;
  get(id: string): Promise<StoredIncident | undefined>;
  list(): Promise<StoredIncident[]>;
  /** Every incident without its analysis, for listings: one query, not one per incident. */
  summaries(): Promise<IncidentSummary[]>;
}

export interface Store {
  readonly events: EventRepository;
  readonly detections: DetectionRepository;
  readonly jobs: IngestJobRepository;
  readonly incidents: IncidentRepository;
  readonly handling: IncidentHandlingRepository;
  readonly accounts: AccountRepository;
  readonly audit: AuditRepository;
  readonly ruleSettings: RuleSettingsRepository;
  readonly cases: CaseRepository;
  readonly notifications: NotificationRepository;
  /** Organisations of the constituency and outside parties (who owns what, who must act). */
  readonly constituency: ConstituencyRepository;
  /** Imported CVE/CSAF records, software inventories, our own advisories (issue 10). */
  readonly advisories: AdvisoryRepository;
  /** Past issues of the weekly report. */
  readonly weeklyReports: WeeklyReportRepository;
  /** Feed and abuse-report intake: deduplicated feed events, their cases, runs, breach figures. */
  readonly intake: IntakeRepository;
  /** Hunts the team keeps (name, Sigma rule text, pivot). */
  readonly savedHunts: SavedHuntRepository;
  /** Schema version after migrations. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
