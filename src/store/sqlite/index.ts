/**
 * The embedded store: one SQLite file through better-sqlite3. Writes are batched in transactions
 * with prepared statements; every query binds its values (log content never becomes SQL).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Detection } from '../../core/detection.js';
import { levelRank } from '../../core/detection.js';
import type { Event, EventFields } from '../../core/event.js';
import { detectionId, timeOfEventId } from '../../core/ids.js';
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
import { toJob, toStoredDetection, type DetectionRow, type JobRow } from '../rows.js';
import {
  BLOCK_SPAN_MS,
  BlockWriter,
  ByteArena,
  ColumnFilter,
  compareTsId,
  decodeMeta,
  encodeBlocks,
  FieldsFilter,
  hostTerm,
  ipTerm,
  kindTerm,
  storedEvent,
  toBlockEvent,
  userTerm,
  type BlockMeta,
} from './event-blocks.js';
import { EventTables, fieldsBytes } from './event-tables.js';
import { EventKeys } from './event-keys.js';

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
      m.apply?.(db);
      record.run(m.version, m.name, Date.now());
    })();
  }
  return MIGRATIONS.at(-1)?.version ?? 0;
}

/** Parsed block columns kept in memory: blocks never change, and paging a scan reads a block again. */
const META_CACHE_BLOCKS = 512;

/** An event a query selected, before its fields are read: enough to order and cut to the limit. */
interface Selected {
  readonly ts: number;
  readonly id: string;
  readonly block: number;
  readonly meta: BlockMeta;
  readonly index: number;
  readonly fields: EventFields | undefined;
}

const bySelectedOrder = (a: Selected, b: Selected): number => compareTsId(a.ts, a.id, b.ts, b.id);

class SqliteEvents implements EventRepository {
  readonly #addMany: (events: readonly Event[]) => number;
  readonly #meta: Database.Statement;
  readonly #fields: Database.Statement;
  readonly #realText: Database.Statement;
  readonly #metaCache = new Map<number, BlockMeta>();

  constructor(private readonly db: Db) {
    this.#meta = db.prepare('SELECT meta FROM event_blocks WHERE block = ?').pluck();
    this.#fields = db.prepare('SELECT fields, codec FROM event_blocks WHERE block = ?').raw();
    this.#realText = db.prepare('SELECT CAST(? AS TEXT)').pluck();
    const tables = new EventTables(db);
    const keys = new EventKeys(db);
    const writer = new BlockWriter();
    const arena = new ByteArena();
    const addMany = db.transaction((events: readonly Event[]) => {
      arena.clear();
      const prepared = events.map((e) => toBlockEvent(e, arena));
      const isNew = keys.newAmong(prepared);
      const fresh = prepared.filter((_, i) => isNew[i]);
      // Blocks in time order, so each is narrow in time and the (ts_min) index finds it.
      fresh.sort((a, b) => compareTsId(a.ts, a.id, b.ts, b.id));
      for (const block of encodeBlocks(fresh, writer)) keys.addBlock(tables.addBlock(block), block.keys);
      return fresh.length;
    });
    this.#addMany = (events) => {
      let committed = false;
      try {
        // The write lock first: the dedup keys read what other connections stored, and nobody may
        // store more until this add commits.
        const added = addMany.immediate(events);
        committed = true;
        return added;
      } finally {
        keys.settle(committed);
      }
    };
  }

  add(events: readonly Event[]): Promise<number> {
    return Promise.resolve(this.#addMany(events));
  }

  get(id: string): Promise<StoredEvent | undefined> {
    // The id names its time: the blocks that can hold it are few. The range allows for a stored time
    // with a fraction, which the id's whole milliseconds truncate.
    const time = timeOfEventId(id);
    if (time === undefined) return Promise.resolve(undefined);
    for (const block of this.#blocks({ from: time - 1, to: time + 1 })) {
      const meta = this.#blockMeta(block);
      const index = meta.id.indexOf(id);
      if (index >= 0) return Promise.resolve(storedEvent(meta, this.#blob(block), index));
    }
    return Promise.resolve(undefined);
  }

  /**
   * The blocks that can hold events of the query, in order of their first event: by time through the
   * (ts_min) index — a block spans at most BLOCK_SPAN_MS — and by host, user, address and kind through
   * the block postings.
   */
  #blocks(query: EventQuery): number[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const where = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    const from = Math.max(query.from ?? -Infinity, query.after?.timestamp ?? -Infinity);
    if (from > -Infinity) where('ts_min >= ? AND ts_max >= ?', from - BLOCK_SPAN_MS, from);
    if (query.to !== undefined) where('ts_min <= ?', query.to);
    const postings = 'block IN (SELECT block FROM event_terms WHERE term';
    if (query.host !== undefined) {
      // The exact name, and the names under it: `ws-014.` up to `ws-014/` ('/' follows '.').
      const host = hostTerm(query.host);
      where(`${postings} = ? OR (term >= ? AND term < ?))`, host, `${host}.`, `${host}/`);
    }
    if (query.user !== undefined) where(`${postings} = ?)`, userTerm(query.user));
    if (query.ip !== undefined) where(`${postings} = ?)`, ipTerm(query.ip));
    if (query.kind !== undefined) where(`${postings} = ?)`, kindTerm(query.kind));
    const text = `SELECT block FROM event_blocks ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ts_min, block`;
    let statement = this.#statements.get(text);
    // The clause combinations are finite, so this cache is too.
    if (!statement) this.#statements.set(text, (statement = this.db.prepare(text).pluck()));
    return statement.all(...params) as number[];
  }

  readonly #statements = new Map<string, Database.Statement>();

  #blockMeta(block: number): BlockMeta {
    let meta = this.#metaCache.get(block);
    if (meta === undefined) {
      meta = decodeMeta(this.#meta.get(block) as string);
      if (this.#metaCache.size >= META_CACHE_BLOCKS) this.#metaCache.clear();
      this.#metaCache.set(block, meta);
    }
    return meta;
  }

  #blob(block: number): Buffer {
    const [stored, codec] = this.#fields.get(block) as [Buffer, number];
    return fieldsBytes(stored, codec);
  }

  search(query: EventQuery): Promise<StoredEvent[]> {
    const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_LIMIT);
    const columns = new ColumnFilter(query);
    const fieldsFilter = new FieldsFilter(query, (value) => this.#realText.get(value) as string);
    const blobs = new Map<number, Buffer>();
    const blobOf = (block: number): Buffer => {
      let blob = blobs.get(block);
      if (blob === undefined) blobs.set(block, (blob = this.#blob(block)));
      return blob;
    };
    let selected: Selected[] = [];
    // The time of the limit-th event selected so far: a block starting after it has nothing to add.
    let last = Infinity;
    const cut = (): void => {
      selected.sort(bySelectedOrder);
      if (selected.length >= limit) {
        selected = selected.slice(0, limit);
        last = selected[limit - 1]!.ts;
      }
    };
    for (const block of this.#blocks(query)) {
      const meta = this.#blockMeta(block);
      if (meta.ts[0]! > last) break;
      let fieldsOf: ((index: number) => EventFields | undefined) | undefined;
      for (let index = 0; index < meta.ts.length; index++) {
        if (!columns.matches(meta, index)) continue;
        let fields: EventFields | undefined;
        if (fieldsFilter.needed) {
          // Not kept in `blobs`: a selected event here carries its parsed fields, and a text search
          // over the whole store must not hold every block it read.
          fieldsOf ??= fieldsFilter.forBlock(this.#blob(block), meta.end);
          fields = fieldsOf(index);
          if (fields === undefined) continue;
        }
        selected.push({ ts: meta.ts[index]!, id: meta.id[index]!, block, meta, index, fields });
      }
      if (selected.length >= 2 * limit || (selected.length >= limit && last === Infinity)) cut();
    }
    cut();
    return Promise.resolve(
      selected.map((s) => storedEvent(s.meta, blobOf(s.block), s.index, s.fields)),
    );
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
    return Promise.resolve(
      this.db.prepare('SELECT coalesce(sum(count), 0) FROM event_blocks').pluck().get() as number,
    );
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
    const returned: unknown[][] = [];
    for (const { sql, params, returning, lastRowId } of statements) {
      let s = prepared.get(sql);
      if (!s) {
        if (prepared.size > 256) prepared.clear();
        s = db.prepare(sql);
        // A statement's SQL says whether it returns rows, so its mode is set once.
        if (returning) s.raw(true);
        prepared.set(sql, s);
      }
      if (returning) for (const row of s.all(...params) as unknown[][]) returned.push(row);
      else if (lastRowId) {
        const done = s.run(...params);
        returned.push([done.lastInsertRowid, done.changes]);
      } else s.run(...params);
    }
    return returned;
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
    this.intake = new SqlIntake(this.sql, sqliteBatch(this.#db), this.cases, { lastRowIds: true });
  }

  schemaVersion(): Promise<number> {
    return Promise.resolve(this.#version);
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
