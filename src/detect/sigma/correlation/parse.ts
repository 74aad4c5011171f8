/** Parses one Sigma correlation document, collecting every problem with its YAML path. */
import type { Level } from '../../../core/detection.js';
import { LEVELS } from '../../../core/detection.js';
import type { Issue } from '../../../core/issue.js';
import { issue } from '../../../core/issue.js';
import type { CompareOp, CorrelationCondition, CorrelationRule, CorrelationType } from './types.js';

export interface DocumentLocation {
  readonly file: string;
  readonly line?: number;
}

const TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];
const OPS: readonly CompareOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000,
  y: 31_536_000_000,
};

/** `30s`, `5m`, `1h`, `2d`, `1w`, `1M`, `1y` → milliseconds. */
export function parseTimespan(text: unknown): number | undefined {
  const m = typeof text === 'string' ? /^(\d+)([smhdwMy])$/.exec(text.trim()) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parsed correlation rule, or every problem found in the document. */
export function parseCorrelation(
  document: Readonly<Record<string, unknown>>,
  where: DocumentLocation,
): CorrelationRule | Issue[] {
  const problems: Issue[] = [];
  const at = (path: string, code: string, message: string): void => {
    problems.push(issue(code, message, { ...where, path }));
  };
  const c = document.correlation;
  if (!isMap(c))
    return [
      issue('sigma.correlation.missing', 'correlation must be a map', { ...where, path: 'correlation' }),
    ];
  const title = typeof document.title === 'string' ? document.title : undefined;
  if (!title) at('title', 'sigma.title.missing', 'no title');
  const type = c.type as CorrelationType;
  if (!TYPES.includes(type))
    at('correlation.type', 'sigma.correlation.type', `type must be one of ${TYPES.join(', ')}`);
  const rules = Array.isArray(c.rules)
    ? c.rules.filter((r): r is string => typeof r === 'string')
    : typeof c.rules === 'string'
      ? [c.rules]
      : [];
  if (rules.length === 0)
    at('correlation.rules', 'sigma.correlation.rules', 'rules must name at least one rule');
  const groupByRaw = c['group-by'];
  const groupBy = Array.isArray(groupByRaw)
    ? groupByRaw.map(String)
    : typeof groupByRaw === 'string'
      ? [groupByRaw]
      : [];
  const timespanMs = parseTimespan(c.timespan ?? c.timeframe);
  if (timespanMs === undefined)
    at('correlation.timespan', 'sigma.correlation.timespan', 'timespan must look like 30s, 5m, 1h or 2d');

  let condition: CorrelationCondition | undefined;
  if (isMap(c.condition)) {
    // One criterion, or several joined by AND (a range: `gt: 100` and `lte: 200`).
    const criteria = Object.entries(c.condition)
      .filter(([k]) => OPS.includes(k as CompareOp))
      .map(([op, value]) => ({ op: op as CompareOp, value: Number(value) }));
    if (criteria.length === 0)
      at(
        'correlation.condition',
        'sigma.correlation.condition',
        'condition needs one of gt, gte, lt, lte, eq, neq (several for a range)',
      );
    const [first = { op: 'gte', value: 1 }, ...rest] = criteria;
    const field = typeof c.condition.field === 'string' ? c.condition.field : undefined;
    const percentileRaw = c.condition.percentile ?? c.percentile;
    const percentile = percentileRaw === undefined ? undefined : Number(percentileRaw);
    if (criteria.some((k) => !Number.isFinite(k.value)))
      at('correlation.condition', 'sigma.correlation.condition', 'the condition value must be a number');
    condition = {
      op: first.op,
      value: first.value,
      ...(rest.length > 0 ? { and: rest } : {}),
      ...(field ? { field } : {}),
      ...(percentile !== undefined ? { percentile } : {}),
    };
    if (typeof type === 'string' && type.startsWith('value_') && !field) {
      at('correlation.condition.field', 'sigma.correlation.field', `${type} needs condition.field`);
    }
  } else if (type !== 'temporal' && type !== 'temporal_ordered') {
    at('correlation.condition', 'sigma.correlation.condition', `${type} needs a condition`);
  }

  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined) {
    if (!isMap(c.aliases)) at('correlation.aliases', 'sigma.correlation.aliases', 'aliases must be a map');
    else {
      for (const [alias, perRule] of Object.entries(c.aliases)) {
        if (!isMap(perRule)) {
          at(
            `correlation.aliases.${alias}`,
            'sigma.correlation.aliases',
            'an alias maps rule names to field names',
          );
          continue;
        }
        aliases[alias] = Object.fromEntries(Object.entries(perRule).map(([r, f]) => [r, String(f)]));
      }
    }
  }
  const levelRaw = typeof document.level === 'string' ? (document.level.toLowerCase() as Level) : 'medium';
  const level = LEVELS.includes(levelRaw) ? levelRaw : 'medium';
  if (problems.length > 0 || !title || timespanMs === undefined) return problems;
  const id = typeof document.id === 'string' ? document.id : `${where.file}#${where.line ?? 1}`;
  return {
    id,
    name: typeof document.name === 'string' ? document.name : undefined,
    title,
    level,
    tags: Array.isArray(document.tags) ? document.tags.filter((t): t is string => typeof t === 'string') : [],
    type,
    rules,
    groupBy,
    timespanMs,
    generate: c.generate === true || document.generate === true,
    condition,
    aliases,
    file: where.file,
    line: where.line ?? 1,
    document,
  };
}
