/**
 * What every SQL store has in common: the repositories written once over SqlDb (accounts, audit,
 * rule switches, incident labels, cases, notifications, constituency, advisories, weekly report issues, saved
 * hunts), built on the store's own connection. The SQLite and PostgreSQL stores add their event, detection, job and incident tables.
 */
import { SqlAccounts, SqlAudit, SqlRuleSettings } from './accounts.js';
import { SqlAdvisories } from './advisories.js';
import { SqlCases } from './cases.js';
import { SqlConstituency } from './constituency.js';
import { SqlIncidentHandling } from './incident-handling.js';
import { SqlNotifications } from './notifications.js';
import { SqlSavedHunts } from './saved-hunts.js';
import type { SqlDb } from './sql.js';
import { SqlWeeklyReports } from './weekly-reports.js';

export abstract class SqlStore {
  readonly handling: SqlIncidentHandling;
  readonly accounts: SqlAccounts;
  readonly audit: SqlAudit;
  readonly ruleSettings: SqlRuleSettings;
  readonly cases: SqlCases;
  readonly notifications: SqlNotifications;
  readonly constituency: SqlConstituency;
  readonly advisories: SqlAdvisories;
  readonly weeklyReports: SqlWeeklyReports;
  readonly savedHunts: SqlSavedHunts;

  /** `sql`: the connection as SqlDb (tests use it to check what the schema itself refuses). */
  constructor(readonly sql: SqlDb) {
    this.handling = new SqlIncidentHandling(sql);
    this.accounts = new SqlAccounts(sql);
    this.audit = new SqlAudit(sql);
    this.ruleSettings = new SqlRuleSettings(sql);
    this.cases = new SqlCases(sql);
    this.notifications = new SqlNotifications(sql);
    this.constituency = new SqlConstituency(sql);
    this.advisories = new SqlAdvisories(sql);
    this.weeklyReports = new SqlWeeklyReports(sql);
    this.savedHunts = new SqlSavedHunts(sql);
  }
}
