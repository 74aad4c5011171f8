/**
 * The server's rules: the configured rule pack plus rules uploaded through the API (kept as files in
 * `<data>/rules-local/`), loaded once and reloaded after an upload, with each rule's on/off switch
 * from the store.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Issue } from '../core/issue.js';
import {
  compileRuleSet,
  loadDefaultMapping,
  loadRules,
  parseRules,
  type RuleLoad,
} from '../detect/sigma/index.js';
import type { Store } from '../store/index.js';

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly level: string;
  readonly status: string | null;
  readonly product: string | null;
  readonly category: string | null;
  readonly service: string | null;
  readonly tags: readonly string[];
  readonly file: string;
  readonly kind: 'rule' | 'correlation';
  readonly uploaded: boolean;
  readonly enabled: boolean;
}

export interface Validation {
  readonly ok: boolean;
  readonly rules: number;
  readonly problems: readonly Issue[];
}

/** A rule file name from its id: nothing a client sends becomes a path. */
const safeFileName = (id: string): string => `${id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}.yml`;

export class RuleCatalog {
  #load: RuleLoad | undefined;
  #loading: Promise<RuleLoad> | undefined;

  constructor(
    readonly packPaths: readonly string[],
    readonly dataDir: string,
    readonly store: Store,
  ) {}

  get localDir(): string {
    return join(this.dataDir, 'rules-local');
  }

  /** Every path a scan should read rules from. */
  get paths(): string[] {
    return [...this.packPaths, this.localDir];
  }

  async load(): Promise<RuleLoad> {
    if (this.#load) return this.#load;
    this.#loading ??= (async () => {
      await mkdir(this.localDir, { recursive: true });
      const load = await loadRules(this.paths, { cacheDir: join(this.dataDir, 'cache') });
      this.#load = load;
      this.#loading = undefined;
      return load;
    })();
    return this.#loading;
  }

  async disabledIds(): Promise<string[]> {
    return (await this.store.ruleSettings.list()).filter((s) => !s.enabled).map((s) => s.ruleId);
  }

  async list(): Promise<RuleSummary[]> {
    const load = await this.load();
    const off = new Set(await this.disabledIds());
    const local = this.localDir;
    const rules: RuleSummary[] = load.rules.map((r) => ({
      id: r.id,
      title: r.title,
      level: r.level,
      status: r.status ?? null,
      product: r.logsource.product ?? null,
      category: r.logsource.category ?? null,
      service: r.logsource.service ?? null,
      tags: r.tags,
      file: r.file,
      kind: 'rule',
      uploaded: r.file.startsWith(local),
      enabled: !off.has(r.id),
    }));
    for (const c of load.correlations)
      rules.push({
        id: c.id,
        title: c.title,
        level: c.level,
        status: null,
        product: null,
        category: null,
        service: null,
        tags: c.tags,
        file: c.file,
        kind: 'correlation',
        uploaded: c.file.startsWith(local),
        enabled: !off.has(c.id),
      });
    return rules;
  }

  async get(id: string): Promise<RuleSummary | undefined> {
    return (await this.list()).find((r) => r.id === id);
  }

  /** Parses and compiles rule text without keeping it. */
  validate(text: string, name = 'uploaded.yml'): Validation & { load: RuleLoad } {
    const load = parseRules(text, name);
    const { ruleSet, problems } = compileRuleSet(load, loadDefaultMapping());
    const all = [...load.problems, ...problems];
    const count = ruleSet.rules.length + load.correlations.length;
    return { ok: count > 0 && !all.some((p) => p.severity === 'error'), rules: count, problems: all, load };
  }

  /** Keeps a valid rule file among the local rules; the next scans use it. */
  async upload(text: string): Promise<Validation & { ids: string[] }> {
    const checked = this.validate(text);
    const ids = [...checked.load.rules.map((r) => r.id), ...checked.load.correlations.map((c) => c.id)];
    if (!checked.ok || ids.length === 0)
      return { ok: false, rules: checked.rules, problems: checked.problems, ids };
    await mkdir(this.localDir, { recursive: true });
    await writeFile(join(this.localDir, safeFileName(ids[0]!)), text);
    this.#load = undefined;
    return { ok: true, rules: checked.rules, problems: checked.problems, ids };
  }
}
