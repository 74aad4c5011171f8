/**
 * The few SQL calls the account, audit and settings repositories need, over either engine: each
 * store adapts its driver to this, so those repositories are written once and bind every value.
 * Statements use `?` placeholders; the PostgreSQL adapter numbers them.
 */
export interface SqlDb {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** `?` → `$1, $2, …` for node-postgres. No statement of ours has a `?` inside a literal. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
