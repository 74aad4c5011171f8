/**
 * Cases with their tasks, comments, observables, evidence (with its chain of custody) and links,
 * written once over SqlDb for SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type {
  Case,
  CaseComment,
  CaseEvidence,
  CaseFields,
  CaseObservable,
  CaseTask,
  CustodyEntry,
} from '../cases/model.js';
import type { ObservableType } from '../cases/observables.js';
import type { CaseState } from '../cases/workflow.js';
import type { SqlDb } from './sql.js';

export type NewCase = CaseFields & {
  readonly incidentId: string | null;
  readonly detectionIds: readonly string[];
  readonly createdBy: string;
};

export type CaseChange = Partial<CaseFields> & {
  readonly status?: CaseState;
  readonly statusReason?: string | null;
  readonly mergedInto?: string | null;
  readonly detectionIds?: readonly string[];
  readonly resolvedAt?: number | null;
};

export interface CaseQuery {
  readonly status?: CaseState;
  readonly organisation?: string;
  readonly assignee?: string;
  readonly limit?: number;
}

export interface CaseRepository {
  create(c: NewCase): Promise<Case>;
  get(id: string): Promise<Case | undefined>;
  byNumber(number: number): Promise<Case | undefined>;
  list(query?: CaseQuery): Promise<Case[]>;
  update(id: string, change: CaseChange): Promise<Case | undefined>;

  addTask(task: Omit<CaseTask, 'id' | 'createdAt' | 'done'>): Promise<CaseTask>;
  updateTask(
    caseId: string,
    taskId: string,
    change: Partial<Pick<CaseTask, 'title' | 'owner' | 'dueAt' | 'done'>>,
  ): Promise<CaseTask | undefined>;
  tasks(caseId: string): Promise<CaseTask[]>;

  addComment(comment: Omit<CaseComment, 'id' | 'createdAt'>): Promise<CaseComment>;
  comments(caseId: string): Promise<CaseComment[]>;

  /** Adds an observable, or merges its detections into the one already there. */
  addObservable(o: Omit<CaseObservable, 'createdAt'>): Promise<CaseObservable>;
  observables(caseId: string): Promise<CaseObservable[]>;

  addEvidence(e: Omit<CaseEvidence, 'id' | 'custody'>, first: CustodyEntry): Promise<CaseEvidence>;
  addCustody(evidenceId: string, entry: CustodyEntry): Promise<void>;
  evidence(caseId: string): Promise<CaseEvidence[]>;

  link(a: string, b: string): Promise<void>;
  links(caseId: string): Promise<string[]>;
}

interface CaseRow {
  id: string;
  number: number;
  title: string;
  description: string;
  status: CaseState;
  status_reason: string | null;
  rsit_class: string | null;
  rsit_type: string | null;
  tlp: Case['tlp'];
  pap: Case['pap'];
  severity: Case['severity'];
  priority: Case['priority'];
  organisations: string;
  assignee: string | null;
  due_at: number | null;
  incident_id: string | null;
  detection_ids: string;
  merged_into: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

const n = (v: number | null): number | null => (v === null ? null : Number(v));

const toCase = (r: CaseRow): Case => ({
  id: r.id,
  number: Number(r.number),
  title: r.title,
  description: r.description,
  status: r.status,
  statusReason: r.status_reason,
  rsitClass: r.rsit_class,
  rsitType: r.rsit_type,
  tlp: r.tlp,
  pap: r.pap,
  severity: r.severity,
  priority: r.priority,
  organisations: JSON.parse(r.organisations) as string[],
  assignee: r.assignee,
  dueAt: n(r.due_at),
  incidentId: r.incident_id,
  detectionIds: JSON.parse(r.detection_ids) as string[],
  mergedInto: r.merged_into,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  resolvedAt: n(r.resolved_at),
});

/** Case fields → columns; values that are lists are kept as JSON text. */
const COLUMNS: Record<keyof CaseChange, string> = {
  title: 'title',
  description: 'description',
  rsitClass: 'rsit_class',
  rsitType: 'rsit_type',
  tlp: 'tlp',
  pap: 'pap',
  severity: 'severity',
  priority: 'priority',
  organisations: 'organisations',
  assignee: 'assignee',
  dueAt: 'due_at',
  status: 'status',
  statusReason: 'status_reason',
  mergedInto: 'merged_into',
  detectionIds: 'detection_ids',
  resolvedAt: 'resolved_at',
};

interface TaskRow {
  id: string;
  case_id: string;
  title: string;
  owner: string | null;
  due_at: number | null;
  done: number;
  created_at: number;
}
const toTask = (r: TaskRow): CaseTask => ({
  id: r.id,
  caseId: r.case_id,
  title: r.title,
  owner: r.owner,
  dueAt: n(r.due_at),
  done: Number(r.done) === 1,
  createdAt: Number(r.created_at),
});

interface EvidenceRow {
  id: string;
  case_id: string;
  name: string;
  sha256: string;
  size: number;
  path: string;
}
interface CustodyRow {
  evidence_id: string;
  at: number;
  actor: string;
  action: CustodyEntry['action'];
  note: string | null;
}

export class SqlCases implements CaseRepository {
  constructor(private readonly db: SqlDb) {}

  async create(c: NewCase): Promise<Case> {
    const id = randomUUID();
    const now = Date.now();
    // The next ticket number; under concurrent creation the unique index refuses a repeat, and we retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.run(
          `INSERT INTO cases (id, number, title, description, status, status_reason, rsit_class, rsit_type, tlp, pap,
             severity, priority, organisations, assignee, due_at, incident_id, detection_ids, merged_into, created_by,
             created_at, updated_at)
           VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM cases), ?, ?, 'new', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
          [
            id,
            c.title,
            c.description,
            c.rsitClass,
            c.rsitType,
            c.tlp,
            c.pap,
            c.severity,
            c.priority,
            JSON.stringify(c.organisations),
            c.assignee,
            c.dueAt,
            c.incidentId,
            JSON.stringify(c.detectionIds),
            c.createdBy,
            now,
            now,
          ],
        );
        return (await this.get(id))!;
      } catch (error) {
        if (attempt >= 5 || !/unique|duplicate/i.test((error as Error).message)) throw error;
      }
    }
  }

  async get(id: string): Promise<Case | undefined> {
    const [row] = await this.db.all<CaseRow>('SELECT * FROM cases WHERE id = ?', [id]);
    return row ? toCase(row) : undefined;
  }

  async byNumber(number: number): Promise<Case | undefined> {
    const [row] = await this.db.all<CaseRow>('SELECT * FROM cases WHERE number = ?', [number]);
    return row ? toCase(row) : undefined;
  }

  async list(query: CaseQuery = {}): Promise<Case[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) {
      clauses.push('status = ?');
      params.push(query.status);
    }
    if (query.assignee !== undefined) {
      clauses.push('assignee = ?');
      params.push(query.assignee);
    }
    const limit = Math.min(Math.max(1, query.limit ?? 1000), 10_000);
    const rows = await this.db.all<CaseRow>(
      `SELECT * FROM cases ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY number DESC LIMIT ?`,
      [...params, limit],
    );
    const cases = rows.map(toCase);
    // Organisations are a JSON list: filtered here rather than with each engine's JSON functions.
    return query.organisation === undefined
      ? cases
      : cases.filter((c) => c.organisations.includes(query.organisation!));
  }

  async update(id: string, change: CaseChange): Promise<Case | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, column] of Object.entries(COLUMNS) as [keyof CaseChange, string][]) {
      const value = change[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(Array.isArray(value) ? JSON.stringify(value) : value);
    }
    if (sets.length > 0)
      await this.db.run(`UPDATE cases SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
        ...params,
        Date.now(),
        id,
      ]);
    return this.get(id);
  }

  async addTask(task: Omit<CaseTask, 'id' | 'createdAt' | 'done'>): Promise<CaseTask> {
    const id = randomUUID();
    await this.db.run(
      'INSERT INTO case_tasks (id, case_id, title, owner, due_at, done, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
      [id, task.caseId, task.title, task.owner, task.dueAt, Date.now()],
    );
    const [row] = await this.db.all<TaskRow>('SELECT * FROM case_tasks WHERE id = ?', [id]);
    return toTask(row!);
  }

  async updateTask(
    caseId: string,
    taskId: string,
    change: Partial<Pick<CaseTask, 'title' | 'owner' | 'dueAt' | 'done'>>,
  ): Promise<CaseTask | undefined> {
    const columns: Record<string, string> = { title: 'title', owner: 'owner', dueAt: 'due_at', done: 'done' };
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) continue;
      sets.push(`${columns[key]} = ?`);
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    if (sets.length > 0)
      await this.db.run(`UPDATE case_tasks SET ${sets.join(', ')} WHERE id = ? AND case_id = ?`, [
        ...params,
        taskId,
        caseId,
      ]);
    const [row] = await this.db.all<TaskRow>('SELECT * FROM case_tasks WHERE id = ? AND case_id = ?', [
      taskId,
      caseId,
    ]);
    return row ? toTask(row) : undefined;
  }

  async tasks(caseId: string): Promise<CaseTask[]> {
    return (
      await this.db.all<TaskRow>('SELECT * FROM case_tasks WHERE case_id = ? ORDER BY created_at, id', [
        caseId,
      ])
    ).map(toTask);
  }

  async addComment(comment: Omit<CaseComment, 'id' | 'createdAt'>): Promise<CaseComment> {
    const created = { ...comment, id: randomUUID(), createdAt: Date.now() };
    await this.db.run(
      'INSERT INTO case_comments (id, case_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)',
      [created.id, created.caseId, created.author, created.text, created.createdAt],
    );
    return created;
  }

  async comments(caseId: string): Promise<CaseComment[]> {
    const rows = await this.db.all<{
      id: string;
      case_id: string;
      author: string;
      text: string;
      created_at: number;
    }>('SELECT * FROM case_comments WHERE case_id = ? ORDER BY created_at, id', [caseId]);
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      author: r.author,
      text: r.text,
      createdAt: Number(r.created_at),
    }));
  }

  async addObservable(o: Omit<CaseObservable, 'createdAt'>): Promise<CaseObservable> {
    const [existing] = await this.observablesWhere('case_id = ? AND type = ? AND value = ?', [
      o.caseId,
      o.type,
      o.value,
    ]);
    if (existing) {
      const merged = [...new Set([...existing.detectionIds, ...o.detectionIds])];
      await this.db.run(
        'UPDATE case_observables SET detection_ids = ? WHERE case_id = ? AND type = ? AND value = ?',
        [JSON.stringify(merged), o.caseId, o.type, o.value],
      );
      return { ...existing, detectionIds: merged };
    }
    const created = { ...o, createdAt: Date.now() };
    await this.db.run(
      'INSERT INTO case_observables (case_id, type, value, detection_ids, created_at) VALUES (?, ?, ?, ?, ?)',
      [o.caseId, o.type, o.value, JSON.stringify(o.detectionIds), created.createdAt],
    );
    return created;
  }

  private async observablesWhere(where: string, params: unknown[]): Promise<CaseObservable[]> {
    const rows = await this.db.all<{
      case_id: string;
      type: ObservableType;
      value: string;
      detection_ids: string;
      created_at: number;
    }>(`SELECT * FROM case_observables WHERE ${where} ORDER BY created_at, type, value`, params);
    return rows.map((r) => ({
      caseId: r.case_id,
      type: r.type,
      value: r.value,
      detectionIds: JSON.parse(r.detection_ids) as string[],
      createdAt: Number(r.created_at),
    }));
  }

  observables(caseId: string): Promise<CaseObservable[]> {
    return this.observablesWhere('case_id = ?', [caseId]);
  }

  async addEvidence(e: Omit<CaseEvidence, 'id' | 'custody'>, first: CustodyEntry): Promise<CaseEvidence> {
    const id = randomUUID();
    await this.db.run(
      'INSERT INTO case_evidence (id, case_id, name, sha256, size, path) VALUES (?, ?, ?, ?, ?, ?)',
      [id, e.caseId, e.name, e.sha256, e.size, e.path],
    );
    await this.addCustody(id, first);
    return { ...e, id, custody: [first] };
  }

  async addCustody(evidenceId: string, entry: CustodyEntry): Promise<void> {
    await this.db.run(
      'INSERT INTO case_custody (evidence_id, at, actor, action, note) VALUES (?, ?, ?, ?, ?)',
      [evidenceId, entry.at, entry.actor, entry.action, entry.note],
    );
  }

  async evidence(caseId: string): Promise<CaseEvidence[]> {
    const rows = await this.db.all<EvidenceRow>(
      'SELECT * FROM case_evidence WHERE case_id = ? ORDER BY name, id',
      [caseId],
    );
    const custody = await this.db.all<CustodyRow>(
      'SELECT c.* FROM case_custody c JOIN case_evidence e ON e.id = c.evidence_id WHERE e.case_id = ? ORDER BY c.seq',
      [caseId],
    );
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      name: r.name,
      sha256: r.sha256,
      size: Number(r.size),
      path: r.path,
      custody: custody
        .filter((c) => c.evidence_id === r.id)
        .map((c) => ({ at: Number(c.at), actor: c.actor, action: c.action, note: c.note })),
    }));
  }

  async link(a: string, b: string): Promise<void> {
    const [x, y] = a < b ? [a, b] : [b, a];
    await this.db.run('INSERT INTO case_links (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING', [x, y]);
  }

  async links(caseId: string): Promise<string[]> {
    const rows = await this.db.all<{ other: string }>(
      'SELECT b AS other FROM case_links WHERE a = ? UNION SELECT a AS other FROM case_links WHERE b = ?',
      [caseId, caseId],
    );
    return rows.map((r) => r.other).sort();
  }
}
