/**
 * Hunts the team keeps: a name, the Sigma rule text and the pivot it runs within, so an analyst can run
 * a colleague's hunt again (the web UI's Hunt page). Shared by the team; a change is an audit entry.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDb } from './sql.js';

/** The pivot a hunt runs within (the API's `within`): text as typed, parsed when the hunt runs. */
export interface HuntWithin {
  readonly from?: string;
  readonly to?: string;
  readonly host?: string;
  readonly user?: string;
  readonly ip?: string;
  readonly field?: string;
  readonly text?: string;
}

export interface SavedHunt {
  readonly id: string;
  readonly name: string;
  readonly rule: string;
  readonly within: HuntWithin;
  readonly createdBy: string;
  readonly createdAt: number;
}

export type NewSavedHunt = Omit<SavedHunt, 'id' | 'createdAt'>;

export interface SavedHuntRepository {
  save(hunt: NewSavedHunt): Promise<SavedHunt>;
  get(id: string): Promise<SavedHunt | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<SavedHunt[]>;
  /** Whether there was one to delete. */
  delete(id: string): Promise<boolean>;
}

interface Row {
  id: string;
  name: string;
  rule: string;
  within: string;
  created_by: string;
  created_at: number | string;
}

const WITHIN_KEYS = ['from', 'to', 'host', 'user', 'ip', 'field', 'text'] as const;

/** Only the known pivot keys with text values survive a round trip through the column. */
function withinOf(json: string): HuntWithin {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const out: Record<string, string> = {};
  for (const k of WITHIN_KEYS) {
    const v = (parsed as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const toHunt = (r: Row): SavedHunt => ({
  id: r.id,
  name: r.name,
  rule: r.rule,
  within: withinOf(r.within),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
});

export class SqlSavedHunts implements SavedHuntRepository {
  constructor(private readonly db: SqlDb) {}

  async save(hunt: NewSavedHunt): Promise<SavedHunt> {
    const saved: SavedHunt = { ...hunt, id: randomUUID(), createdAt: Date.now() };
    const within: Record<string, string> = {};
    for (const k of WITHIN_KEYS) if (hunt.within[k] !== undefined) within[k] = hunt.within[k];
    await this.db.run(
      'INSERT INTO saved_hunts (id, name, rule, within, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [saved.id, saved.name, saved.rule, JSON.stringify(within), saved.createdBy, saved.createdAt],
    );
    return { ...saved, within };
  }

  async get(id: string): Promise<SavedHunt | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM saved_hunts WHERE id = ?', [id]);
    return row ? toHunt(row) : undefined;
  }

  async list(limit = 1000): Promise<SavedHunt[]> {
    const rows = await this.db.all<Row>('SELECT * FROM saved_hunts ORDER BY created_at DESC, id LIMIT ?', [
      Math.min(Math.max(1, limit), 10_000),
    ]);
    return rows.map(toHunt);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM saved_hunts WHERE id = ?', [id])) > 0;
  }
}
