/**
 * The team server's store: PostgreSQL through node-postgres, the same repository interfaces and the
 * same schema steps as SQLite (migrations.ts), so one contract suite covers both. Every query binds
 * its values; events go in as multi-row INSERT … ON CONFLICT DO NOTHING, one transaction per batch.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { commonFields } from '../../core/accessors.js';
import type { Detection } from '../../core/detection.js';
import { levelRank } from '../../core/detection.js';
import type { Event } from '../../core/event.js';
import { detectionId, eventIdAndFields } from '../../core/ids.js';
import {
  EVENT_COLUMNS,
  toJob,
  toStoredDetection,
  toStoredEvent,
  type DetectionRow,
  type EventRow,
  type JobRow,
} from '../rows.js';
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
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { toIncidentSummary, type SummaryRow } from '../rows.js';
import type { IncidentSummary } from '../types.js';
import { numberedPlaceholders } from '../sql.js';
import { SqlStore } from '../sql-store.js';
import { SqlIntake } from '../intake.js';

const MAX_LIMIT = 10_000;
/** Rows per INSERT statement: 13 parameters each stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 1_000;

// BIGINT columns (milliseconds) come back as numbers: every value we store is below 2^53.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Builds a WHERE clause; each `?` in a clause becomes the next numbered parameter. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  add(clause: string, ...values: unknown[]): void {
    let k = 0;
    this.clauses.push(clause.replace(/\?/g, () => `$${this.params.length + ++k}`));
    this.params.push(...values);
  }
  get sql(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<number> {
  const client = await pool.connect();
  try {
    // One migrator at a time per schema, across processes.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`vigil-migrate:${schema}`]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`vigil-migrate:${schema}`]);
    return POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
  } finally {
    client.release();
  }
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

function placeholders(rows: number, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= columns; c++) cells.push(`$${r * columns + c}`);
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

class PostgresEvents implements EventRepository {
  constructor(private readonly pool: pg.Pool) {}

  async add(events: readonly Event[]): Promise<number> {
    if (events.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      let added = 0;
      for (let at = 0; at < events.length; at += ROWS_PER_STATEMENT) {
        const slice = events.slice(at, at + ROWS_PER_STATEMENT);
        const params: unknown[] = [];
        for (const e of slice) {
          const { id, fieldsJson } = eventIdAndFields(e);
          const c = commonFields(e);
          const s = e.source;
          params.push(
            id,
            Number.isFinite(e.timestamp) ? e.timestamp : 0,
            s.kind,
            s.file,
            s.offset ?? null,
            s.line ?? null,
            s.recordId ?? null,
            s.logType ?? null,
            c.host,
            c.user,
            c.srcIp,
            c.dstIp,
            fieldsJson,
          );
        }
        const result = await client.query(
          `INSERT INTO events (${EVENT_COLUMNS}) VALUES ${placeholders(slice.length, 13)} ON CONFLICT (id) DO NOTHING`,
          params,
        );
        added += result.rowCount ?? 0;
      }
      return added;
    });
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toStoredEvent(rows[0]) : undefined;
  }

  #where(query: EventQuery): Where {
    const w = new Where();
    if (query.from !== undefined) w.add('ts >= ?', query.from);
    if (query.to !== undefined) w.add('ts <= ?', query.to);
    // `WS-014` finds `WS-014.corp.example` too: analysts type short names.
    if (query.host !== undefined)
      w.add(
        "(lower(host) = lower(?) OR lower(host) LIKE lower(?) ESCAPE '\\')",
        query.host,
        `${escapeLike(query.host)}.%`,
      );
    if (query.user !== undefined) w.add('lower(user_name) = lower(?)', query.user);
    if (query.kind !== undefined) w.add('kind = ?', query.kind);
    if (query.ip !== undefined) w.add('(src_ip = ? OR dst_ip = ?)', query.ip, query.ip);
    if (query.field !== undefined)
      w.add(
        "EXISTS (SELECT 1 FROM jsonb_each(fields::jsonb) AS f(key, value) WHERE f.key = ? AND lower(f.value #>> '{}') = lower(?))",
        query.field.name,
        query.field.value,
      );
    // Fields are stored as JSON text: look for the text as JSON writes it inside a string.
    if (query.text !== undefined)
      w.add('strpos(lower(fields), lower(?)) > 0', JSON.stringify(query.text).slice(1, -1));
    if (query.after !== undefined)
      w.add('(ts > ? OR (ts = ? AND id > ?))', query.after.timestamp, query.after.timestamp, query.after.id);
    return w;
  }

  async search(query: EventQuery): Promise<StoredEvent[]> {
    const w = this.#where(query);
    const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_LIMIT);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events ${w.sql} ORDER BY ts, id COLLATE "C" LIMIT $${w.params.length + 1}`,
      [...w.params, limit],
    );
    return rows.map(toStoredEvent);
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

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    return rows[0]!.n;
  }
}

class PostgresDetections implements DetectionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async add(detections: readonly Detection[]): Promise<number> {
    if (detections.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      let added = 0;
      for (let at = 0; at < detections.length; at += ROWS_PER_STATEMENT) {
        const slice = detections.slice(at, at + ROWS_PER_STATEMENT);
        const params: unknown[] = [];
        for (const d of slice) {
          params.push(
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
          );
        }
        const result = await client.query(
          `INSERT INTO detections (id, kind, rule_id, rule_title, level, level_rank, ts, host, tags, fields, source, event_id)
           VALUES ${placeholders(slice.length, 12)} ON CONFLICT (id) DO NOTHING`,
          params,
        );
        added += result.rowCount ?? 0;
      }
      return added;
    });
  }

  async get(id: string): Promise<StoredDetection | undefined> {
    const { rows } = await this.pool.query<DetectionRow>('SELECT * FROM detections WHERE id = $1', [id]);
    return rows[0] ? toStoredDetection(rows[0]) : undefined;
  }

  async search(query: DetectionQuery): Promise<StoredDetection[]> {
    const w = new Where();
    if (query.from !== undefined) w.add('ts >= ?', query.from);
    if (query.to !== undefined) w.add('ts <= ?', query.to);
    if (query.host !== undefined) w.add('lower(host) = lower(?)', query.host);
    if (query.ruleId !== undefined) w.add('rule_id = ?', query.ruleId);
    if (query.minLevel !== undefined) w.add('level_rank >= ?', levelRank(query.minLevel));
    const limit = Math.min(Math.max(1, query.limit ?? 1000), 100_000);
    const { rows } = await this.pool.query<DetectionRow>(
      `SELECT * FROM detections ${w.sql} ORDER BY ts, id COLLATE "C" LIMIT $${w.params.length + 1}`,
      [...w.params, limit],
    );
    return rows.map(toStoredDetection);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM detections');
    return rows[0]!.n;
  }
}

class PostgresJobs implements IngestJobRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(paths: readonly string[]): Promise<IngestJob> {
    const id = randomUUID();
    await this.pool.query('INSERT INTO ingest_jobs (id, created_at, paths, status) VALUES ($1, $2, $3, $4)', [
      id,
      Date.now(),
      JSON.stringify(paths),
      'queued',
    ]);
    return (await this.get(id))!;
  }

  async update(
    id: string,
    change: Partial<Omit<IngestJob, 'id' | 'createdAt' | 'paths'>>,
  ): Promise<IngestJob> {
    const current = await this.get(id);
    if (!current) throw new Error(`no ingest job ${id}`);
    const next = { ...current, ...change };
    await this.pool.query(
      `UPDATE ingest_jobs SET status = $1, records = $2, issues = $3, detections = $4, first_ts = $5, last_ts = $6,
       issue_samples = $7, finished_at = $8 WHERE id = $9`,
      [
        next.status,
        next.records,
        next.issues,
        next.detections,
        next.firstTimestamp,
        next.lastTimestamp,
        JSON.stringify(next.issueSamples),
        next.finishedAt,
        id,
      ],
    );
    return next;
  }

  async get(id: string): Promise<IngestJob | undefined> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM ingest_jobs WHERE id = $1', [id]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async list(limit = 100): Promise<IngestJob[]> {
    const { rows } = await this.pool.query<JobRow>(
      'SELECT * FROM ingest_jobs ORDER BY created_at DESC, id COLLATE "C" LIMIT $1',
      [Math.min(Math.max(1, limit), 10_000)],
    );
    return rows.map(toJob);
  }
}

class PostgresIncidents implements IncidentRepository {
  constructor(private readonly pool: pg.Pool) {}

  async put(incident: StoredIncident): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO incidents (id, title, first_seen, last_seen, analysis) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, first_seen = excluded.first_seen,
         last_seen = excluded.last_seen, analysis = excluded.analysis`,
        [
          incident.id,
          incident.title,
          incident.firstSeen,
          incident.lastSeen,
          JSON.stringify(incident.analysis),
        ],
      );
      await client.query('DELETE FROM incident_detections WHERE incident_id = $1', [incident.id]);
      for (let at = 0; at < incident.detectionIds.length; at += ROWS_PER_STATEMENT) {
        const slice = incident.detectionIds.slice(at, at + ROWS_PER_STATEMENT);
        await client.query(
          `INSERT INTO incident_detections (incident_id, detection_id) VALUES ${placeholders(slice.length, 2)}
           ON CONFLICT DO NOTHING`,
          slice.flatMap((d) => [incident.id, d]),
        );
      }
    });
  }

  async get(id: string): Promise<StoredIncident | undefined> {
    const { rows } = await this.pool.query<{
      id: string;
      title: string;
      first_seen: number;
      last_seen: number;
      analysis: string;
    }>('SELECT * FROM incidents WHERE id = $1', [id]);
    const row = rows[0];
    if (!row) return undefined;
    const links = await this.pool.query<{ detection_id: string }>(
      'SELECT detection_id FROM incident_detections WHERE incident_id = $1 ORDER BY detection_id COLLATE "C"',
      [id],
    );
    return {
      id: row.id,
      title: row.title,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      detectionIds: links.rows.map((r) => r.detection_id),
      analysis: JSON.parse(row.analysis) as unknown,
    };
  }

  async summaries(): Promise<IncidentSummary[]> {
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT i.id, i.title, i.first_seen, i.last_seen,
         (SELECT count(*) FROM incident_detections d WHERE d.incident_id = i.id) AS detections
         FROM incidents i ORDER BY i.first_seen, i.id COLLATE "C"`,
    );
    return rows.map(toIncidentSummary);
  }

  async list(): Promise<StoredIncident[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM incidents ORDER BY first_seen, id COLLATE "C"',
    );
    const out: StoredIncident[] = [];
    for (const { id } of rows) {
      const incident = await this.get(id);
      if (incident) out.push(incident);
    }
    return out;
  }
}

export interface PostgresOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  /** Schema to keep Vigil's tables in (created if missing); tests use one each. */
  readonly schema?: string;
}

export class PostgresStore extends SqlStore implements Store {
  readonly events: EventRepository;
  readonly detections: DetectionRepository;
  readonly jobs: IngestJobRepository;
  readonly incidents: IncidentRepository;
  readonly intake: SqlIntake;
  readonly #pool: pg.Pool;
  #version = 0;

  private constructor(pool: pg.Pool) {
    super({
      async all<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
        return (await pool.query(numberedPlaceholders(text), [...params])).rows as T[];
      },
      async run(text: string, params: readonly unknown[] = []): Promise<number> {
        return (await pool.query(numberedPlaceholders(text), [...params])).rowCount ?? 0;
      },
    });
    this.#pool = pool;
    this.events = new PostgresEvents(pool);
    this.detections = new PostgresDetections(pool);
    this.jobs = new PostgresJobs(pool);
    this.incidents = new PostgresIncidents(pool);
    this.intake = new SqlIntake(
      this.sql,
      (statements) =>
        inTransaction(pool, async (client) => {
          const returned: unknown[][] = [];
          for (const { sql, params, returning } of statements) {
            const result = await client.query<unknown[]>({ text: numberedPlaceholders(sql), values: [...params], rowMode: 'array' });
            if (returning) for (const row of result.rows) returned.push(row);
          }
          return returned;
        }),
      this.cases,
    );
  }

  /** Connects, creates the schema if needed and brings it up to date. */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'vigil';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 4,
      types,
      options: `-c search_path=${schema}`,
    });
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const store = new PostgresStore(pool);
      store.#version = await migrate(pool, schema);
      return store;
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  schemaVersion(): Promise<number> {
    return Promise.resolve(this.#version);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
