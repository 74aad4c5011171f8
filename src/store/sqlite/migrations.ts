/**
 * The schema, one migration per change, applied in order and recorded in schema_migrations. Never
 * edit a released migration: add the next one.
 */
import type Database from 'better-sqlite3';
import { decodeMeta, encodeBlocks, KEY_BYTES, keyOfId, writeKey, type BlockEvent } from './event-blocks.js';
import { EventTables, RAW_CODEC } from './event-tables.js';
import { sourceOfRow, type EventRow } from '../rows.js';
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  readonly apply?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, detections, ingest jobs, incidents',
    sql: `
      CREATE TABLE ingest_jobs (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        paths TEXT NOT NULL,
        status TEXT NOT NULL,
        records INTEGER NOT NULL DEFAULT 0,
        issues INTEGER NOT NULL DEFAULT 0,
        detections INTEGER NOT NULL DEFAULT 0,
        first_ts INTEGER,
        last_ts INTEGER,
        issue_samples TEXT NOT NULL DEFAULT '[]',
        finished_at INTEGER
      );
      -- Rows append in rowid order; the content id is a small unique index beside them, so random
      -- ids do not split pages of large rows.
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        file TEXT NOT NULL,
        byte_offset INTEGER,
        line INTEGER,
        record_id INTEGER,
        log_type TEXT,
        host TEXT COLLATE NOCASE,
        user_name TEXT COLLATE NOCASE,
        src_ip TEXT,
        dst_ip TEXT,
        fields TEXT NOT NULL
      );
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_host_ts ON events (host, ts);
      CREATE INDEX events_user_ts ON events (user_name, ts);
      CREATE INDEX events_src_ip ON events (src_ip, ts);
      CREATE INDEX events_dst_ip ON events (dst_ip, ts);
      CREATE TABLE detections (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        rule_title TEXT NOT NULL,
        level TEXT NOT NULL,
        level_rank INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        host TEXT COLLATE NOCASE,
        tags TEXT NOT NULL,
        fields TEXT NOT NULL,
        source TEXT NOT NULL,
        event_id TEXT
      ) WITHOUT ROWID;
      CREATE INDEX detections_ts ON detections (ts);
      CREATE INDEX detections_rule ON detections (rule_id, ts);
      CREATE INDEX detections_host ON detections (host, ts);
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        analysis TEXT NOT NULL
      );
      CREATE TABLE incident_detections (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        detection_id TEXT NOT NULL,
        PRIMARY KEY (incident_id, detection_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'user and address indexes only over events that name one',
    // Most Windows events name no address, and every NULL was still an index entry to insert at
    // ingest. Partial indexes skip them; `user_name = ?` and `src_ip = ?` imply NOT NULL, so the
    // planner still uses them for the pivots.
    sql: `
      DROP INDEX events_user_ts;
      DROP INDEX events_src_ip;
      DROP INDEX events_dst_ip;
      CREATE INDEX events_user_ts ON events (user_name, ts) WHERE user_name IS NOT NULL;
      CREATE INDEX events_src_ip ON events (src_ip, ts) WHERE src_ip IS NOT NULL;
      CREATE INDEX events_dst_ip ON events (dst_ip, ts) WHERE dst_ip IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'team server: users, sessions, API tokens, audit log, rule settings, incident handling',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        organisation TEXT,
        tlp_clearance TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before_state TEXT,
        after_state TEXT,
        ip TEXT
      );
      -- The audit log is evidence of what was done: the schema itself refuses to change it.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TABLE rule_settings (
        rule_id TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        changed_at INTEGER NOT NULL,
        changed_by TEXT NOT NULL
      );
      CREATE TABLE incident_handling (
        incident_id TEXT PRIMARY KEY,
        organisation TEXT,
        tlp TEXT NOT NULL,
        changed_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'cases: tasks, comments, observables, evidence with chain of custody, links',
    sql: `
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        rsit_class TEXT,
        rsit_type TEXT,
        tlp TEXT NOT NULL,
        pap TEXT NOT NULL,
        severity TEXT NOT NULL,
        priority TEXT NOT NULL,
        organisations TEXT NOT NULL,
        assignee TEXT,
        due_at INTEGER,
        incident_id TEXT,
        detection_ids TEXT NOT NULL,
        merged_into TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER
      );
      CREATE INDEX cases_status ON cases (status);
      CREATE INDEX cases_incident ON cases (incident_id);
      CREATE TABLE case_tasks (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        title TEXT NOT NULL,
        owner TEXT,
        due_at INTEGER,
        done INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX case_tasks_case ON case_tasks (case_id);
      CREATE TABLE case_comments (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX case_comments_case ON case_comments (case_id);
      CREATE TABLE case_observables (
        case_id TEXT NOT NULL REFERENCES cases (id),
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        detection_ids TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (case_id, type, value)
      );
      CREATE TABLE case_evidence (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        path TEXT NOT NULL
      );
      CREATE INDEX case_evidence_case ON case_evidence (case_id);
      CREATE TABLE case_custody (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        evidence_id TEXT NOT NULL REFERENCES case_evidence (id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        note TEXT
      );
      CREATE INDEX case_custody_evidence ON case_custody (evidence_id);
      CREATE TABLE case_links (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        PRIMARY KEY (a, b)
      );
    `,
  },
  {
    version: 5,
    name: 'constituency: organisations and outside parties',
    sql: `
      CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE parties (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX parties_kind ON parties (kind, id);
    `,
  },
  {
    version: 6,
    name: 'notifications and their templates',
    sql: `
      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        recipient_name TEXT,
        party_kind TEXT NOT NULL,
        language TEXT NOT NULL,
        subject TEXT NOT NULL,
        template_id TEXT NOT NULL,
        status TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        sent_at INTEGER,
        reminded_at INTEGER,
        history TEXT NOT NULL
      );
      CREATE INDEX notifications_case ON notifications (case_id);
      CREATE INDEX notifications_status ON notifications (status);
      CREATE TABLE notification_templates (
        id TEXT PRIMARY KEY,
        rsit_type TEXT,
        language TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'feed intake: events, dedup windows, cases per owner, runs',
    sql: `
      -- Harmonised feed events after deduplication: one row per kept event, duplicates counted on it.
      CREATE TABLE feed_events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        feed TEXT NOT NULL,
        observed_at INTEGER NOT NULL,
        source_time INTEGER,
        dedup_key INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        taxonomy TEXT NOT NULL,
        type TEXT NOT NULL,
        source_ip TEXT,
        organisation TEXT NOT NULL,
        country TEXT,
        case_id TEXT,
        issues INTEGER NOT NULL DEFAULT 0,
        fields TEXT NOT NULL
      );
      -- The id is dedup key and window start: this one index finds windows, keeps writes idempotent
      -- and finds an event by id. Two indexes only, so a million rows go in fast.
      CREATE UNIQUE INDEX feed_events_window ON feed_events (dedup_key, window_start);
      -- Breaches are few: a partial index serves the weekly report.
      CREATE INDEX feed_events_breaches ON feed_events (observed_at) WHERE taxonomy = 'information-content-security';
      -- A case's events for its digest. Cases are few and seq grows, so entries append per case: cheap.
      CREATE INDEX feed_events_case ON feed_events (case_id, seq) WHERE case_id IS NOT NULL;
      -- Which case a group (owner or foreign CERT, RSIT class and type) of feed events goes into.
      CREATE TABLE intake_cases (
        case_id TEXT PRIMARY KEY,
        group_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        organisation TEXT,
        cert TEXT,
        country TEXT,
        rsit_class TEXT NOT NULL,
        rsit_type TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        events INTEGER NOT NULL DEFAULT 0,
        last_event_at INTEGER,
        digested_at INTEGER
      );
      CREATE INDEX intake_cases_group ON intake_cases (group_key, opened_at);
      -- One fetch or upload of a feed: counts, first issues, and what conditional requests need.
      CREATE TABLE feed_runs (
        id TEXT PRIMARY KEY,
        feed TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        records INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        stored INTEGER NOT NULL DEFAULT 0,
        issues INTEGER NOT NULL DEFAULT 0,
        cases_opened INTEGER NOT NULL DEFAULT 0,
        cases_joined INTEGER NOT NULL DEFAULT 0,
        issue_samples TEXT NOT NULL DEFAULT '[]',
        etag TEXT,
        last_modified TEXT,
        message TEXT
      );
      CREATE INDEX feed_runs_feed ON feed_runs (feed, started_at);
    `,
  },
  {
    version: 8,
    name: 'advisories: imported CVE/CSAF records, software inventory, our own advisories',
    sql: `
      CREATE TABLE advisory_records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        updated TEXT,
        valid INTEGER NOT NULL,
        document TEXT NOT NULL,
        imported_at INTEGER NOT NULL
      );
      CREATE INDEX advisory_records_kind ON advisory_records (kind, id);
      CREATE TABLE inventory (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        vendor TEXT NOT NULL,
        product TEXT NOT NULL,
        version TEXT NOT NULL,
        cpe TEXT,
        purl TEXT,
        source TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX inventory_organisation ON inventory (organisation_id);
      CREATE TABLE own_advisories (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published')),
        tlp TEXT NOT NULL,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        reviewed_by TEXT,
        published_at INTEGER,
        organisation_ids TEXT NOT NULL,
        csaf TEXT,
        history TEXT NOT NULL
      );
      CREATE INDEX own_advisories_published ON own_advisories (published_at);
    `,
  },
  {
    version: 9,
    name: 'weekly report issues',
    sql: `
      CREATE TABLE weekly_report_issues (
        id TEXT PRIMARY KEY,
        week TEXT NOT NULL,
        tlp TEXT NOT NULL,
        generated_at INTEGER NOT NULL,
        report TEXT NOT NULL,
        UNIQUE (week, tlp)
      );
      CREATE INDEX weekly_report_issues_week ON weekly_report_issues (week);
    `,
  },
  {
    version: 10,
    name: 'saved hunts; the audit log by target (for case audit trails)',
    sql: `
      CREATE TABLE saved_hunts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        rule TEXT NOT NULL,
        within TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX saved_hunts_created ON saved_hunts (created_at);
      CREATE INDEX audit_log_target ON audit_log (target, seq);
    `,
  },
  {
    version: 11,
    name: 'event ids lead with their time: one (ts, id) index instead of a random id index and a ts index',
    // The unique index on bare hash ids took random inserts: at 1 M events each commit of 5,000
    // rewrote thousands of its pages, which cost more than the rows. Ids become `<ms>.<hash>` (the
    // hash unchanged, core/ids.ts), and one unique (ts, id) index dedupes, finds an id and orders the
    // timeline. A column constraint cannot be dropped in SQLite, so the table is rebuilt, rows in
    // their order. Hunt detections follow their event's new id; detection ids are made of the hash
    // alone, so they, and the incidents and cases naming them, stay as they are.
    sql: `
      UPDATE detections SET event_id = COALESCE(
        (SELECT CAST(e.ts AS INTEGER) || '.' || e.id FROM events e WHERE e.id = detections.event_id),
        CAST(ts AS INTEGER) || '.' || event_id)
      WHERE event_id IS NOT NULL AND instr(event_id, '.') = 0;
      CREATE TABLE events_v11 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        file TEXT NOT NULL,
        byte_offset INTEGER,
        line INTEGER,
        record_id INTEGER,
        log_type TEXT,
        host TEXT COLLATE NOCASE,
        user_name TEXT COLLATE NOCASE,
        src_ip TEXT,
        dst_ip TEXT,
        fields TEXT NOT NULL
      );
      INSERT INTO events_v11
        SELECT seq, CASE WHEN instr(id, '.') > 0 THEN id ELSE CAST(ts AS INTEGER) || '.' || id END,
          ts, kind, file, byte_offset, line, record_id, log_type, host, user_name, src_ip, dst_ip, fields
        FROM events ORDER BY seq;
      DROP TABLE events;
      ALTER TABLE events_v11 RENAME TO events;
      CREATE UNIQUE INDEX events_ts_id ON events (ts, id);
      CREATE INDEX events_host_ts ON events (host, ts);
      CREATE INDEX events_user_ts ON events (user_name, ts) WHERE user_name IS NOT NULL;
      CREATE INDEX events_src_ip ON events (src_ip, ts) WHERE src_ip IS NOT NULL;
      CREATE INDEX events_dst_ip ON events (dst_ip, ts) WHERE dst_ip IS NOT NULL;
    `,
  },
  {
    version: 12,
    name: 'feed intake: compact events (fields relative to a per-feed template, id derived), digests by sequence',
    sql: `
      -- The fields a feed's events share (report constants, the header in raw) are stored once here;
      -- each event keeps only what differs from its template.
      CREATE TABLE feed_templates (
        id INTEGER PRIMARY KEY,
        feed TEXT NOT NULL,
        fields TEXT NOT NULL
      );
      ALTER TABLE feed_events ADD COLUMN template INTEGER;
      -- The id is the dedup key and window start in base 36: derived, not stored.
      ALTER TABLE feed_events DROP COLUMN id;
      -- A digest covers the events up to a sequence number, not up to a time: events stored during a
      -- long run carry the run's observation time, earlier than a digest sent meanwhile.
      ALTER TABLE intake_cases ADD COLUMN digested_seq INTEGER;
      UPDATE intake_cases SET digested_seq = (
        SELECT MAX(e.seq) FROM feed_events e WHERE e.case_id = intake_cases.case_id AND e.observed_at < intake_cases.digested_at
      ) WHERE digested_at IS NOT NULL;
    `,
  },
  {
    version: 13,
    name: 'events in blocks: one row per block of events, block postings, dedup keys',
    // One row per event with five indexes cost more than the whole ingest budget: SQLite alone took
    // ≈ 8.5 µs per 1 KB row, and the indexes' pages were rewritten on every commit. A block holds up
    // to 1,000 events of one add (≤ 1 day from its first), their small columns as JSON arrays and
    // their fields as one blob (docs/architecture.md, "Embedded store"). Ids are unchanged, so
    // detections, incidents and cases naming events stay as they are.
    sql: `
      CREATE TABLE event_blocks (
        block INTEGER PRIMARY KEY,
        ts_min INTEGER NOT NULL,
        ts_max INTEGER NOT NULL,
        count INTEGER NOT NULL,
        meta TEXT NOT NULL,
        fields BLOB NOT NULL
      );
      -- Covers the time narrowing of a query, and count().
      CREATE INDEX event_blocks_ts ON event_blocks (ts_min, ts_max, count);
      -- h:host, u:user (both ASCII lower-case, as NOCASE compared), i:address, k:kind → block.
      CREATE TABLE event_terms (
        term TEXT NOT NULL,
        block INTEGER NOT NULL,
        PRIMARY KEY (term, block)
      ) WITHOUT ROWID;
      -- An event id's time and 52 bits of its hash: ingest stores an event only if its key is new.
      CREATE TABLE event_keys (
        ts INTEGER NOT NULL,
        hash INTEGER NOT NULL,
        PRIMARY KEY (ts, hash)
      ) WITHOUT ROWID;
    `,
    apply: moveEventRowsToBlocks,
  },
  {
    version: 14,
    name: 'feed intake: dedup windows in their own table, written in large sorted runs',
    sql: `
      -- The window index on feed_events took every new event at a random place (a hash key): the
      -- costliest part of intake. Windows now go into this table in large sorted runs; the events
      -- stored since the last run (seq above upto_seq) are the log of windows not yet in it, read
      -- back on restart.
      CREATE TABLE feed_windows (
        dedup_key INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (dedup_key, window_start)
      ) WITHOUT ROWID;
      INSERT INTO feed_windows (dedup_key, window_start, seq) SELECT dedup_key, window_start, seq FROM feed_events;
      CREATE TABLE feed_windows_indexed (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        upto_seq INTEGER NOT NULL
      );
      INSERT INTO feed_windows_indexed (id, upto_seq) VALUES (1, COALESCE((SELECT MAX(seq) FROM feed_events), 0));
      DROP INDEX feed_events_window;
    `,
  },
  {
    version: 15,
    name: 'events: dedup keys one row per block, behind an in-memory Bloom filter',
    // event_keys took each event's key at a random place of its index (an add spans years of log
    // time), so each commit rewrote many of its pages. A block's keys are now one row, written once;
    // an in-memory Bloom filter over them answers most lookups, and a maybe is checked against the
    // stored blocks' keys (event-keys.ts). The keys are made again from the blocks' ids: the same
    // keys event_keys held, since every event's key went in with its block, in one transaction.
    sql: `
      CREATE TABLE event_block_keys (
        block INTEGER PRIMARY KEY,
        keys BLOB NOT NULL
      );
    `,
    apply: moveEventKeysToBlocks,
  },
  {
    version: 16,
    name: 'event blocks: fields compressed (Brotli, quality 0)',
    // The bytes were most of the ingest cost: WAL frames, then the checkpoint's read and write of
    // each page (event-tables.ts). Blocks stored before keep codec 0 and are read as they are.
    sql: `ALTER TABLE event_blocks ADD COLUMN codec INTEGER NOT NULL DEFAULT 0;`,
  },
];

/** Migration 13: the per-event rows, in (ts, id) order, into blocks; then the old table goes. */
function moveEventRowsToBlocks(db: Database.Database): void {
  // Rows as migration 13 defines them: the codec column comes with migration 16.
  const tables = new EventTables(db, RAW_CODEC);
  const first = db.prepare('SELECT * FROM events ORDER BY ts, id LIMIT ?');
  const next = db.prepare('SELECT * FROM events WHERE (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?');
  const PAGE = 5000;
  // Pages, not one open cursor: better-sqlite3 allows no writes while a statement iterates.
  function* rows(): Generator<BlockEvent> {
    let page = first.all(PAGE) as EventRow[];
    while (page.length > 0) {
      // Their dedup keys are made from the blocks by migration 15, which runs right after.
      for (const r of page) yield blockEventOf(r);
      const last = page[page.length - 1]!;
      page = page.length < PAGE ? [] : (next.all(last.ts, last.id, PAGE) as EventRow[]);
    }
  }
  for (const block of encodeBlocks(rows())) tables.addBlock(block);
  db.exec('DROP TABLE events');
}

function blockEventOf(r: EventRow): BlockEvent {
  return {
    id: r.id,
    digest: r.id.slice(r.id.indexOf('.') + 1),
    ...keyOfId(r.id),
    ts: Number(r.ts),
    source: sourceOfRow(r),
    host: r.host,
    user: r.user_name,
    srcIp: r.src_ip,
    dstIp: r.dst_ip,
    fields: Buffer.from(r.fields),
    start: 0,
    end: Buffer.byteLength(r.fields),
  };
}

/** Migration 15: each block's keys into one row of event_block_keys, in the block's order; event_keys goes. */
function moveEventKeysToBlocks(db: Database.Database): void {
  const page = db.prepare('SELECT block, meta FROM event_blocks WHERE block > ? ORDER BY block LIMIT 200').raw();
  const insert = db.prepare('INSERT INTO event_block_keys (block, keys) VALUES (?, ?)');
  let after = 0;
  for (;;) {
    // Pages, not one open cursor: better-sqlite3 allows no writes while a statement iterates.
    const rows = page.all(after) as [number, string][];
    for (const [block, meta] of rows) {
      const ids = decodeMeta(meta).id;
      const keys = Buffer.alloc(ids.length * KEY_BYTES);
      ids.forEach((id, i) => writeKey(keys, i * KEY_BYTES, keyOfId(id)));
      insert.run(block, keys);
      after = block;
    }
    if (rows.length < 200) break;
  }
  db.exec('DROP TABLE event_keys');
}
