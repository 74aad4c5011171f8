/**
 * Past issues of the weekly report: one per ISO week and TLP, kept as the report's JSON model (which
 * every format is drawn from), so an issue reads the same however long ago it was generated. Writing
 * an issue that exists already changes nothing: the schedule can run after every restart.
 */
import type { Tlp } from '../core/tlp.js';
import type { SqlDb } from './sql.js';

export interface WeeklyIssueSummary {
  /** `2026-W47-GREEN`. */
  readonly id: string;
  readonly week: string;
  readonly tlp: Tlp;
  readonly generatedAt: number;
}

export interface WeeklyIssue extends WeeklyIssueSummary {
  /** The report's JSON model (src/report/weekly/model.ts). */
  readonly report: unknown;
}

export interface WeeklyReportRepository {
  /** Keeps an issue unless one for its week and TLP exists; true when it was new. */
  put(issue: Omit<WeeklyIssue, 'id'>): Promise<boolean>;
  get(id: string): Promise<WeeklyIssue | undefined>;
  /** Newest week first; only the given TLPs when given. */
  list(query?: { readonly tlps?: readonly Tlp[]; readonly limit?: number }): Promise<WeeklyIssueSummary[]>;
}

export const weeklyIssueId = (week: string, tlp: Tlp): string => `${week}-${tlp}`;

interface Row {
  id: string;
  week: string;
  tlp: Tlp;
  generated_at: number | string;
  report?: string;
}

const toSummary = (r: Row): WeeklyIssueSummary => ({
  id: r.id,
  week: r.week,
  tlp: r.tlp,
  generatedAt: Number(r.generated_at),
});

export class SqlWeeklyReports implements WeeklyReportRepository {
  constructor(private readonly db: SqlDb) {}

  async put(issue: Omit<WeeklyIssue, 'id'>): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO weekly_report_issues (id, week, tlp, generated_at, report) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [
        weeklyIssueId(issue.week, issue.tlp),
        issue.week,
        issue.tlp,
        issue.generatedAt,
        JSON.stringify(issue.report),
      ],
    );
    return changed > 0;
  }

  async get(id: string): Promise<WeeklyIssue | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM weekly_report_issues WHERE id = ?', [id]);
    return row ? { ...toSummary(row), report: JSON.parse(row.report ?? 'null') as unknown } : undefined;
  }

  async list(
    query: { readonly tlps?: readonly Tlp[]; readonly limit?: number } = {},
  ): Promise<WeeklyIssueSummary[]> {
    const limit = Math.min(Math.max(1, query.limit ?? 200), 1000);
    const tlps = query.tlps;
    if (tlps !== undefined && tlps.length === 0) return [];
    const where = tlps === undefined ? '' : `WHERE tlp IN (${tlps.map(() => '?').join(', ')})`;
    const rows = await this.db.all<Row>(
      `SELECT id, week, tlp, generated_at FROM weekly_report_issues ${where} ORDER BY week DESC, tlp LIMIT ?`,
      [...(tlps ?? []), limit],
    );
    return rows.map(toSummary);
  }
}
