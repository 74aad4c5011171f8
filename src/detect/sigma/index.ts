/**
 * The Sigma engine: load rule files (every problem collected), compile them once into an indexed
 * RuleSet, match events, and describe a match as a Detection.
 *
 *   const load = await loadRules(['rules/windows']);
 *   const { ruleSet } = compileRuleSet(load, loadDefaultMapping());
 *   for (const rule of ruleSet.match(event)) detections.push(detectionFor(rule, event));
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { commonFields } from '../../core/accessors.js';
import type { Detection } from '../../core/detection.js';
import type { Event, FieldValue } from '../../core/event.js';
import { putField } from '../../core/fields.js';
import { issue, type Issue } from '../../core/issue.js';
import { emptyLoad, mergeLoads, parseRules, type LoadOptions, type RuleLoad } from './parse.js';
import { loadDefaultMapping } from './logsource.js';
import { PrefilterStore } from './prefilter-store.js';
import { readIndexedRules, writeIndexedRules, type IndexedRules } from './indexed-rules.js';
import { checkCompile, compileRuleSet, ruleIndexOf, type CompiledRule } from './ruleset.js';

export type { CorrelationRule } from './correlation/types.js';
export type { CompileCheck, LoadOptions, RuleLoad } from './parse.js';
export { parseRules } from './parse.js';
export type { SigmaFilter, SigmaRule, Logsource } from './model.js';
export { checkCompile, compileRuleSet, RuleSet, type CompiledRule } from './ruleset.js';
export { loadDefaultMapping, type LogsourceMapping } from './logsource.js';
export { createPrefilterArena, PrefilterArena } from './prefilter-arena.js';
export { PrefilterStore } from './prefilter-store.js';
export type { IndexedRules } from './indexed-rules.js';
export { referenceMatch } from './reference.js';

/** Rule files and folders (recursive; .yml and .yaml), loaded in one pass with every problem kept. */
export async function loadRules(paths: readonly string[], options: LoadOptions = {}): Promise<RuleLoad> {
  const { files, problems } = listRuleFiles(paths);
  const cache = options.cacheDir ? await cachePath(options.cacheDir, files, options) : undefined;
  if (cache === undefined) return parseFiles(files, problems, options);
  const load = (await readCache(cache)) ?? (await parseIntoCache(cache, files, options)).load;
  // Problems with the paths themselves are this call's, not the cache's.
  load.problems.unshift(...problems);
  return load;
}

/** A rule set checked against its files once, as a cache file any thread of this run can read. */
export interface CachedRules {
  readonly cacheFile: string;
  /** Problems with the rule paths themselves, which the cache does not hold. */
  readonly pathProblems: readonly Issue[];
}

/**
 * Makes sure the cache holds the rule set of these paths (parsing it on a miss) and names its file,
 * so the workers of one scan read it with loadCachedRules instead of each walking and stat'ing every
 * rule file again. Undefined when the cache cannot be used: then loadRules is the way.
 */
export async function cacheRules(
  paths: readonly string[],
  options: LoadOptions & { readonly cacheDir: string },
): Promise<CachedRules | undefined> {
  const { files, problems } = listRuleFiles(paths);
  const cacheFile = await cachePath(options.cacheDir, files, options);
  if (cacheFile === undefined) return undefined;
  if (!(await isFile(cacheFile)) && !(await parseIntoCache(cacheFile, files, options)).written)
    return undefined;
  return { cacheFile, pathProblems: problems };
}

/**
 * Where the built bucket prefilters of this cached rule set, less the rules switched off, are kept
 * between scans: beside the rule cache, named for it, so a changed rule set or engine uses another.
 */
export function prefilterStoreFor(cached: CachedRules, disabledRuleIds: readonly string[]): PrefilterStore {
  return new PrefilterStore(`${cached.cacheFile.replace(/\.v8$/, '')}-prefilters-${offKey(disabledRuleIds)}`);
}

/**
 * The cached rule set, less the rules switched off, as a scan reads it (indexed-rules.ts): from a file
 * beside the rule cache, named for it and the rules switched off, made from the rule cache on the
 * first scan that needs it. Undefined when the rule cache cannot be read or was filled without a
 * compile check: then loadCachedRules and compileRuleSet are the way.
 */
export async function loadIndexedRules(
  cached: CachedRules,
  disabledRuleIds: readonly string[],
): Promise<IndexedRules | undefined> {
  const file = `${cached.cacheFile.replace(/\.v8$/, '')}-indexed-${offKey(disabledRuleIds)}.v8`;
  const indexed = readIndexedRules(file) ?? (await indexRules(cached, disabledRuleIds, file));
  if (indexed === undefined) return undefined;
  // Problems with the paths themselves are this run's, not the cache's.
  return { ...indexed, problems: [...cached.pathProblems, ...indexed.problems] };
}

async function indexRules(
  cached: CachedRules,
  disabledRuleIds: readonly string[],
  file: string,
): Promise<IndexedRules | undefined> {
  const load = await readCache(cached.cacheFile);
  const check = load?.compileCheck;
  if (load === undefined || check === undefined) return undefined;
  leaveOutRules(load, disabledRuleIds);
  const mapping = loadDefaultMapping();
  // The problems a scan reports at load: the same call, so the same issues in the same order.
  const { problems } = compileRuleSet(load, mapping, { compileCheck: check });
  const index = ruleIndexOf(load, mapping, check);
  if (writeIndexedRules(file, load, mapping, index, [...load.problems, ...problems]))
    return readIndexedRules(file);
  return undefined;
}

/** Leaves the rules and correlations switched off by id out of a load (in place). */
export function leaveOutRules(load: RuleLoad, disabledRuleIds: readonly string[]): void {
  if (disabledRuleIds.length === 0) return;
  const off = new Set(disabledRuleIds);
  load.rules = load.rules.filter((r) => !off.has(r.id));
  load.correlations = load.correlations.filter((c) => !off.has(c.id));
}

function offKey(disabledRuleIds: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...disabledRuleIds].sort()))
    .digest('hex')
    .slice(0, 16);
}

/** The rule set cacheRules named; undefined if the file went missing or is unreadable since. */
export async function loadCachedRules(cached: CachedRules): Promise<RuleLoad | undefined> {
  const load = await readCache(cached.cacheFile);
  load?.problems.unshift(...cached.pathProblems);
  return load;
}

/**
 * The rule files under these paths, in name order. Synchronous, with the entries' types from the
 * listing itself: a scan checks ≈ 3,800 files on every start, and a stat per entry through the
 * thread pool cost more than reading them; only links (and types the listing does not give) are stat'ed.
 */
function listRuleFiles(paths: readonly string[]): { files: string[]; problems: Issue[] } {
  const files: string[] = [];
  const problems: Issue[] = [];
  const unreadable = (path: string, error: unknown): void => {
    problems.push(issue('sigma.path.unreadable', (error as Error).message, { file: path }));
  };
  const visitDirectory = (path: string, depth: number): void => {
    if (depth > 32) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (error) {
      unreadable(path, error);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) visitDirectory(child, depth + 1);
      else if (entry.isFile()) {
        if (RULE_FILE.test(child)) files.push(child);
      } else visit(child, depth + 1);
    }
  };
  const visit = (path: string, depth: number): void => {
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      unreadable(path, error);
      return;
    }
    if (info.isDirectory()) visitDirectory(path, depth);
    else if (RULE_FILE.test(path)) files.push(path);
  };
  for (const p of paths) visit(p, 0);
  return { files, problems };
}

const RULE_FILE = /\.ya?ml$/i;

async function parseFiles(
  files: readonly string[],
  problems: readonly Issue[],
  options: LoadOptions,
): Promise<RuleLoad> {
  const load = emptyLoad();
  load.problems.push(...problems);
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      load.problems.push(issue('sigma.file.unreadable', (error as Error).message, { file }));
      continue;
    }
    mergeLoads(load, parseRules(text, file, options));
  }
  return load;
}

/** The rule files parsed and compile-checked, written to the cache (path problems are not in it). */
async function parseIntoCache(
  cacheFile: string,
  files: readonly string[],
  options: LoadOptions,
): Promise<{ load: RuleLoad; written: boolean }> {
  const load = await parseFiles(files, [], options);
  load.compileCheck = checkCompile(load, loadDefaultMapping());
  return { load, written: await writeCache(cacheFile, load) };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * This engine's own code files and its log-source mappings: part of the cache key, so a changed Vigil
 * never reads an older parse, nor a compile check made with other code or another mapping.
 */
async function engineFiles(): Promise<string[]> {
  const here = dirname(new URL(import.meta.url).pathname);
  const out: string[] = [];
  for (const dir of [here, join(here, 'correlation'), join(here, 'mappings')]) {
    for (const name of (await readdir(dir)).sort())
      if (/\.(js|ts|ya?ml)$/.test(name)) out.push(join(dir, name));
  }
  return out;
}

async function cachePath(
  dir: string,
  files: readonly string[],
  options: LoadOptions,
): Promise<string | undefined> {
  const hash = createHash('sha256').update(JSON.stringify(options.placeholders ?? {}));
  // Synchronous stats: thousands of them through the thread pool cost several times more CPU.
  for (const f of [...(await engineFiles()), ...files]) {
    let info;
    try {
      info = statSync(f, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (info === undefined) return undefined;
    hash.update(`${f}\0${info.size}\0${info.mtimeMs}\n`);
  }
  return join(dir, `rules-${hash.digest('hex').slice(0, 32)}.v8`);
}

async function readCache(path: string): Promise<RuleLoad | undefined> {
  try {
    return deserialize(await readFile(path)) as RuleLoad;
  } catch {
    return undefined; // missing or unreadable: parse the YAML
  }
}

/** Whether the cache was written; one that cannot be written only costs speed. */
async function writeCache(path: string, load: RuleLoad): Promise<boolean> {
  try {
    await mkdir(dirname(path), { recursive: true });
    // Written whole under another name, then renamed: a reader never sees half a cache.
    const partial = `${path}.${process.pid}.tmp`;
    await writeFile(partial, serialize(load));
    await rename(partial, path);
    return true;
  } catch {
    return false;
  }
}

/** Context worth showing next to any Windows detection. */
const CONTEXT_FIELDS = [
  'Image',
  'CommandLine',
  'ParentImage',
  'TargetFilename',
  'TargetObject',
  'ServiceName',
  'ImagePath',
  'ScriptBlockText',
  'QueryName',
  'DestinationIp',
  'User',
  'TargetUserName',
  'IpAddress',
];

export function detectionFor(rule: CompiledRule, event: Event): Detection {
  const fields: Record<string, FieldValue> = {};
  const put = (name: string): void => {
    const value = Object.hasOwn(event.fields, name) ? event.fields[name] : undefined;
    if (value !== undefined && value !== null && value !== '' && !Object.hasOwn(fields, name))
      putField(fields, name, value);
  };
  for (const name of rule.fieldNames) put(name);
  for (const name of CONTEXT_FIELDS) if (Object.keys(fields).length < 8) put(name);
  const { host } = commonFields(event);
  return {
    kind: 'sigma',
    ruleId: rule.rule.id,
    ruleTitle: rule.rule.title,
    level: rule.rule.level,
    tags: rule.rule.tags,
    timestamp: event.timestamp,
    host,
    fields,
    source: event.source,
  };
}
