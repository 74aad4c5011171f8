/**
 * Feed intake's persistence, written once over SqlDb for SQLite and PostgreSQL: the compact table of
 * kept feed events (multi-row inserts, one transaction per batch), the dedup windows on them, which
 * case each owner-and-type group goes into, feed runs, and the weekly report's breach figures.
 */
import { randomUUID } from 'node:crypto';
import { eventId, type CaseGroup, type IntakeBatch, type IntakeCaseSeed, type IntakeEvent, type IntakeSink } from '../cases/intake/index.js';
import { ENDED } from '../cases/workflow.js';
import type { Issue } from '../core/issue.js';
import type { HarmonisedFields } from '../ingest/feeds/index.js';
import type { SqlCases } from './cases.js';
import { compactOf, restoreFrom, templateOf, TemplateList, type FeedTemplate } from '../cases/intake/compact.js';
import type { SqlDb } from './sql.js';
import { FeedWindows, STORED_COLUMNS, type SqlBatch, type SqlStatement, type StoredInsert, type StoredWindow } from './intake-windows.js';

export { splitId, type SqlBatch, type SqlStatement } from './intake-windows.js';

/** Data-security breaches found in a period (the weekly report's contract, docs/feeds.md). */
export interface BreachFigures {
  readonly count: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byOrganisation: Readonly<Record<string, number>>;
  readonly caseIds: readonly string[];
  readonly query: string;
}

export interface FeedRun {
  readonly id: string;
  readonly feed: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: 'running' | 'done' | 'failed' | 'not-modified';
  readonly records: number;
  readonly events: number;
  readonly duplicates: number;
  readonly stored: number;
  readonly issues: number;
  readonly casesOpened: number;
  readonly casesJoined: number;
  readonly issueSamples: readonly Issue[];
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly message: string | null;
}

export interface StoredFeedEvent {
  readonly id: string;
  readonly feed: string;
  readonly observedAt: number;
  readonly sourceTime: number | null;
  readonly lastSeen: number;
  readonly duplicates: number;
  readonly taxonomy: string;
  readonly type: string;
  readonly sourceIp: string | null;
  readonly organisation: string;
  readonly country: string | null;
  readonly caseId: string | null;
  readonly fields: Record<string, string | number | boolean>;
}

export interface FeedEventQuery {
  readonly feed?: string;
  readonly caseId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

export interface IntakeCase {
  readonly caseId: string;
  readonly groupKey: string;
  readonly kind: CaseGroup['kind'];
  readonly organisation: string | null;
  readonly cert: string | null;
  readonly country: string | null;
  readonly rsitClass: string;
  readonly rsitType: string;
  readonly openedAt: number;
  readonly events: number;
  readonly lastEventAt: number | null;
  readonly digestedAt: number | null;
  /** The last event (sequence number) the last digest covered. */
  readonly digestedSeq: number | null;
}

/** A case's events after the ones its last digest covered, and the sequence number of the last. */
export interface UndigestedEvents {
  readonly events: StoredFeedEvent[];
  readonly lastSeq: number | null;
}

export interface IntakeRepository extends IntakeSink {
  breachFigures(period: { readonly from: number; readonly to: number }): Promise<BreachFigures>;
  count(): Promise<number>;
  events(query: FeedEventQuery): Promise<StoredFeedEvent[]>;
  cases(): Promise<IntakeCase[]>;
  /** Intake cases with events stored after the ones their last digest covered. */
  undigested(): Promise<IntakeCase[]>;
  /** Up to `limit` events of a case stored after its last digest's, oldest first. */
  undigestedEvents(caseId: string, limit: number): Promise<UndigestedEvents>;
  /** The case's digest sent at `at`, covering its events up to sequence number `uptoSeq`. */
  markDigested(caseId: string, at: number, uptoSeq?: number | null): Promise<void>;
  startRun(feed: string): Promise<FeedRun>;
  finishRun(id: string, change: Partial<Omit<FeedRun, 'id' | 'feed' | 'startedAt'>>): Promise<FeedRun>;
  lastRun(feed: string, status?: FeedRun['status']): Promise<FeedRun | undefined>;
  runs(feed?: string, limit?: number): Promise<FeedRun[]>;
}

const EVENT_COLUMNS =
  'feed, observed_at, source_time, dedup_key, window_start, last_seen, duplicates, taxonomy, type, source_ip, organisation, country, case_id, issues, template, fields';
const EVENT_PARAMS = 16;
const ROWS_PER_INSERT = 200;
/** Templates kept per feed for writing (a feed whose reports change shape has a few). */
const TEMPLATES_READ = 1024;
const ENDED_LIST = [...ENDED];

const insertSql = (rows: number, returning: boolean): string =>
  `INSERT INTO feed_events (${EVENT_COLUMNS}) VALUES ${new Array<string>(rows)
    .fill(`(${new Array<string>(EVENT_PARAMS).fill('?').join(', ')})`)
    .join(', ')}${returning ? ` RETURNING ${STORED_COLUMNS}` : ''}`;

interface RunRow {
  id: string;
  feed: string;
  started_at: number;
  finished_at: number | null;
  status: FeedRun['status'];
  records: number;
  events: number;
  duplicates: number;
  stored: number;
  issues: number;
  cases_opened: number;
  cases_joined: number;
  issue_samples: string;
  etag: string | null;
  last_modified: string | null;
  message: string | null;
}

const toRun = (r: RunRow): FeedRun => ({
  id: r.id,
  feed: r.feed,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  records: r.records,
  events: r.events,
  duplicates: r.duplicates,
  stored: r.stored,
  issues: r.issues,
  casesOpened: r.cases_opened,
  casesJoined: r.cases_joined,
  issueSamples: JSON.parse(r.issue_samples) as Issue[],
  etag: r.etag,
  lastModified: r.last_modified,
  message: r.message,
});

interface IntakeCaseRow {
  case_id: string;
  group_key: string;
  kind: CaseGroup['kind'];
  organisation: string | null;
  cert: string | null;
  country: string | null;
  rsit_class: string;
  rsit_type: string;
  opened_at: number;
  events: number;
  last_event_at: number | null;
  digested_at: number | null;
  digested_seq: number | null;
}

const toIntakeCase = (r: IntakeCaseRow): IntakeCase => ({
  caseId: r.case_id,
  groupKey: r.group_key,
  kind: r.kind,
  organisation: r.organisation,
  cert: r.cert,
  country: r.country,
  rsitClass: r.rsit_class,
  rsitType: r.rsit_type,
  openedAt: r.opened_at,
  events: r.events,
  lastEventAt: r.last_event_at,
  digestedAt: r.digested_at,
  digestedSeq: r.digested_seq,
});

interface EventRow {
  seq: number;
  feed: string;
  observed_at: number;
  source_time: number | null;
  dedup_key: number;
  window_start: number;
  last_seen: number;
  duplicates: number;
  taxonomy: string;
  type: string;
  source_ip: string | null;
  organisation: string;
  country: string | null;
  case_id: string | null;
  template: number | null;
  fields: string;
}

const EVENT_SELECT =
  'SELECT seq, feed, observed_at, source_time, dedup_key, window_start, last_seen, duplicates, taxonomy, type, source_ip, organisation, country, case_id, template, fields FROM feed_events';

export class SqlIntake implements IntakeRepository {
  /** Per feed, the templates new events are written against, the latest first. */
  readonly #writing = new Map<string, TemplateList>();
  readonly #reading = new Map<number, FeedTemplate>();
  /** The dedup windows of the stored events (src/store/intake-windows.ts). */
  readonly dedupWindows: FeedWindows;
  /** The batch runs `lastRowId` inserts (SQLite): the new rows' sequence numbers without RETURNING. */
  readonly #rowIds: boolean;

  constructor(
    private readonly db: SqlDb,
    private readonly batch: SqlBatch,
    private readonly caseStore: SqlCases,
    options: { readonly windowRun?: number; readonly lastRowIds?: boolean } = {},
  ) {
    this.dedupWindows = new FeedWindows(db, batch, options.windowRun);
    this.#rowIds = options.lastRowIds ?? false;
  }

  windows(keys: readonly number[]): Promise<Map<number, StoredWindow>> {
    return this.dedupWindows.latest(keys);
  }

  async caseFor(group: CaseGroup, seed: IntakeCaseSeed): Promise<{ caseId: string; opened: boolean }> {
    const [open] = await this.db.all<{ case_id: string }>(
      `SELECT ic.case_id FROM intake_cases ic JOIN cases c ON c.id = ic.case_id
        WHERE ic.group_key = ? AND c.status NOT IN (${ENDED_LIST.map(() => '?').join(', ')}) AND c.merged_into IS NULL
        ORDER BY ic.opened_at DESC LIMIT 1`,
      [group.key, ...ENDED_LIST],
    );
    if (open) return { caseId: open.case_id, opened: false };
    const created = await this.caseStore.create({
      title: seed.title,
      description: seed.description,
      rsitClass: group.rsitClass,
      rsitType: group.rsitType,
      tlp: seed.tlp,
      pap: 'AMBER',
      severity: seed.severity,
      priority: 'normal',
      organisations: group.organisationName !== null ? [group.organisationName] : [],
      assignee: null,
      dueAt: null,
      incidentId: null,
      detectionIds: [],
      createdBy: 'feed-intake',
    });
    await this.db.run(
      `INSERT INTO intake_cases (case_id, group_key, kind, organisation, cert, country, rsit_class, rsit_type, opened_at, events)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      [created.id, group.key, group.kind, group.organisationId, group.certId, group.country, group.rsitClass, group.rsitType, created.createdAt],
    );
    return { caseId: created.id, opened: true };
  }

  async write(b: IntakeBatch): Promise<void> {
    const statements: SqlStatement[] = [];
    // What the former unique index refused: a window the store holds already (a re-fed old row).
    const events = b.events.filter((e) => !this.dedupWindows.holds(e.dedupKey, e.windowStart));
    // Duplicates of events of this very batch go into their row as it is written: their sequence
    // numbers are not known yet, and there is no index on the key to find them by.
    const duplicates = new Map(b.duplicates.map((d) => [d.eventId, d] as const));
    const inserts: { rows: number; windows: IntakeEvent[]; lastSeen: number[] }[] = [];
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      const part = events.slice(i, i + ROWS_PER_INSERT);
      const params = new Array<unknown>(part.length * EVENT_PARAMS);
      const lastSeen = new Array<number>(part.length);
      let at = 0;
      for (let j = 0; j < part.length; j++) {
        const e = part[j]!;
        const [template, fields] = e.compact
          ? [e.compact.template, e.compact.text]
          : (this.#compactAgainstKnown(e) ?? (await this.#compact(e)));
        params[at++] = e.feed;
        params[at++] = e.observedAt;
        params[at++] = e.sourceTime;
        params[at++] = e.dedupKey;
        params[at++] = e.windowStart;
        const d = duplicates.get(e.id);
        if (d) duplicates.delete(e.id);
        params[at++] = lastSeen[j] = d && d.lastSeen > e.windowStart ? d.lastSeen : e.windowStart;
        params[at++] = d ? d.count : 0;
        params[at++] = e.taxonomy;
        params[at++] = e.type;
        params[at++] = e.sourceIp;
        params[at++] = e.organisation;
        params[at++] = e.country;
        params[at++] = e.caseId;
        params[at++] = e.issues;
        params[at++] = template;
        params[at++] = fields;
      }
      if (this.#rowIds) {
        statements.push({ sql: insertSql(part.length, false), params, lastRowId: true });
        inserts.push({ rows: part.length, windows: part, lastSeen });
      } else statements.push({ sql: insertSql(part.length, true), params, returning: true });
    }
    for (const d of duplicates.values()) statements.push(this.dedupWindows.duplicateUpdate(d));
    const now = Date.now();
    for (const [caseId, n] of b.caseEvents)
      statements.push({ sql: 'UPDATE intake_cases SET events = events + ?, last_event_at = ? WHERE case_id = ?', params: [n, now, caseId] });
    const stored = statements.length > 0 ? await this.batch(statements) : [];
    if (events.length === 0) return;
    if (!this.#rowIds) await this.dedupWindows.stored(stored);
    else
      // The batch gave `[last rowid, rows]` for each insert, first in its rows, in statement order.
      await this.dedupWindows.storedInOrder(
        inserts.map((insert, i): StoredInsert => ({ ...insert, last: Number(stored[i]![0]), rows: Number(stored[i]![1]) })),
      );
  }

  async breachFigures(period: { readonly from: number; readonly to: number }): Promise<BreachFigures> {
    const where = "taxonomy = 'information-content-security' AND observed_at >= ? AND observed_at < ?";
    const rows = await this.db.all<{ type: string; organisation: string; case_id: string | null; n: number }>(
      `SELECT type, organisation, case_id, COUNT(*) AS n FROM feed_events WHERE ${where} GROUP BY type, organisation, case_id`,
      [period.from, period.to],
    );
    const byType: Record<string, number> = {};
    const byOrganisation: Record<string, number> = {};
    const caseIds = new Set<string>();
    let count = 0;
    for (const r of rows) {
      const n = Number(r.n);
      count += n;
      byType[r.type] = (byType[r.type] ?? 0) + n;
      byOrganisation[r.organisation] = (byOrganisation[r.organisation] ?? 0) + n;
      if (r.case_id !== null) caseIds.add(r.case_id);
    }
    return {
      count,
      byType,
      byOrganisation,
      caseIds: [...caseIds].sort(),
      query: `feed events after deduplication with classification.taxonomy = information-content-security, observed from ${new Date(period.from).toISOString()} up to ${new Date(period.to).toISOString()}; each kept event counts once however many duplicates it absorbed`,
    };
  }

  async count(): Promise<number> {
    const [row] = await this.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM feed_events');
    return Number(row?.n ?? 0);
  }

  async events(query: FeedEventQuery): Promise<StoredFeedEvent[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.feed !== undefined) {
      clauses.push('feed = ?');
      params.push(query.feed);
    }
    if (query.caseId !== undefined) {
      clauses.push('case_id = ?');
      params.push(query.caseId);
    }
    if (query.from !== undefined) {
      clauses.push('observed_at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      clauses.push('observed_at < ?');
      params.push(query.to);
    }
    params.push(Math.min(Math.max(query.limit ?? 100, 1), 10_000));
    const rows = await this.db.all<EventRow>(
      `${EVENT_SELECT} ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`,
      params,
    );
    return this.#stored(rows);
  }

  async undigestedEvents(caseId: string, limit: number): Promise<UndigestedEvents> {
    const rows = await this.db.all<EventRow>(
      `${EVENT_SELECT} WHERE case_id = ? AND seq > COALESCE((SELECT digested_seq FROM intake_cases WHERE case_id = ?), 0) ORDER BY seq LIMIT ?`,
      [caseId, caseId, Math.min(Math.max(limit, 1), 10_000)],
    );
    return { events: await this.#stored(rows), lastSeq: rows.at(-1)?.seq ?? null };
  }

  async #stored(rows: readonly EventRow[]): Promise<StoredFeedEvent[]> {
    const out: StoredFeedEvent[] = [];
    for (const r of rows) {
      const template = r.template === null ? undefined : await this.#template(r.template);
      out.push({
        id: eventId(r.dedup_key, r.window_start),
        feed: r.feed,
        observedAt: r.observed_at,
        sourceTime: r.source_time,
        lastSeen: r.last_seen,
        duplicates: r.duplicates,
        taxonomy: r.taxonomy,
        type: r.type,
        sourceIp: r.source_ip,
        organisation: r.organisation,
        country: r.country,
        caseId: r.case_id,
        fields: template ? restoreFrom(r.fields, template) : (JSON.parse(r.fields) as Record<string, string | number | boolean>),
      });
    }
    return out;
  }

  async #template(id: number): Promise<FeedTemplate> {
    let t = this.#reading.get(id);
    if (!t) {
      const [row] = await this.db.all<{ fields: string }>('SELECT fields FROM feed_templates WHERE id = ?', [id]);
      t = templateOf(id, JSON.parse(row?.fields ?? '{}') as Record<string, string | number | boolean>);
      if (this.#reading.size >= TEMPLATES_READ) this.#reading.clear();
      this.#reading.set(id, t);
    }
    return t;
  }

  /** The event's template and its fields against it, when one of the feed's templates fits. */
  #compactAgainstKnown(e: IntakeEvent): [number, string] | undefined {
    const fit = this.#writing.get(e.feed)?.fit(e.fields!, e.raw);
    return fit && [fit[0].id, fit[1]];
  }

  /** A new template for the event (none of the feed's fits), and its fields against it. */
  async #compact(e: IntakeEvent): Promise<[number, string]> {
    const fields = e.fields!;
    const t = templateOf(await this.addTemplate(e.feed, fields), fields);
    let list = this.#writing.get(e.feed);
    if (!list) this.#writing.set(e.feed, (list = new TemplateList()));
    list.add(t);
    return [t.id, compactOf(fields, t, e.raw)!];
  }

  async addTemplate(feed: string, fields: HarmonisedFields): Promise<number> {
    const [row] = await this.db.all<{ id: number }>('INSERT INTO feed_templates (feed, fields) VALUES (?, ?) RETURNING id', [
      feed,
      JSON.stringify(fields),
    ]);
    const id = Number(row!.id);
    this.#reading.set(id, templateOf(id, fields));
    return id;
  }

  async cases(): Promise<IntakeCase[]> {
    return (await this.db.all<IntakeCaseRow>('SELECT * FROM intake_cases ORDER BY opened_at, case_id')).map(toIntakeCase);
  }

  async undigested(): Promise<IntakeCase[]> {
    return (
      await this.db.all<IntakeCaseRow>(
        `SELECT * FROM intake_cases ic WHERE EXISTS (
           SELECT 1 FROM feed_events e WHERE e.case_id = ic.case_id AND e.seq > COALESCE(ic.digested_seq, 0)
         ) ORDER BY opened_at, case_id`,
      )
    ).map(toIntakeCase);
  }

  async markDigested(caseId: string, at: number, uptoSeq: number | null = null): Promise<void> {
    // Without a sequence number (a case closed meanwhile): every event stored so far.
    await this.db.run(
      `UPDATE intake_cases SET digested_at = ?, digested_seq = COALESCE(?, (SELECT MAX(seq) FROM feed_events WHERE case_id = ?), digested_seq)
        WHERE case_id = ?`,
      [at, uptoSeq, caseId, caseId],
    );
  }

  async startRun(feed: string): Promise<FeedRun> {
    const id = randomUUID();
    await this.db.run("INSERT INTO feed_runs (id, feed, started_at, status) VALUES (?, ?, ?, 'running')", [id, feed, Date.now()]);
    return (await this.#run(id))!;
  }

  async finishRun(id: string, change: Partial<Omit<FeedRun, 'id' | 'feed' | 'startedAt'>>): Promise<FeedRun> {
    const columns: Record<string, unknown> = {
      finished_at: change.finishedAt ?? Date.now(),
      status: change.status,
      records: change.records,
      events: change.events,
      duplicates: change.duplicates,
      stored: change.stored,
      issues: change.issues,
      cases_opened: change.casesOpened,
      cases_joined: change.casesJoined,
      issue_samples: change.issueSamples === undefined ? undefined : JSON.stringify(change.issueSamples),
      etag: change.etag,
      last_modified: change.lastModified,
      message: change.message,
    };
    const set = Object.entries(columns).filter(([, v]) => v !== undefined);
    await this.db.run(`UPDATE feed_runs SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, [...set.map(([, v]) => v), id]);
    return (await this.#run(id))!;
  }

  async lastRun(feed: string, status?: FeedRun['status']): Promise<FeedRun | undefined> {
    const [row] = await this.db.all<RunRow>(
      `SELECT * FROM feed_runs WHERE feed = ?${status ? ' AND status = ?' : ''} ORDER BY started_at DESC, id DESC LIMIT 1`,
      status ? [feed, status] : [feed],
    );
    return row ? toRun(row) : undefined;
  }

  async runs(feed?: string, limit = 50): Promise<FeedRun[]> {
    const rows = await this.db.all<RunRow>(
      `SELECT * FROM feed_runs${feed !== undefined ? ' WHERE feed = ?' : ''} ORDER BY started_at DESC, id DESC LIMIT ?`,
      feed !== undefined ? [feed, limit] : [limit],
    );
    return rows.map(toRun);
  }

  async #run(id: string): Promise<FeedRun | undefined> {
    const [row] = await this.db.all<RunRow>('SELECT * FROM feed_runs WHERE id = ?', [id]);
    return row ? toRun(row) : undefined;
  }
}
