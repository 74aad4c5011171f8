/** What every route handler is given: the options, the store, the rule catalog, the job queue, the audit writer. */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/index.js';
import type { Permission } from './auth/permissions.js';
import type { Principal } from './auth/principal.js';
import type { JobRunner } from './jobs/runner.js';
import type { SmtpOptions } from '../notify/smtp.js';
import type { ReminderPolicy } from '../notify/tracking.js';
import type { Notifier, Team } from './notifier.js';
import type { RuleCatalog } from './rule-catalog.js';
import type { WeeklyScheduleOptions } from './reports/schedule.js';
import type { IntakeSettings } from './feeds/config.js';

/** `public`: anyone; `signed-in`: any principal; otherwise the named permission. */
export type Access = 'public' | 'signed-in' | { readonly permission: Permission };

export interface ServerOptions {
  readonly store: Store;
  /** How worker threads open the same store: a SQLite path or postgres:// URL (undefined: `<data>/vigil.db`). */
  readonly storeUrl: string | undefined;
  readonly dataDir: string;
  readonly rulePaths: readonly string[];
  readonly indicatorPaths?: readonly string[];
  readonly homeCountry?: string;
  /** Largest upload accepted, in bytes. */
  readonly maxUploadBytes?: number;
  /** Mark cookies Secure (behind TLS). */
  readonly secureCookies?: boolean;
  readonly logger?: boolean;
  /** Where coordination mail goes out; without it notifications are recorded as failed. */
  readonly smtp?: SmtpOptions;
  /** Who the mail is from (default: Vigil CERT <cert@localhost>). */
  readonly team?: Team;
  readonly reminders?: ReminderPolicy;
  /** Take replies and bounces by SMTP on this address. */
  readonly smtpListen?: { readonly host: string; readonly port: number };
  /** Take replies and bounces from this Maildir or folder of .eml files (read every minute). */
  readonly mailDir?: string;
  /**
   * Write the weekly report into the archive every week (Monday 00:00 UTC by default, at TLP:CLEAR
   * and TLP:AMBER). Off unless given; `vigil serve` gives it.
   */
  readonly weeklyReports?: WeeklyScheduleOptions;
  /** Feed intake settings (feeds, dedup rules), or the file to read them from (docs/feeds.md). */
  readonly feeds?: IntakeSettings;
  readonly feedConfig?: string;
  /** The built web UI (default: dist/web beside the server). */
  readonly webDir?: string;
  /** Start the ingest queue (default true; tests of the API alone leave jobs queued). */
  readonly runJobs?: boolean;
}

export interface ServerContext {
  readonly options: ServerOptions;
  readonly store: Store;
  readonly rules: RuleCatalog;
  readonly jobs: JobRunner;
  readonly notifier: Notifier;
  /** Writes one audit entry for a change made by the request's principal. */
  audit(
    request: FastifyRequest,
    action: string,
    target: string,
    before: unknown,
    after: unknown,
  ): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}
