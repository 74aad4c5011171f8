/** The parsed rule: what a detection says, after modifiers, before compilation. */
import type { Level } from '../../core/detection.js';
import type { Cidr } from './cidr.js';
import type { PatternPart } from './pattern.js';

/** One value test on one field value, after every modifier has been applied. */
export type ValueTest =
  | { readonly kind: 'pattern'; readonly parts: readonly PatternPart[]; readonly cased: boolean }
  | { readonly kind: 'regex'; readonly source: string; readonly flags: string }
  | { readonly kind: 'cidr'; readonly cidr: Cidr; readonly text: string }
  | { readonly kind: 'compare'; readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly value: number }
  | { readonly kind: 'null' }
  | { readonly kind: 'exists'; readonly want: boolean }
  | { readonly kind: 'fieldref'; readonly field: string; readonly cased: boolean }
  | { readonly kind: 'timepart'; readonly part: TimePart; readonly inner: ValueTest }
  | { readonly kind: 'not'; readonly inner: ValueTest }
  | { readonly kind: 'anyOf'; readonly tests: readonly ValueTest[] };

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** `Field|mods: values` — the field (null for keywords), and the tests, OR-ed unless `all`. */
export interface FieldTest {
  readonly field: string | null;
  readonly tests: readonly ValueTest[];
  readonly all: boolean;
  readonly path: string;
}

/** A search identifier's body: a map is AND of field tests, a list of maps OR, keywords a field-less test. */
export type Search =
  | { readonly kind: 'and'; readonly items: readonly FieldTest[] }
  | { readonly kind: 'or'; readonly items: readonly Search[] };

export type Condition =
  | { readonly kind: 'id'; readonly name: string }
  | { readonly kind: 'not'; readonly inner: Condition }
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'of'; readonly quantifier: 'one' | 'all'; readonly names: readonly string[] };

export interface Logsource {
  readonly product?: string;
  readonly category?: string;
  readonly service?: string;
}

export interface SigmaRule {
  readonly id: string;
  readonly name?: string;
  readonly title: string;
  readonly level: Level;
  readonly status?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly logsource: Logsource;
  readonly searches: ReadonlyMap<string, Search>;
  readonly condition: Condition;
  readonly fields?: readonly string[];
  readonly falsepositives?: readonly string[];
  readonly file: string;
  readonly line: number;
  /** The document's own YAML text. */
  readonly yaml: string;
}

/** A meta filter: extra conditions (usually `not …`) that must hold for the named rules to fire. */
export interface SigmaFilter {
  readonly id: string;
  readonly title: string;
  readonly rules: readonly string[];
  readonly logsource: Logsource;
  readonly searches: ReadonlyMap<string, Search>;
  readonly condition: Condition;
  readonly file: string;
  readonly line: number;
}
