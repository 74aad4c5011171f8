/**
 * The SQLite schema steps (../sqlite/migrations.ts) in PostgreSQL's dialect: same versions, names,
 * tables and columns, so rows map the same way (../rows.ts). JSON stays text: the stored text is the
 * stable JSON the content id is computed from.
 */
import type { Migration } from '../sqlite/migrations.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, detections, ingest jobs, incidents',
    sql: `
      CREATE TABLE ingest_jobs (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        paths TEXT NOT NULL,
        status TEXT NOT NULL,
        records BIGINT NOT NULL DEFAULT 0,
        issues BIGINT NOT NULL DEFAULT 0,
        detections BIGINT NOT NULL DEFAULT 0,
        first_ts BIGINT,
        last_ts BIGINT,
        issue_samples TEXT NOT NULL DEFAULT '[]',
        finished_at BIGINT
      );
      CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ts BIGINT NOT NULL,
        kind TEXT NOT NULL,
        file TEXT NOT NULL,
        byte_offset BIGINT,
        line BIGINT,
        record_id BIGINT,
        log_type TEXT,
        host TEXT,
        user_name TEXT,
        src_ip TEXT,
        dst_ip TEXT,
        fields TEXT NOT NULL
      );
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_host_ts ON events (lower(host), ts);
      CREATE INDEX events_user_ts ON events (lower(user_name), ts);
      CREATE INDEX events_src_ip ON events (src_ip, ts);
      CREATE INDEX events_dst_ip ON events (dst_ip, ts);
      CREATE TABLE detections (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        rule_title TEXT NOT NULL,
        level TEXT NOT NULL,
        level_rank INTEGER NOT NULL,
        ts BIGINT NOT NULL,
        host TEXT,
        tags TEXT NOT NULL,
        fields TEXT NOT NULL,
        source TEXT NOT NULL,
        event_id TEXT
      );
      CREATE INDEX detections_ts ON detections (ts);
      CREATE INDEX detections_rule ON detections (rule_id, ts);
      CREATE INDEX detections_host ON detections (lower(host), ts);
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        analysis TEXT NOT NULL
      );
      CREATE TABLE incident_detections (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        detection_id TEXT NOT NULL,
        PRIMARY KEY (incident_id, detection_id)
      );
    `,
  },
  {
    version: 2,
    name: 'user and address indexes only over events that name one',
    sql: `
      DROP INDEX events_user_ts;
      DROP INDEX events_src_ip;
      DROP INDEX events_dst_ip;
      CREATE INDEX events_user_ts ON events (lower(user_name), ts) WHERE user_name IS NOT NULL;
      CREATE INDEX events_src_ip ON events (src_ip, ts) WHERE src_ip IS NOT NULL;
      CREATE INDEX events_dst_ip ON events (dst_ip, ts) WHERE dst_ip IS NOT NULL;
    `,
  },
];
