/**
 * How the CERT handles an incident, kept beside the analysis so that re-scanning evidence never
 * overwrites it: the constituent organisation it concerns and its TLP label.
 */
import type { Tlp } from '../core/tlp.js';
import type { SqlDb } from './sql.js';

export interface IncidentHandling {
  readonly incidentId: string;
  readonly organisation: string | null;
  readonly tlp: Tlp;
  readonly changedAt: number;
}

/** What an incident is until someone labels it: for the CERT's staff only. */
export const DEFAULT_INCIDENT_TLP: Tlp = 'AMBER';

export interface IncidentHandlingRepository {
  set(handling: Omit<IncidentHandling, 'changedAt'>): Promise<IncidentHandling>;
  get(incidentId: string): Promise<IncidentHandling | undefined>;
  list(): Promise<IncidentHandling[]>;
}

interface Row {
  incident_id: string;
  organisation: string | null;
  tlp: Tlp;
  changed_at: number;
}

const toHandling = (r: Row): IncidentHandling => ({
  incidentId: r.incident_id,
  organisation: r.organisation,
  tlp: r.tlp,
  changedAt: Number(r.changed_at),
});

export class SqlIncidentHandling implements IncidentHandlingRepository {
  constructor(private readonly db: SqlDb) {}

  async set(h: Omit<IncidentHandling, 'changedAt'>): Promise<IncidentHandling> {
    const changedAt = Date.now();
    await this.db.run(
      `INSERT INTO incident_handling (incident_id, organisation, tlp, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (incident_id) DO UPDATE SET organisation = excluded.organisation, tlp = excluded.tlp,
       changed_at = excluded.changed_at`,
      [h.incidentId, h.organisation, h.tlp, changedAt],
    );
    return { ...h, changedAt };
  }

  async get(incidentId: string): Promise<IncidentHandling | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM incident_handling WHERE incident_id = ?', [
      incidentId,
    ]);
    return row ? toHandling(row) : undefined;
  }

  async list(): Promise<IncidentHandling[]> {
    return (await this.db.all<Row>('SELECT * FROM incident_handling')).map(toHandling);
  }
}
