/**
 * Accounts, sessions, API tokens, the audit log and rule settings: the team server's records,
 * written once over SqlDb so SQLite and PostgreSQL share them. Secrets never reach the store in
 * the clear: sessions and tokens are kept by the SHA-256 of their value, passwords as scrypt hashes.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../core/roles.js';
import type { Tlp } from '../core/tlp.js';
import type { SqlDb } from './sql.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  /** The organisation a constituent speaks for; null for the CERT's own staff and partners. */
  readonly organisation: string | null;
  /** The highest TLP this user may read. */
  readonly tlpClearance: Tlp;
  readonly passwordHash: string;
  /** Set for a generated one-time password: nothing but changing it is allowed until then. */
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
}

export type NewUser = Omit<User, 'id' | 'createdAt' | 'disabled' | 'mustChangePassword'> &
  Partial<Pick<User, 'mustChangePassword'>>;

export type UserChange = Partial<
  Pick<User, 'role' | 'organisation' | 'tlpClearance' | 'passwordHash' | 'mustChangePassword' | 'disabled'>
>;

export interface Session {
  readonly tokenHash: string;
  readonly userId: string;
  readonly csrf: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  /** Permissions the token carries; never more than its user's role grants. */
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  /** Username, or `system` for what the server does by itself. */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'> & { readonly at?: number };

export interface RuleSetting {
  readonly ruleId: string;
  readonly enabled: boolean;
  readonly changedAt: number;
  readonly changedBy: string;
}

export interface AccountRepository {
  createUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  userByName(username: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  updateUser(id: string, change: UserChange): Promise<User | undefined>;
  countUsers(): Promise<number>;

  createSession(session: Session): Promise<void>;
  getSession(tokenHash: string): Promise<Session | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: string): Promise<void>;

  createToken(token: Omit<ApiToken, 'id' | 'createdAt' | 'revokedAt' | 'lastUsedAt'>): Promise<ApiToken>;
  tokenByHash(tokenHash: string): Promise<ApiToken | undefined>;
  getToken(id: string): Promise<ApiToken | undefined>;
  listTokens(userId?: string): Promise<ApiToken[]>;
  revokeToken(id: string): Promise<ApiToken | undefined>;
  touchToken(id: string): Promise<void>;
}

/** Append-only: there is no way to change or remove an entry, here or in the schema (triggers). */
export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first; `before` continues below that sequence number. */
  list(options?: { readonly limit?: number; readonly before?: number }): Promise<AuditEntry[]>;
  /** The entries about one target (`case:ID` …), newest first. */
  forTarget(target: string, limit?: number): Promise<AuditEntry[]>;
}

export interface RuleSettingsRepository {
  set(setting: Omit<RuleSetting, 'changedAt'>): Promise<RuleSetting>;
  list(): Promise<RuleSetting[]>;
}

interface UserRow {
  id: string;
  username: string;
  role: Role;
  organisation: string | null;
  tlp_clearance: Tlp;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  created_at: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role,
  organisation: r.organisation,
  tlpClearance: r.tlp_clearance,
  passwordHash: r.password_hash,
  mustChangePassword: Number(r.must_change_password) === 1,
  disabled: Number(r.disabled) === 1,
  createdAt: Number(r.created_at),
});

interface SessionRow {
  token_hash: string;
  user_id: string;
  csrf: string;
  created_at: number;
  expires_at: number;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const optionalNumber = (v: number | null): number | null => (v === null ? null : Number(v));

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  tokenHash: r.token_hash,
  scopes: JSON.parse(r.scopes) as string[],
  createdAt: Number(r.created_at),
  expiresAt: optionalNumber(r.expires_at),
  revokedAt: optionalNumber(r.revoked_at),
  lastUsedAt: optionalNumber(r.last_used_at),
});

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  before_state: string | null;
  after_state: string | null;
  ip: string | null;
}

const parseJson = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

const toAudit = (r: AuditRow): AuditEntry => ({
  seq: Number(r.seq),
  at: Number(r.at),
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: parseJson(r.before_state),
  after: parseJson(r.after_state),
  ip: r.ip,
});

const USER_COLUMNS: Record<keyof UserChange, string> = {
  role: 'role',
  organisation: 'organisation',
  tlpClearance: 'tlp_clearance',
  passwordHash: 'password_hash',
  mustChangePassword: 'must_change_password',
  disabled: 'disabled',
};

export class SqlAccounts implements AccountRepository {
  constructor(private readonly db: SqlDb) {}

  async createUser(user: NewUser): Promise<User> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO users (id, username, role, organisation, tlp_clearance, password_hash, must_change_password, disabled, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      [
        id,
        user.username,
        user.role,
        user.organisation,
        user.tlpClearance,
        user.passwordHash,
        user.mustChangePassword ? 1 : 0,
        Date.now(),
      ],
    );
    return (await this.getUser(id))!;
  }

  async getUser(id: string): Promise<User | undefined> {
    const [row] = await this.db.all<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row ? toUser(row) : undefined;
  }

  async userByName(username: string): Promise<User | undefined> {
    const [row] = await this.db.all<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    return row ? toUser(row) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
  }

  async updateUser(id: string, change: UserChange): Promise<User | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, column] of Object.entries(USER_COLUMNS) as [keyof UserChange, string][]) {
      const value = change[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    if (sets.length > 0)
      await this.db.run(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return this.getUser(id);
  }

  async countUsers(): Promise<number> {
    const [row] = await this.db.all<{ n: number }>('SELECT count(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }

  async createSession(s: Session): Promise<void> {
    await this.db.run(
      'INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [s.tokenHash, s.userId, s.csrf, s.createdAt, s.expiresAt],
    );
  }

  async getSession(tokenHash: string): Promise<Session | undefined> {
    const [r] = await this.db.all<SessionRow>('SELECT * FROM sessions WHERE token_hash = ?', [tokenHash]);
    if (!r) return undefined;
    return {
      tokenHash: r.token_hash,
      userId: r.user_id,
      csrf: r.csrf,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
  }

  async createToken(
    token: Omit<ApiToken, 'id' | 'createdAt' | 'revokedAt' | 'lastUsedAt'>,
  ): Promise<ApiToken> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        token.userId,
        token.name,
        token.tokenHash,
        JSON.stringify(token.scopes),
        Date.now(),
        token.expiresAt,
      ],
    );
    return (await this.getToken(id))!;
  }

  async tokenByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const [r] = await this.db.all<TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?', [tokenHash]);
    return r ? toToken(r) : undefined;
  }

  async getToken(id: string): Promise<ApiToken | undefined> {
    const [r] = await this.db.all<TokenRow>('SELECT * FROM api_tokens WHERE id = ?', [id]);
    return r ? toToken(r) : undefined;
  }

  async listTokens(userId?: string): Promise<ApiToken[]> {
    const rows =
      userId === undefined
        ? await this.db.all<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, id')
        : await this.db.all<TokenRow>('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at, id', [
            userId,
          ]);
    return rows.map(toToken);
  }

  async revokeToken(id: string): Promise<ApiToken | undefined> {
    await this.db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
      Date.now(),
      id,
    ]);
    return this.getToken(id);
  }

  async touchToken(id: string): Promise<void> {
    await this.db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [Date.now(), id]);
  }
}

export class SqlAudit implements AuditRepository {
  constructor(private readonly db: SqlDb) {}

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = entry.at ?? Date.now();
    const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
    const [row] = await this.db.all<AuditRow>(
      `INSERT INTO audit_log (at, actor, action, target, before_state, after_state, ip)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [at, entry.actor, entry.action, entry.target, json(entry.before), json(entry.after), entry.ip],
    );
    return toAudit(row!);
  }

  async list(options: { readonly limit?: number; readonly before?: number } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 100), 10_000);
    const rows =
      options.before === undefined
        ? await this.db.all<AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?', [limit])
        : await this.db.all<AuditRow>('SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?', [
            options.before,
            limit,
          ]);
    return rows.map(toAudit);
  }

  async forTarget(target: string, limit = 1000): Promise<AuditEntry[]> {
    const rows = await this.db.all<AuditRow>(
      'SELECT * FROM audit_log WHERE target = ? ORDER BY seq DESC LIMIT ?',
      [target, Math.min(Math.max(1, limit), 10_000)],
    );
    return rows.map(toAudit);
  }
}

export class SqlRuleSettings implements RuleSettingsRepository {
  constructor(private readonly db: SqlDb) {}

  async set(setting: Omit<RuleSetting, 'changedAt'>): Promise<RuleSetting> {
    const changedAt = Date.now();
    await this.db.run(
      `INSERT INTO rule_settings (rule_id, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (rule_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at,
       changed_by = excluded.changed_by`,
      [setting.ruleId, setting.enabled ? 1 : 0, changedAt, setting.changedBy],
    );
    return { ...setting, changedAt };
  }

  async list(): Promise<RuleSetting[]> {
    const rows = await this.db.all<{
      rule_id: string;
      enabled: number;
      changed_at: number;
      changed_by: string;
    }>('SELECT * FROM rule_settings ORDER BY rule_id');
    return rows.map((r) => ({
      ruleId: r.rule_id,
      enabled: Number(r.enabled) === 1,
      changedAt: Number(r.changed_at),
      changedBy: r.changed_by,
    }));
  }
}
