/**
 * A cached rule set laid out for scans: a small head (the index of every bucket to its rules, the
 * problems compiling found, the correlations, the parsed log-source mapping) and each rule and
 * filter serialized on its own, read by offset. A scan thread reads the head and makes only the
 * rules of the buckets its events meet: deserializing all ≈ 3,750 rules, indexing them and parsing
 * the mapping's YAML cost ≈ 0.4 CPU s in every thread, and most buckets are never met.
 *
 *   writeIndexedRules(file, load, mapping, problems);
 *   const rules = readIndexedRules(file);
 *   const ruleSet = rules?.ruleSet({ prefilterStore });
 */
import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { writeFileWhole } from '../../core/files.js';
import type { Issue } from '../../core/issue.js';
import type { CorrelationRule } from './correlation/types.js';
import type { LogsourceMapping } from './logsource.js';
import type { SigmaFilter, SigmaRule } from './model.js';
import type { RuleLoad } from './parse.js';
import type { PrefilterArena } from './prefilter-arena.js';
import type { PrefilterStore } from './prefilter-store.js';
import { lazyRuleSet, type RuleIndex, type RuleSet } from './ruleset.js';

interface Head {
  readonly format: typeof FORMAT;
  readonly rulesLoaded: number;
  /** The load's own problems, then compileRuleSet's, in that order. */
  readonly problems: Issue[];
  readonly correlations: CorrelationRule[];
  readonly mapping: LogsourceMapping;
  readonly index: RuleIndex;
  /** Per load.rules index: offset and length of the serialized rule after the head (0, 0: not kept). */
  readonly ruleSpans: Float64Array;
  readonly filterSpans: Float64Array;
}

const FORMAT = 'vigil-indexed-rules-1';
/** The head's length, before it. */
const HEAD_LENGTH_BYTES = 4;

export interface IndexedRules {
  readonly rulesLoaded: number;
  readonly problems: readonly Issue[];
  readonly correlations: readonly CorrelationRule[];
  /** A rule set that deserializes and compiles a rule when an event first meets one of its buckets. */
  ruleSet(options?: {
    readonly prefilterArena?: PrefilterArena;
    readonly prefilterStore?: PrefilterStore;
  }): RuleSet;
}

/**
 * Writes the load (rules switched off already left out), its index and the problems compiling it
 * reported; whether it was written (one that cannot be only costs speed).
 */
export function writeIndexedRules(
  file: string,
  load: RuleLoad,
  mapping: LogsourceMapping,
  index: RuleIndex,
  problems: readonly Issue[],
): boolean {
  const kept = new Set(index.loadIndexes);
  const blobs: Buffer[] = [];
  let offset = 0;
  const spans = <T>(items: readonly T[], keep: (i: number) => boolean): Float64Array => {
    const out = new Float64Array(items.length * 2);
    items.forEach((item, i) => {
      if (!keep(i)) return;
      const blob = serialize(item);
      blobs.push(blob);
      out[2 * i] = offset;
      out[2 * i + 1] = blob.length;
      offset += blob.length;
    });
    return out;
  };
  const ruleSpans = spans(load.rules, (i) => kept.has(i));
  const filterSpans = spans(load.filters, () => true);
  const head = serialize({
    format: FORMAT,
    rulesLoaded: index.loadIndexes.length,
    problems: [...problems],
    correlations: load.correlations,
    mapping,
    index,
    ruleSpans,
    filterSpans,
  } satisfies Head);
  const length = Buffer.alloc(HEAD_LENGTH_BYTES);
  length.writeUInt32LE(head.length, 0);
  try {
    writeFileWhole(file, Buffer.concat([length, head, ...blobs]));
    return true;
  } catch {
    return false;
  }
}

/** The file writeIndexedRules wrote; undefined if missing, unreadable or of another format. */
export function readIndexedRules(file: string): IndexedRules | undefined {
  let bytes: Buffer;
  let head: Head;
  try {
    bytes = readFileSync(file);
    const headEnd = HEAD_LENGTH_BYTES + bytes.readUInt32LE(0);
    head = deserialize(bytes.subarray(HEAD_LENGTH_BYTES, headEnd)) as Head;
    if (head.format !== FORMAT) return undefined;
    bytes = bytes.subarray(headEnd);
  } catch {
    return undefined;
  }
  const at = <T>(spans: Float64Array, i: number): T =>
    deserialize(bytes.subarray(spans[2 * i], spans[2 * i]! + spans[2 * i + 1]!)) as T;
  return {
    rulesLoaded: head.rulesLoaded,
    problems: head.problems,
    correlations: head.correlations,
    ruleSet: (options = {}) =>
      lazyRuleSet(
        head.index,
        (i) => at<SigmaRule>(head.ruleSpans, i),
        (i) => at<SigmaFilter>(head.filterSpans, i),
        head.mapping,
        options,
      ),
  };
}
