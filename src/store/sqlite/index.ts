/**
 * The embedded store: one SQLite file through better-sqlite3. Writes are batched in transactions
 * with prepared statements; every query binds its values (log content never becomes SQL).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { commonFields } from '../../core/accessors.js';
import type { Detection } from '../../core/detection.js';
import { levelRank } from '../../core/detection.js';
import type { Event } from '../../core/event.js';
import { detectionId, eventIdAndFields, timeOfEventId } from '../../core/ids.js';
import type {
  DetectionQuery,
  DetectionRepository,
  EventQuery,
  EventRepository,
  IncidentRepository,
  IngestJob,
  IngestJobRepository,
  Store,
  StoredDetection,
  StoredEvent,
  StoredIncident,
} from '../types.js';
import { MIGRATIONS } from './migrations.js';
import { toIncidentSummary, type SummaryRow } from '../rows.js';
import type { IncidentSummary } from '../types.js';
import type { SqlDb } from '../sql.js';
import { SqlStore } from '../sql-store.js';
import { SqlIntake, type SqlBatch } from '../intake.js';
import {
  EVENT_COLUMNS,
  toJob,
  toStoredDetection,
  toStoredEvent,
  type DetectionRow,
  type EventRow,
  type JobRow,
} from '../rows.js';

type Db = Database.Database;

const MAX_LIMIT = 10_000;

function migrate(db: Db): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
  return MIGRATIONS.at(-1)?.version ?? 0;
}

/** Rows per INSERT statement: one call into SQLite per 50 events instead of per event. */
const ROWS_PER_STATEMENT = 50;
const EVENT_PARAMS = 13;

function insertEvents(db: Db, rows: number): Database.Statement {
  const row = `(${new Array<string>(EVENT_PARAMS).fill('?').join(', ')})`;
  return db.prepare(
    `INSERT OR IGNORE INTO events (${EVENT_COLUMNS}) VALUES ${new Array<string>(rows).fill(row).join(', ')}`,
  );
}

/** Appends one event's column values, in EVENT_COLUMNS order, to `params` from index `at`. */
function eventParams(e: Event, params: unknown[], at: number): void {
  const { id, fieldsJson } = eventIdAndFields(e);
  const c = commonFields(e);
  const s = e.source;
  params[at] = id;
  params[at + 1] = Number.isFinite(e.timestamp) ? e.timestamp : 0;
  params[at + 2] = s.kind;
  params[at + 3] = s.file;
  params[at + 4] = s.offset ?? null;
  params[at + 5] = s.line ?? null;
  params[at + 6] = s.recordId ?? null;
  params[at + 7] = s.logType ?? null;
  params[at + 8] = c.host;
  params[at + 9] = c.user;
  params[at + 10] = c.srcIp;
  params[at + 11] = c.dstIp;
  params[at + 12] = fieldsJson;
}

class SqliteEvents implements EventRepository {
  readonly #addMany: (events: readonly Event[]) => number;
  readonly #getById: Database.Statement;

  constructor(private readonly db: Db) {
    this.#getById = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE ts > ? AND ts < ? AND id = ?`);
    const one = insertEvents(db, 1);
    const many = insertEvents(db, ROWS_PER_STATEMENT);
    const params = new Array<unknown>(ROWS_PER_STATEMENT * EVENT_PARAMS);
    const single = new Array<unknown>(EVENT_PARAMS);
    // OR IGNORE checks each row as it goes in, so a duplicate inside one statement is skipped too,
    // and `changes` counts only the new rows.
    this.#addMany = db.transaction((events: readonly Event[]) => {
      let added = 0;
      let i = 0;
      for (; i + ROWS_PER_STATEMENT <= events.length; i += ROWS_PER_STATEMENT) {
        for (let r = 0; r < ROWS_PER_STATEMENT; r++) eventParams(events[i + r]!, params, r * EVENT_PARAMS);
        added += many.run(params).changes;
      }
      for (; i < events.length; i++) {
        eventParams(events[i]!, single, 0);
        added += one.run(single).changes;
      }
      return added;
    });
  }

  add(events: readonly Event[]): Promise<number> {
    return Promise.resolve(this.#addMany(events));
  }

  get(id: string): Promise<StoredEvent | undefined> {
    // The id names its time: the (ts, id) index finds it. The range allows for a stored time with a
    // fraction, which the id's whole milliseconds truncate.
    const time = timeOfEventId(id);
    if (time === undefined) return Promise.resolve(undefined);
    const row = this.#getById.get(time - 1, time + 1, id) as EventRow | undefined;
    return Promise.resolve(row ? toStoredEvent(row) : undefined);
  }

  #where(query: EventQuery, hostPart: 'exact' | 'domain' = 'exact'): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const where = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    // The names under a host are a range of (host, ts), so the time cannot narrow that index; and
    // the (ts, id) index, which needs no sort, would tempt the planner to read every event of the
    // time range instead. `+ts` keeps the time a filter there.
    const ts = query.host !== undefined && hostPart === 'domain' ? '+ts' : 'ts';
    if (query.from !== undefined) where(`${ts} >= ?`, query.from);
    if (query.to !== undefined) where(`${ts} <= ?`, query.to);
    // `WS-014` finds `WS-014.corp.example` too (analysts type short names): the exact name and the
    // names under it are two index ranges, searched separately (see search) so each uses (host, ts).
    if (query.host !== undefined) {
      if (hostPart === 'exact') where('host = ?', query.host);
      else where('host >= ? AND host < ?', `${query.host}.`, `${query.host}/`);
    }
    if (query.user !== undefined) where('user_name = ?', query.user);
    if (query.kind !== undefined) where('kind = ?', query.kind);
    if (query.ip !== undefined) where('(src_ip = ? OR dst_ip = ?)', query.ip, query.ip);
    if (query.field !== undefined) {
      // json_each compares the key as a bound value: no path syntax for a hostile name to break.
      where(
        'EXISTS (SELECT 1 FROM json_each(events.fields) WHERE key = ? AND lower(CAST(value AS TEXT)) = lower(?))',
        query.field.name,
        query.field.value,
      );
    }
    // Fields are stored as JSON text: look for the text as JSON writes it inside a string.
    if (query.text !== undefined)
      where('instr(lower(fields), lower(?)) > 0', JSON.stringify(query.text).slice(1, -1));
    if (query.after !== undefined) {
      clauses.push('(ts > ? OR (ts = ? AND id > ?))');
      params.push(query.after.timestamp, query.after.timestamp, query.after.id);
    }
    return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  readonly #statements = new Map<string, Database.Statement>();

  #select(query: EventQuery, limit: number, hostPart: 'exact' | 'domain'): EventRow[] {
    const { sql, params } = this.#where(query, hostPart);
    const text = `SELECT ${EVENT_COLUMNS} FROM events ${sql} ORDER BY ts, id LIMIT ?`;
    let statement = this.#statements.get(text);
    // The clause combinations are finite, so this cache is too.
    if (!statement) this.#statements.set(text, (statement = this.db.prepare(text)));
    return statement.all(...params, limit) as EventRow[];
  }

  search(query: EventQuery): Promise<StoredEvent[]> {
    const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_LIMIT);
    let rows = this.#select(query, limit, 'exact');
    if (query.host !== undefined) {
      const under = this.#select(query, limit, 'domain');
      if (under.length > 0)
        rows = [...rows, ...under]
          .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, limit);
    }
    return Promise.resolve(rows.map(toStoredEvent));
  }

  async *scan(query: Omit<EventQuery, 'limit' | 'after'>, pageSize = 5000): AsyncGenerator<StoredEvent> {
    let after: EventQuery['after'];
    for (;;) {
      const page = await this.search({ ...query, limit: pageSize, ...(after ? { after } : {}) });
      yield* page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { timestamp: last.event.timestamp, id: last.id };
    }
  }

  count(): Promise<number> {
    return Promise.resolve((this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
  }
}

class SqliteDetections implements DetectionRepository {
  readonly #addMany: (detections: readonly Detection[]) => number;

  constructor(private readonly db: Db) {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO detections (id, kind, rule_id, rule_title, level, level_rank, ts, host, tags, fields, source, event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#addMany = db.transaction((detections: readonly Detection[]) => {
      let added = 0;
      for (const d of detections) {
        added += insert.run(
          detectionId(d),
          d.kind,
          d.ruleId,
          d.ruleTitle,
          d.level,
          levelRank(d.level),
          Number.isFinite(d.timestamp) ? d.timestamp : 0,
          d.host,
          JSON.stringify(d.tags),
          JSON.stringify(d.fields),
          JSON.stringify(d.source),
          d.eventId ?? null,
        ).changes;
      }
      return added;
    });
  }

  add(detections: readonly Detection[]): Promise<number> {
    return Promise.resolve(this.#addMany(detections));
  }

  get(id: string): Promise<StoredDetection | undefined> {
    const row = this.db.prepare('SELECT * FROM detections WHERE id = ?').get(id) as DetectionRow | undefined;
    return Promise.resolve(row ? toStoredDetection(row) : undefined);
  }

  search(query: DetectionQuery): Promise<StoredDetection[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const where = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    if (query.from !== undefined) where('ts >= ?', query.from);
    if (query.to !== undefined) where('ts <= ?', query.to);
    if (query.host !== undefined) where('host = ?', query.host);
    if (query.ruleId !== undefined) where('rule_id = ?', query.ruleId);
    if (query.minLevel !== undefined) where('level_rank >= ?', levelRank(query.minLevel));
    const whereSql = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, query.limit ?? 1000), 100_000);
    const rows = this.db
      .prepare(`SELECT * FROM detections ${whereSql} ORDER BY ts, id LIMIT ?`)
      .all(...params, limit) as DetectionRow[];
    return Promise.resolve(rows.map(toStoredDetection));
  }

  count(): Promise<number> {
    return Promise.resolve(
      (this.db.prepare('SELECT count(*) AS n FROM detections').get() as { n: number }).n,
    );
  }
}

class SqliteJobs implements IngestJobRepository {
  constructor(private readonly db: Db) {}

  create(paths: readonly string[]): Promise<IngestJob> {
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO ingest_jobs (id, created_at, paths, status) VALUES (?, ?, ?, ?)')
      .run(id, Date.now(), JSON.stringify(paths), 'queued');
    return this.get(id) as Promise<IngestJob>;
  }

  async update(
    id: string,
    change: Partial<Omit<IngestJob, 'id' | 'createdAt' | 'paths'>>,
  ): Promise<IngestJob> {
    const current = await this.get(id);
    if (!current) throw new Error(`no ingest job ${id}`);
    const next = { ...current, ...change };
    this.db
      .prepare(
        `UPDATE ingest_jobs SET status = ?, records = ?, issues = ?, detections = ?, first_ts = ?, last_ts = ?,
         issue_samples = ?, finished_at = ? WHERE id = ?`,
      )
      .run(
        next.status,
        next.records,
        next.issues,
        next.detections,
        next.firstTimestamp,
        next.lastTimestamp,
        JSON.stringify(next.issueSamples),
        next.finishedAt,
        id,
      );
    return next;
  }

  get(id: string): Promise<IngestJob | undefined> {
    const row = this.db.prepare('SELECT * FROM ingest_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return Promise.resolve(row ? toJob(row) : undefined);
  }

  list(limit = 100): Promise<IngestJob[]> {
    const rows = this.db
      .prepare('SELECT * FROM ingest_jobs ORDER BY created_at DESC, id LIMIT ?')
      .all(Math.min(Math.max(1, limit), 10_000)) as JobRow[];
    return Promise.resolve(rows.map(toJob));
  }
}

class SqliteIncidents implements IncidentRepository {
  constructor(private readonly db: Db) {}

  put(incident: StoredIncident): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO incidents (id, title, first_seen, last_seen, analysis) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, first_seen = excluded.first_seen,
           last_seen = excluded.last_seen, analysis = excluded.analysis`,
        )
        .run(
          incident.id,
          incident.title,
          incident.firstSeen,
          incident.lastSeen,
          JSON.stringify(incident.analysis),
        );
      this.db.prepare('DELETE FROM incident_detections WHERE incident_id = ?').run(incident.id);
      const link = this.db.prepare(
        'INSERT OR IGNORE INTO incident_detections (incident_id, detection_id) VALUES (?, ?)',
      );
      for (const d of incident.detectionIds) link.run(incident.id, d);
    })();
    return Promise.resolve();
  }

  get(id: string): Promise<StoredIncident | undefined> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as
      { id: string; title: string; first_seen: number; last_seen: number; analysis: string } | undefined;
    if (!row) return Promise.resolve(undefined);
    const ids = (
      this.db
        .prepare('SELECT detection_id FROM incident_detections WHERE incident_id = ? ORDER BY detection_id')
        .all(id) as { detection_id: string }[]
    ).map((r) => r.detection_id);
    return Promise.resolve({
      id: row.id,
      title: row.title,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      detectionIds: ids,
      analysis: JSON.parse(row.analysis) as unknown,
    });
  }

  summaries(): Promise<IncidentSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT i.id, i.title, i.first_seen, i.last_seen,
         (SELECT count(*) FROM incident_detections d WHERE d.incident_id = i.id) AS detections
         FROM incidents i ORDER BY i.first_seen, i.id`,
      )
      .all() as SummaryRow[];
    return Promise.resolve(rows.map(toIncidentSummary));
  }

  async list(): Promise<StoredIncident[]> {
    const ids = this.db.prepare('SELECT id FROM incidents ORDER BY first_seen, id').all() as { id: string }[];
    const out: StoredIncident[] = [];
    for (const { id } of ids) {
      const incident = await this.get(id);
      if (incident) out.push(incident);
    }
    return out;
  }
}

/** better-sqlite3 as SqlDb; statements are prepared once per text (SQLite caches nothing itself). */
function sqlDb(db: Db): SqlDb {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string): Database.Statement => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return {
    // A failing statement rejects, as with node-postgres, instead of throwing at the call.
    all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return new Promise((resolve) => resolve(statement(sql).all(...params) as T[]));
    },
    run(sql: string, params: readonly unknown[] = []): Promise<number> {
      return new Promise((resolve) => resolve(statement(sql).run(...params).changes));
    },
  };
}

/** Statements in one transaction, each prepared once (feed intake writes its batches this way). */
function sqliteBatch(db: Db): SqlBatch {
  const prepared = new Map<string, Database.Statement>();
  const run = db.transaction((statements: Parameters<SqlBatch>[0]) => {
    for (const { sql, params } of statements) {
      let s = prepared.get(sql);
      if (!s) {
        if (prepared.size > 256) prepared.clear();
        prepared.set(sql, (s = db.prepare(sql)));
      }
      s.run(...params);
    }
  });
  return (statements) => new Promise((resolve) => resolve(run(statements)));
}

export class SqliteStore extends SqlStore implements Store {
  readonly events: EventRepository;
  readonly detections: DetectionRepository;
  readonly jobs: IngestJobRepository;
  readonly incidents: IncidentRepository;
  readonly intake: SqlIntake;
  readonly #db: Db;
  readonly #version: number;

  /** Opens (creating if needed) the store file and brings its schema up to date; ':memory:' for tests. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    super(sqlDb(db));
    this.#db = db;
    // Larger pages for a new file (an existing one keeps its own): fewer WAL frames, and so fewer
    // writes, per event stored.
    this.#db.pragma('page_size = 16384');
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    // Bulk ingest: a large page cache and in-memory temporaries keep index updates off the disk.
    this.#db.pragma('cache_size = -262144');
    this.#db.pragma('temp_store = MEMORY');
    this.#db.pragma('foreign_keys = ON');
    this.#version = migrate(this.#db);
    this.events = new SqliteEvents(this.#db);
    this.detections = new SqliteDetections(this.#db);
    this.jobs = new SqliteJobs(this.#db);
    this.incidents = new SqliteIncidents(this.#db);
    this.intake = new SqlIntake(this.sql, sqliteBatch(this.#db), this.cases);
  }

  schemaVersion(): Promise<number> {
    return Promise.resolve(this.#version);
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
