/**
 * The Sigma engine: load rule files (every problem collected), compile them once into an indexed
 * RuleSet, match events, and describe a match as a Detection.
 *
 *   const load = await loadRules(['rules/windows']);
 *   const { ruleSet } = compileRuleSet(load, loadDefaultMapping());
 *   for (const rule of ruleSet.match(event)) detections.push(detectionFor(rule, event));
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { commonFields } from '../../core/accessors.js';
import type { Detection } from '../../core/detection.js';
import type { Event, FieldValue } from '../../core/event.js';
import { putField } from '../../core/fields.js';
import { issue } from '../../core/issue.js';
import { emptyLoad, mergeLoads, parseRules, type LoadOptions, type RuleLoad } from './parse.js';
import type { CompiledRule } from './ruleset.js';

export type { CorrelationRule } from './correlation/types.js';
export type { LoadOptions, RuleLoad } from './parse.js';
export { parseRules } from './parse.js';
export type { SigmaFilter, SigmaRule, Logsource } from './model.js';
export { compileRuleSet, RuleSet, type CompiledRule } from './ruleset.js';
export { loadDefaultMapping, type LogsourceMapping } from './logsource.js';
export { createPrefilterArena, PrefilterArena } from './prefilter-arena.js';
export { referenceMatch } from './reference.js';

/** Rule files and folders (recursive; .yml and .yaml), loaded in one pass with every problem kept. */
export async function loadRules(paths: readonly string[], options: LoadOptions = {}): Promise<RuleLoad> {
  const load = emptyLoad();
  const files: string[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      load.problems.push(issue('sigma.path.unreadable', (error as Error).message, { file: path }));
      return;
    }
    if (info.isDirectory()) {
      if (depth > 32) return;
      for (const name of (await readdir(path)).sort()) await visit(join(path, name), depth + 1);
    } else if (/\.ya?ml$/i.test(path)) files.push(path);
  };
  for (const p of paths) await visit(p, 0);
  const cache = options.cacheDir ? await cachePath(options.cacheDir, files, options) : undefined;
  if (cache) {
    const cached = await readCache(cache);
    if (cached) {
      // Problems with the paths themselves are this call's, not the cache's.
      cached.problems.unshift(...load.problems);
      return cached;
    }
  }
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
  if (cache)
    await writeCache(cache, {
      ...load,
      problems: load.problems.filter((p) => p.code !== 'sigma.path.unreadable'),
    });
  return load;
}

/** This engine's own code files: part of the cache key, so a changed Vigil never reads an older parse. */
async function engineFiles(): Promise<string[]> {
  const here = dirname(new URL(import.meta.url).pathname);
  const out: string[] = [];
  for (const dir of [here, join(here, 'correlation')]) {
    for (const name of (await readdir(dir)).sort()) if (/\.(js|ts)$/.test(name)) out.push(join(dir, name));
  }
  return out;
}

async function cachePath(
  dir: string,
  files: readonly string[],
  options: LoadOptions,
): Promise<string | undefined> {
  const hash = createHash('sha256').update(JSON.stringify(options.placeholders ?? {}));
  try {
    for (const f of [...(await engineFiles()), ...files]) {
      const info = await stat(f);
      hash.update(`${f}\0${info.size}\0${info.mtimeMs}\n`);
    }
  } catch {
    return undefined;
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

async function writeCache(path: string, load: RuleLoad): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    // Written whole under another name, then renamed: a reader never sees half a cache.
    const partial = `${path}.${process.pid}.tmp`;
    await writeFile(partial, serialize(load));
    await rename(partial, path);
  } catch {
    // A cache that cannot be written only costs speed.
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
