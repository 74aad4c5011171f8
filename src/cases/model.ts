/** A case: what the team does about an incident (DESIGN.md), with its tasks, comments, observables and evidence. */
import type { Tlp } from '../core/tlp.js';
import type { ObservableType } from './observables.js';
import type { CaseState } from './workflow.js';

export const PAP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Pap = (typeof PAP_LEVELS)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Case {
  readonly id: string;
  /** The ticket number people quote: `[VIGIL#1234]`. */
  readonly number: number;
  readonly title: string;
  readonly description: string;
  readonly status: CaseState;
  /** Why it was rejected, called a duplicate, or reopened. */
  readonly statusReason: string | null;
  readonly rsitClass: string | null;
  readonly rsitType: string | null;
  readonly tlp: Tlp;
  readonly pap: Pap;
  readonly severity: Severity;
  readonly priority: Priority;
  /** Affected constituent organisations (their names). */
  readonly organisations: readonly string[];
  readonly assignee: string | null;
  readonly dueAt: number | null;
  readonly incidentId: string | null;
  readonly detectionIds: readonly string[];
  /** Set when merged: the case that carries on. */
  readonly mergedInto: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When it was last resolved (or closed without being resolved first); null while open. */
  readonly resolvedAt: number | null;
}

export type CaseFields = Pick<
  Case,
  | 'title'
  | 'description'
  | 'rsitClass'
  | 'rsitType'
  | 'tlp'
  | 'pap'
  | 'severity'
  | 'priority'
  | 'organisations'
  | 'assignee'
  | 'dueAt'
>;

export interface CaseTask {
  readonly id: string;
  readonly caseId: string;
  readonly title: string;
  readonly owner: string | null;
  readonly dueAt: number | null;
  readonly done: boolean;
  readonly createdAt: number;
}

export interface CaseComment {
  readonly id: string;
  readonly caseId: string;
  readonly author: string;
  readonly text: string;
  readonly createdAt: number;
}

export interface CaseObservable {
  readonly caseId: string;
  readonly type: ObservableType;
  readonly value: string;
  /** The detections it came from, when it came from any. */
  readonly detectionIds: readonly string[];
  readonly createdAt: number;
}

export interface CustodyEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: 'added' | 'downloaded' | 'verified';
  readonly note: string | null;
}

export interface CaseEvidence {
  readonly id: string;
  readonly caseId: string;
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  /** Where the file is kept, inside the server's data folder. */
  readonly path: string;
  readonly custody: readonly CustodyEntry[];
}
