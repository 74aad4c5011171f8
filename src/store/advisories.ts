/**
 * Advisories over SqlDb: imported CVE records and CSAF documents (kept whole, keyed `cve:ID` / `csaf:ID`,
 * with dateUpdated for incremental imports), each organisation's software inventory, and our own advisories
 * through draft → review → published. `warnedIn` gives the weekly report its vulnerability section.
 */
import { randomUUID } from 'node:crypto';
import type { Tlp } from '../core/tlp.js';
import type { InventoryItem } from '../advisories/inventory/model.js';
import {
  productSeverity,
  type AdvisoryHistoryEntry,
  type AdvisoryState,
  type OwnAdvisory,
  type OwnAdvisoryContent,
} from '../advisories/own/model.js';
import type { SqlDb } from './sql.js';

export interface AdvisoryRecord {
  readonly id: string;
  readonly kind: 'cve' | 'csaf';
  readonly title: string;
  readonly state: string;
  readonly updated: string | null;
  readonly valid: boolean;
  readonly importedAt: number;
}

/** The weekly report's contract (docs: notes/contracts): our advisories published in a period. */
export interface WarnedVulnerabilities {
  readonly advisories: readonly {
    readonly id: string;
    readonly title: string;
    readonly published: string;
    readonly tlp: Tlp;
    readonly cves: readonly string[];
    readonly products: readonly { readonly vendor: string; readonly product: string; readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'none'; readonly cvss: number | null }[];
    readonly organisationIds: readonly string[];
  }[];
  readonly query: string;
}

export interface AdvisoryRepository {
  putRecord(r: Omit<AdvisoryRecord, 'importedAt'>, document: unknown): Promise<void>;
  getRecord(id: string): Promise<(AdvisoryRecord & { readonly document: unknown }) | undefined>;
  listRecords(options?: { readonly kind?: 'cve' | 'csaf'; readonly limit?: number; readonly offset?: number }): Promise<AdvisoryRecord[]>;
  /** id → dateUpdated of every stored record of a kind (what an incremental import compares against). */
  recordVersions(kind: 'cve' | 'csaf'): Promise<Map<string, string | undefined>>;
  /** Every stored document, in id order, a page at a time. */
  documents(kind?: 'cve' | 'csaf'): AsyncGenerator<{ readonly id: string; readonly document: unknown }>;

  addSoftware(items: readonly InventoryItem[]): Promise<InventoryItem[]>;
  software(organisationId?: string): Promise<InventoryItem[]>;
  removeSoftware(organisationId: string, id: string): Promise<boolean>;

  createDraft(content: OwnAdvisoryContent, actor: string, now?: number): Promise<OwnAdvisory>;
  getOwn(id: string): Promise<OwnAdvisory | undefined>;
  listOwn(status?: AdvisoryState): Promise<OwnAdvisory[]>;
  /** Content of a draft replaced; undefined when not a draft. */
  editDraft(id: string, content: OwnAdvisoryContent, actor: string): Promise<OwnAdvisory | undefined>;
  /** A state change with its history entry (the caller has checked the workflow). */
  move(id: string, to: AdvisoryState, entry: AdvisoryHistoryEntry, change?: { readonly reviewedBy?: string; readonly publishedAt?: number; readonly csaf?: unknown; readonly organisationIds?: readonly string[] }): Promise<OwnAdvisory | undefined>;
  /**
   * After the e-mails of a publication went out: which organisations received it, and the published entry's
   * note. Only a published advisory; undefined otherwise.
   */
  setRecipients(id: string, organisationIds: readonly string[], note: string): Promise<OwnAdvisory | undefined>;
  warnedIn(period: { readonly from: number; readonly to: number }): Promise<WarnedVulnerabilities>;
}

interface RecordRow {
  id: string;
  kind: 'cve' | 'csaf';
  title: string;
  state: string;
  updated: string | null;
  valid: number;
  imported_at: number | string;
}

const toRecord = (r: RecordRow): AdvisoryRecord => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  state: r.state,
  updated: r.updated,
  valid: Number(r.valid) === 1,
  importedAt: Number(r.imported_at),
});

interface SoftwareRow {
  id: string;
  organisation_id: string;
  vendor: string;
  product: string;
  version: string;
  cpe: string | null;
  purl: string | null;
  source: string | null;
}

const toItem = (r: SoftwareRow): InventoryItem => ({
  id: r.id,
  organisationId: r.organisation_id,
  vendor: r.vendor,
  product: r.product,
  version: r.version,
  ...(r.cpe !== null ? { cpe: r.cpe } : {}),
  ...(r.purl !== null ? { purl: r.purl } : {}),
  ...(r.source !== null ? { source: r.source } : {}),
});

interface OwnRow {
  id: string;
  status: AdvisoryState;
  tlp: Tlp;
  title: string;
  content: string;
  created_by: string;
  created_at: number | string;
  updated_at: number | string;
  reviewed_by: string | null;
  published_at: number | string | null;
  organisation_ids: string;
  csaf: string | null;
  history: string;
}

const toOwn = (r: OwnRow): OwnAdvisory => ({
  ...(JSON.parse(r.content) as OwnAdvisoryContent),
  id: r.id,
  status: r.status,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  reviewedBy: r.reviewed_by,
  publishedAt: r.published_at === null ? null : Number(r.published_at),
  organisationIds: JSON.parse(r.organisation_ids) as string[],
  csaf: r.csaf === null ? null : (JSON.parse(r.csaf) as unknown),
  history: JSON.parse(r.history) as AdvisoryHistoryEntry[],
});

const contentOf = (c: OwnAdvisoryContent): OwnAdvisoryContent => ({
  title: c.title,
  tlp: c.tlp,
  summary: c.summary,
  cves: c.cves,
  products: c.products,
  remediation: c.remediation,
  references: c.references,
});

const PAGE = 500;

export class SqlAdvisories implements AdvisoryRepository {
  constructor(private readonly db: SqlDb) {}

  async putRecord(r: Omit<AdvisoryRecord, 'importedAt'>, document: unknown): Promise<void> {
    const values = [r.kind, r.title, r.state, r.updated, r.valid ? 1 : 0, JSON.stringify(document), Date.now()];
    // Upsert written as two statements both engines run alike.
    const changed = await this.db.run(
      'UPDATE advisory_records SET kind = ?, title = ?, state = ?, updated = ?, valid = ?, document = ?, imported_at = ? WHERE id = ?',
      [...values, r.id],
    );
    if (changed === 0)
      await this.db.run(
        'INSERT INTO advisory_records (kind, title, state, updated, valid, document, imported_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [...values, r.id],
      );
  }

  async getRecord(id: string): Promise<(AdvisoryRecord & { readonly document: unknown }) | undefined> {
    const [row] = await this.db.all<RecordRow & { document: string }>('SELECT * FROM advisory_records WHERE id = ?', [id]);
    return row ? { ...toRecord(row), document: JSON.parse(row.document) as unknown } : undefined;
  }

  async listRecords(options: { readonly kind?: 'cve' | 'csaf'; readonly limit?: number; readonly offset?: number } = {}): Promise<AdvisoryRecord[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 100), 10_000);
    const offset = Math.max(0, options.offset ?? 0);
    const cols = 'id, kind, title, state, updated, valid, imported_at';
    const rows = options.kind
      ? await this.db.all<RecordRow>(`SELECT ${cols} FROM advisory_records WHERE kind = ? ORDER BY id LIMIT ? OFFSET ?`, [options.kind, limit, offset])
      : await this.db.all<RecordRow>(`SELECT ${cols} FROM advisory_records ORDER BY id LIMIT ? OFFSET ?`, [limit, offset]);
    return rows.map(toRecord);
  }

  async recordVersions(kind: 'cve' | 'csaf'): Promise<Map<string, string | undefined>> {
    const rows = await this.db.all<{ id: string; updated: string | null }>('SELECT id, updated FROM advisory_records WHERE kind = ?', [kind]);
    return new Map(rows.map((r) => [r.id.slice(kind.length + 1), r.updated ?? undefined]));
  }

  async *documents(kind?: 'cve' | 'csaf'): AsyncGenerator<{ readonly id: string; readonly document: unknown }> {
    let after = '';
    for (;;) {
      const rows = kind
        ? await this.db.all<{ id: string; document: string }>('SELECT id, document FROM advisory_records WHERE kind = ? AND id > ? ORDER BY id LIMIT ?', [kind, after, PAGE])
        : await this.db.all<{ id: string; document: string }>('SELECT id, document FROM advisory_records WHERE id > ? ORDER BY id LIMIT ?', [after, PAGE]);
      for (const r of rows) yield { id: r.id, document: JSON.parse(r.document) as unknown };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async addSoftware(items: readonly InventoryItem[]): Promise<InventoryItem[]> {
    const out: InventoryItem[] = [];
    const now = Date.now();
    for (const item of items) {
      const id = randomUUID();
      await this.db.run(
        'INSERT INTO inventory (id, organisation_id, vendor, product, version, cpe, purl, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [id, item.organisationId, item.vendor, item.product, item.version, item.cpe ?? null, item.purl ?? null, item.source ?? null, now],
      );
      out.push({ ...item, id });
    }
    return out;
  }

  async software(organisationId?: string): Promise<InventoryItem[]> {
    const rows =
      organisationId === undefined
        ? await this.db.all<SoftwareRow>('SELECT * FROM inventory ORDER BY organisation_id, vendor, product, version, id')
        : await this.db.all<SoftwareRow>('SELECT * FROM inventory WHERE organisation_id = ? ORDER BY vendor, product, version, id', [organisationId]);
    return rows.map(toItem);
  }

  async removeSoftware(organisationId: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM inventory WHERE organisation_id = ? AND id = ?', [organisationId, id])) > 0;
  }

  private async nextId(now: number): Promise<string> {
    const year = new Date(now).getUTCFullYear();
    const prefix = `VIGIL-${year}-`;
    const rows = await this.db.all<{ id: string }>('SELECT id FROM own_advisories WHERE id LIKE ?', [`${prefix}%`]);
    const max = rows.reduce((m, r) => Math.max(m, Number(r.id.slice(prefix.length)) || 0), 0);
    return `${prefix}${String(max + 1).padStart(4, '0')}`;
  }

  async createDraft(content: OwnAdvisoryContent, actor: string, now = Date.now()): Promise<OwnAdvisory> {
    const c = contentOf(content);
    const history: AdvisoryHistoryEntry[] = [{ at: now, actor, action: 'created', note: null }];
    // Two drafts created at once may race for a number: the primary key refuses the second; try again.
    for (let attempt = 0; ; attempt++) {
      const id = await this.nextId(now);
      try {
        await this.db.run(
          `INSERT INTO own_advisories (id, status, tlp, title, content, created_by, created_at, updated_at, reviewed_by, published_at, organisation_ids, csaf, history)
           VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, NULL, NULL, '[]', NULL, ?)`,
          [id, c.tlp, c.title, JSON.stringify(c), actor, now, now, JSON.stringify(history)],
        );
        return (await this.getOwn(id))!;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  async getOwn(id: string): Promise<OwnAdvisory | undefined> {
    const [row] = await this.db.all<OwnRow>('SELECT * FROM own_advisories WHERE id = ?', [id]);
    return row ? toOwn(row) : undefined;
  }

  async listOwn(status?: AdvisoryState): Promise<OwnAdvisory[]> {
    const rows = status
      ? await this.db.all<OwnRow>('SELECT * FROM own_advisories WHERE status = ? ORDER BY id DESC', [status])
      : await this.db.all<OwnRow>('SELECT * FROM own_advisories ORDER BY id DESC');
    return rows.map(toOwn);
  }

  async editDraft(id: string, content: OwnAdvisoryContent, actor: string): Promise<OwnAdvisory | undefined> {
    const current = await this.getOwn(id);
    if (!current || current.status !== 'draft') return undefined;
    const c = contentOf(content);
    const now = Date.now();
    const history = [...current.history, { at: now, actor, action: 'edited' as const, note: null }];
    const changed = await this.db.run(
      "UPDATE own_advisories SET tlp = ?, title = ?, content = ?, updated_at = ?, history = ? WHERE id = ? AND status = 'draft'",
      [c.tlp, c.title, JSON.stringify(c), now, JSON.stringify(history), id],
    );
    return changed > 0 ? this.getOwn(id) : undefined;
  }

  async move(
    id: string,
    to: AdvisoryState,
    entry: AdvisoryHistoryEntry,
    change: { readonly reviewedBy?: string; readonly publishedAt?: number; readonly csaf?: unknown; readonly organisationIds?: readonly string[] } = {},
  ): Promise<OwnAdvisory | undefined> {
    const current = await this.getOwn(id);
    if (!current || current.status === 'published') return undefined;
    const history = [...current.history, entry];
    // The WHERE on the old status makes two concurrent moves end with one winner.
    const changed = await this.db.run(
      `UPDATE own_advisories SET status = ?, updated_at = ?, history = ?, reviewed_by = ?, published_at = ?, csaf = ?, organisation_ids = ?
       WHERE id = ? AND status = ?`,
      [
        to,
        entry.at,
        JSON.stringify(history),
        change.reviewedBy ?? current.reviewedBy,
        change.publishedAt ?? current.publishedAt,
        change.csaf === undefined ? (current.csaf === null ? null : JSON.stringify(current.csaf)) : JSON.stringify(change.csaf),
        JSON.stringify(change.organisationIds ?? current.organisationIds),
        id,
        current.status,
      ],
    );
    return changed > 0 ? this.getOwn(id) : undefined;
  }

  async setRecipients(id: string, organisationIds: readonly string[], note: string): Promise<OwnAdvisory | undefined> {
    const current = await this.getOwn(id);
    if (!current || current.status !== 'published') return undefined;
    const at = current.history.findLastIndex((h) => h.action === 'published');
    const history = current.history.map((h, i) => (i === at ? { ...h, note } : h));
    const changed = await this.db.run("UPDATE own_advisories SET organisation_ids = ?, history = ? WHERE id = ? AND status = 'published'", [
      JSON.stringify(organisationIds),
      JSON.stringify(history),
      id,
    ]);
    return changed > 0 ? this.getOwn(id) : undefined;
  }

  async warnedIn(period: { readonly from: number; readonly to: number }): Promise<WarnedVulnerabilities> {
    const rows = await this.db.all<OwnRow>(
      "SELECT * FROM own_advisories WHERE status = 'published' AND published_at >= ? AND published_at < ? ORDER BY published_at, id",
      [period.from, period.to],
    );
    return {
      advisories: rows.map(toOwn).map((a) => ({
        id: a.id,
        title: a.title,
        published: new Date(a.publishedAt!).toISOString(),
        tlp: a.tlp,
        cves: a.cves,
        products: a.products.map(productSeverity),
        organisationIds: a.organisationIds,
      })),
      query: `own advisories with status published and published_at in [${new Date(period.from).toISOString()}, ${new Date(period.to).toISOString()})`,
    };
  }
}
