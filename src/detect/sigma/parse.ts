/**
 * YAML rule files → rule models. Every document is read; every problem is collected as an Issue with
 * file, line and YAML path; a rule with an error is refused with its reason, the rest still load.
 */
import type { Document, LineCounter } from 'yaml';
import type { Level } from '../../core/detection.js';
import { LEVELS } from '../../core/detection.js';
import type { Issue } from '../../core/issue.js';
import { issue } from '../../core/issue.js';
import { parseCondition } from './condition.js';
import { parseCorrelation } from './correlation/parse.js';
import type { CorrelationRule } from './correlation/types.js';
import { yamlLibrary } from './yaml-library.js';
import type { Condition, FieldTest, Logsource, Search, SigmaFilter, SigmaRule } from './model.js';
import { buildFieldTest } from './modifiers.js';

export interface LoadOptions {
  /** Values for `%placeholder%` in `expand` modifiers. */
  readonly placeholders?: Readonly<Record<string, readonly string[]>>;
  /**
   * A folder for parsed rule sets: a rule set whose files (names, sizes, times) and parser are
   * unchanged is read back from there instead of parsing thousands of YAML files again.
   */
  readonly cacheDir?: string;
}

export interface RuleLoad {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  filters: SigmaFilter[];
  problems: Issue[];
  refused: { file: string; id?: string; reason: string }[];
  /**
   * Which rules' log-source variants fail to compile under the default mapping, worked out once when
   * the rule cache is filled (see ruleset.ts checkCompile); with it a scan compiles lazily.
   */
  compileCheck?: CompileCheck;
}

/** Rule (`file` + newline + `line`) → the variants (by index) that do not compile, with the error. */
export interface CompileCheck {
  readonly failures: ReadonlyMap<string, readonly { readonly variant: number; readonly message: string }[]>;
}

export function emptyLoad(): RuleLoad {
  return { rules: [], correlations: [], filters: [], problems: [], refused: [] };
}

type Json = unknown;
type Path = readonly (string | number)[];

function isMap(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const RULE_KEYS_NOT_SEARCHES = new Set(['condition', 'timeframe']);

class DocumentReader {
  readonly problems: Issue[] = [];
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  lineOf(path: Path): number | undefined {
    const node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0] ?? (this.doc.contents as { range?: [number] } | null)?.range?.[0];
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  problem(code: string, message: string, path: Path, severity: Issue['severity'] = 'error'): void {
    const line = this.lineOf(path);
    this.problems.push(
      issue(
        code,
        message,
        { file: this.file, ...(line !== undefined ? { line } : {}), path: path.join('.') || '(document)' },
        severity,
      ),
    );
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

function parseSearch(
  reader: DocumentReader,
  body: Json,
  path: Path,
  options: LoadOptions,
): Search | undefined {
  if (isMap(body)) {
    const items: FieldTest[] = [];
    for (const [key, raw] of Object.entries(body)) {
      const test = buildFieldTest({
        key,
        raw,
        path: [...path, key].join('.'),
        placeholders: options.placeholders,
      });
      if ('code' in test) reader.problem(test.code, test.message, [...path, key]);
      else items.push(test);
    }
    if (items.length === 0 && Object.keys(body).length === 0) {
      reader.problem('sigma.search.empty', 'empty search', path);
    }
    return { kind: 'and', items };
  }
  if (Array.isArray(body)) {
    if (body.length === 0) {
      reader.problem('sigma.search.empty', 'empty search list', path);
      return undefined;
    }
    if (body.every((b) => !isMap(b) && !Array.isArray(b))) {
      const test = buildFieldTest({ key: '', raw: body, path: path.join('.'), keyword: true });
      if ('code' in test) {
        reader.problem(test.code, test.message, path);
        return undefined;
      }
      return { kind: 'and', items: [test] };
    }
    const alternatives: Search[] = [];
    body.forEach((item, i) => {
      const s = parseSearch(reader, item, [...path, i], options);
      if (s) alternatives.push(s);
    });
    return { kind: 'or', items: alternatives };
  }
  if (typeof body === 'string' || typeof body === 'number') {
    const test = buildFieldTest({ key: '', raw: body, path: path.join('.'), keyword: true });
    if ('code' in test) {
      reader.problem(test.code, test.message, path);
      return undefined;
    }
    return { kind: 'and', items: [test] };
  }
  reader.problem('sigma.search.type', 'a search must be a map, a list or a keyword', path);
  return undefined;
}

function parseDetection(
  reader: DocumentReader,
  detection: Json,
  path: Path,
  options: LoadOptions,
): { searches: Map<string, Search>; condition: Condition } | undefined {
  if (!isMap(detection)) {
    reader.problem('sigma.detection.missing', 'no detection section', path);
    return undefined;
  }
  const searches = new Map<string, Search>();
  for (const [name, body] of Object.entries(detection)) {
    if (RULE_KEYS_NOT_SEARCHES.has(name)) continue;
    const search = parseSearch(reader, body, [...path, name], options);
    if (search) searches.set(name, search);
  }
  if ('timeframe' in detection) {
    reader.problem(
      'sigma.timeframe',
      'timeframe without a correlation rule is ignored',
      [...path, 'timeframe'],
      'warning',
    );
  }
  const conditionRaw = detection.condition;
  const conditions = Array.isArray(conditionRaw) ? conditionRaw : [conditionRaw];
  if (conditionRaw === undefined || conditions.some((c) => typeof c !== 'string')) {
    reader.problem('sigma.condition.missing', 'condition must be a string (or a list of strings)', [
      ...path,
      'condition',
    ]);
    return undefined;
  }
  const parsed: Condition[] = [];
  for (const text of conditions as string[]) {
    const c = parseCondition(text, [...searches.keys()]);
    if ('code' in c) {
      reader.problem(c.code, c.message, [...path, 'condition']);
      return undefined;
    }
    parsed.push(c);
  }
  return { searches, condition: parsed.length === 1 ? parsed[0]! : { kind: 'or', items: parsed } };
}

function parseLogsource(reader: DocumentReader, raw: Json): Logsource {
  if (!isMap(raw)) {
    reader.problem('sigma.logsource.missing', 'no logsource', ['logsource']);
    return {};
  }
  const text = (k: string): string | undefined =>
    typeof raw[k] === 'string' ? raw[k].toLowerCase() : undefined;
  const product = text('product');
  const category = text('category');
  const service = text('service');
  return {
    ...(product !== undefined ? { product } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(service !== undefined ? { service } : {}),
  };
}

function stringList(value: Json): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function parseLevel(reader: DocumentReader, raw: Json): Level {
  if (raw === undefined) return 'medium';
  const level = typeof raw === 'string' ? (raw.toLowerCase() as Level) : undefined;
  if (level && LEVELS.includes(level)) return level;
  reader.problem(
    'sigma.level.invalid',
    `level "${String(raw)}" is not one of ${LEVELS.join(', ')}`,
    ['level'],
    'warning',
  );
  return 'medium';
}

/** Parses every document of one rule file's text. */
export function parseRules(text: string, file: string, options: LoadOptions = {}): RuleLoad {
  const load = emptyLoad();
  const { LineCounter, parseAllDocuments } = yamlLibrary();
  const lines = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
  } catch (error) {
    load.problems.push(issue('sigma.yaml.invalid', (error as Error).message, { file }));
    load.refused.push({ file, reason: 'invalid YAML' });
    return load;
  }
  if (!Array.isArray(docs)) docs = [docs];
  for (const doc of docs) {
    const reader = new DocumentReader(file, doc, lines);
    const docLine = reader.lineOf([]) ?? 1;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line;
        load.problems.push(
          issue('sigma.yaml.invalid', e.message.split('\n')[0] ?? e.message, {
            file,
            ...(line ? { line } : {}),
          }),
        );
      }
      load.refused.push({ file, reason: 'invalid YAML' });
      continue;
    }
    const value: Json = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (!isMap(value)) {
      reader.problem('sigma.document.type', 'a rule document must be a map', []);
      load.problems.push(...reader.problems);
      load.refused.push({ file, reason: 'not a map' });
      continue;
    }
    const id = typeof value.id === 'string' ? value.id : undefined;
    if ('correlation' in value) {
      const result = parseCorrelation(value, { file, line: docLine });
      if (Array.isArray(result)) {
        load.problems.push(...result);
        load.refused.push({
          file,
          ...(id ? { id } : {}),
          reason: result[0]?.message ?? 'invalid correlation',
        });
      } else load.correlations.push(result);
      continue;
    }
    const title = typeof value.title === 'string' ? value.title : undefined;
    if (!title) reader.problem('sigma.title.missing', 'no title', ['title']);
    if (!id) reader.problem('sigma.id.missing', 'no id', ['id'], 'warning');
    const logsource = parseLogsource(reader, value.logsource);
    const isFilter = 'filter' in value;
    const section = isFilter ? value.filter : value.detection;
    const detection = parseDetection(reader, section, [isFilter ? 'filter' : 'detection'], options);
    const range = (doc.contents as { range?: [number, number, number] } | null)?.range;
    const yamlText = range ? text.slice(range[0], range[2]) : '';
    if (reader.hasErrors || !detection || !title) {
      load.problems.push(...reader.problems);
      const first = reader.problems.find((p) => p.severity === 'error');
      load.refused.push({
        file,
        ...(id ? { id } : {}),
        reason: first ? `${first.code}: ${first.message}` : 'invalid rule',
      });
      continue;
    }
    load.problems.push(...reader.problems);
    if (isFilter) {
      const rules = isMap(value.filter) ? stringList(value.filter.rules) : undefined;
      load.filters.push({
        id: id ?? `${file}#${docLine}`,
        title,
        rules: rules ?? [],
        logsource,
        searches: detection.searches,
        condition: detection.condition,
        file,
        line: docLine,
      });
      continue;
    }
    const tags = stringList(value.tags) ?? [];
    const fields = stringList(value.fields);
    const falsepositives = stringList(value.falsepositives);
    load.rules.push({
      id: id ?? `${file}#${docLine}`,
      ...(typeof value.name === 'string' ? { name: value.name } : {}),
      title,
      level: parseLevel(reader, value.level),
      ...(typeof value.status === 'string' ? { status: value.status } : {}),
      ...(typeof value.description === 'string' ? { description: value.description } : {}),
      tags,
      logsource,
      searches: detection.searches,
      condition: detection.condition,
      ...(fields ? { fields } : {}),
      ...(falsepositives ? { falsepositives } : {}),
      file,
      line: docLine,
      yaml: yamlText,
    });
  }
  return load;
}

export function mergeLoads(into: RuleLoad, from: RuleLoad): void {
  into.rules.push(...from.rules);
  into.correlations.push(...from.correlations);
  into.filters.push(...from.filters);
  into.problems.push(...from.problems);
  into.refused.push(...from.refused);
}
