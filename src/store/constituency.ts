/**
 * The constituency's organisations and the outside parties, written once over SqlDb for SQLite and
 * PostgreSQL. Each record is kept whole as JSON (validated before it gets here) beside the columns
 * listings sort and filter on; lookups build their index from the lists (enrich/constituency).
 */
import type { Organisation, Party } from '../enrich/constituency/model.js';
import type { SqlDb } from './sql.js';

export interface ConstituencyRepository {
  /** Creates or replaces the organisation with this id; returns the one it replaced. */
  putOrganisation(organisation: Organisation): Promise<Organisation | undefined>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  /** By id. */
  listOrganisations(): Promise<Organisation[]>;
  /** Returns the organisation removed, if there was one. */
  deleteOrganisation(id: string): Promise<Organisation | undefined>;

  putParty(party: Party): Promise<Party | undefined>;
  getParty(id: string): Promise<Party | undefined>;
  /** By id; only one kind when given. */
  listParties(kind?: Party['kind']): Promise<Party[]>;
  deleteParty(id: string): Promise<Party | undefined>;
}

interface Row {
  record: string;
}

const parse = <T>(row: Row | undefined): T | undefined =>
  row === undefined ? undefined : (JSON.parse(row.record) as T);

export class SqlConstituency implements ConstituencyRepository {
  constructor(private readonly db: SqlDb) {}

  async putOrganisation(o: Organisation): Promise<Organisation | undefined> {
    const before = await this.getOrganisation(o.id);
    await this.db.run(
      `INSERT INTO organisations (id, name, record, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, record = excluded.record, updated_at = excluded.updated_at`,
      [o.id, o.name, JSON.stringify(o), Date.now()],
    );
    return before;
  }

  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const [row] = await this.db.all<Row>('SELECT record FROM organisations WHERE id = ?', [id]);
    return parse<Organisation>(row);
  }

  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.db.all<Row>('SELECT record FROM organisations ORDER BY id');
    return rows.map((r) => JSON.parse(r.record) as Organisation);
  }

  async deleteOrganisation(id: string): Promise<Organisation | undefined> {
    const before = await this.getOrganisation(id);
    if (before) await this.db.run('DELETE FROM organisations WHERE id = ?', [id]);
    return before;
  }

  async putParty(p: Party): Promise<Party | undefined> {
    const before = await this.getParty(p.id);
    await this.db.run(
      `INSERT INTO parties (id, kind, name, record, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, record = excluded.record,
       updated_at = excluded.updated_at`,
      [p.id, p.kind, p.name, JSON.stringify(p), Date.now()],
    );
    return before;
  }

  async getParty(id: string): Promise<Party | undefined> {
    const [row] = await this.db.all<Row>('SELECT record FROM parties WHERE id = ?', [id]);
    return parse<Party>(row);
  }

  async listParties(kind?: Party['kind']): Promise<Party[]> {
    const rows =
      kind === undefined
        ? await this.db.all<Row>('SELECT record FROM parties ORDER BY id')
        : await this.db.all<Row>('SELECT record FROM parties WHERE kind = ? ORDER BY id', [kind]);
    return rows.map((r) => JSON.parse(r.record) as Party);
  }

  async deleteParty(id: string): Promise<Party | undefined> {
    const before = await this.getParty(id);
    if (before) await this.db.run('DELETE FROM parties WHERE id = ?', [id]);
    return before;
  }
}
