/**
 * Aho-Corasick over lower-cased literals, scanned over raw values with ASCII case folding. Literals
 * are collected, then built on the first scan straight into flat typed arrays (sorted, so the trie
 * comes out in depth-first order with no per-state objects: a bucket's automata hold hundreds of
 * thousands of states and are built in every worker). States are renumbered so the scan loop
 * tests properties by comparing the state number, without a memory read:
 *   [0, dense)            states with a full 128-entry ASCII row (the root and those with several
 *                         children), fail links already followed and upper case folded in, so the
 *                         common step is one array read;
 *   [outFrom, outTo)      states where some literal ends (dense ones first, then sparse ones);
 *   the rest              sparse states (at most two children), whose edges sit in their record.
 *
 * Example: add('mimikatz', 0); scan('Invoke-MIMIKATZ', found) → found holds 0.
 */

/** Children from which a state gets a dense row: rows cost 512 bytes, edge lists a short search. */
const DENSE_CHILDREN = 3;
/**
 * Up to this many literals, scan() first asks a case-insensitive alternation of them (plus "any
 * non-ASCII character") whether the text could hold one: V8 runs it as native code, about three
 * times faster than the loop below, and most values hold none. An alternation of plain, escaped
 * strings cannot backtrack beyond trying each of them at each position.
 */
const PRECHECK_LITERALS = 64;
/**
 * Up to this many literals, scan() first looks for one chosen run of three adjacent characters per
 * literal (its rarest-looking; two when some literal is shorter), ASCII case folded, in a hashed
 * bit table: a loop of two table reads per character, with no call into the regex engine (whose
 * fixed cost per call dominates on the short values of an event). A value holding none of the runs,
 * and no non-ASCII character, holds none of the literals.
 */
const GRAM_LITERALS = 512;
const GRAM_BITS = 16;
const GRAM_MASK = (1 << GRAM_BITS) - 1;
const gramHash = (a: number, b: number, c: number): number => ((a << 10) ^ (b << 5) ^ c) & GRAM_MASK;
/** ASCII code → its lower case. */
const FOLD = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/** A crude rarity of a character in log values: common letters and path punctuation are cheap. */
function rarity(c: number): number {
  if (c >= 97 && c <= 122) return 'etaoinsrlcdhmup'.includes(String.fromCharCode(c)) ? 1 : 3;
  if (c >= 48 && c <= 57) return 1;
  if (c === 32 || c === 92 || c === 46 || c === 45 || c === 95) return 1;
  if (c === 58 || c === 47 || c === 44) return 2;
  return 4;
}

/**
 * Up to this many literals, scan() first asks a case-insensitive alternation of a few short runs
 * ("cover") such that every literal holds one: `::`, `kiwi`, `mimi` for Mimikatz's twenty. V8 runs it
 * as native code, ≈ 2.5 times faster than the gram loop on an event's values (≈ 75–90 against
 * ≈ 190–220 ns per value of 41 characters), which is where keyword literals spend their time: every
 * string value of every event is scanned for them. Beyond COVER_RUNS runs the alternation is slower.
 */
const COVER_LITERALS = 64;
const COVER_RUNS = 8;
/**
 * Non-ASCII characters whose lower case holds ASCII (`İ` → `i̇`, the Kelvin sign → `k`): the only
 * way a text the cover's ASCII-only case folding misses can hold a literal after lower-casing.
 */
const LOWERS_TO_ASCII = '\\u0130|\\u212a';
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Runs of two to four ASCII characters (or a shorter literal whole), one of which every literal
 * holds, picked greedily by how many literals they cover and how rare they look; undefined when
 * some literal has no ASCII run or more than COVER_RUNS are needed.
 */
export function coverOf(literals: readonly string[]): string[] | undefined {
  const candidates = new Map<string, Set<number>>();
  literals.forEach((literal, index) => {
    let added = false;
    const shortest = Math.min(2, literal.length);
    for (let length = shortest; length <= 4; length++)
      for (let i = 0; i + length <= literal.length; i++) {
        const run = literal.slice(i, i + length);
        if (/[^\x00-\x7f]/.test(run)) continue;
        let owners = candidates.get(run);
        if (!owners) candidates.set(run, (owners = new Set<number>()));
        owners.add(index);
        added = true;
      }
    if (!added) candidates.set('', new Set()); // marks a literal with no ASCII run
  });
  if (candidates.has('')) return undefined;
  // A run across a word's edge (`s.wi`, `b://`) is rarer than one inside a word (`serv`).
  const score = (run: string): number => {
    let sum = /[a-z]/.test(run) && /[^a-z]/.test(run) ? 2 : 0;
    for (let i = 0; i < run.length; i++) sum += rarity(run.charCodeAt(i));
    return sum;
  };
  const uncovered = new Set(literals.keys());
  const cover: string[] = [];
  while (uncovered.size > 0) {
    if (cover.length === COVER_RUNS) return undefined;
    let best = '';
    let bestCount = 0;
    let bestScore = -1;
    for (const [run, owners] of candidates) {
      let count = 0;
      for (const o of owners) if (uncovered.has(o)) count++;
      if (count === 0) continue;
      // A run must look rare enough to be worth its place (`::`, `kiwi`), unless nothing else covers.
      const runScore = score(run);
      // Then the longer: `mimi` over `sys`, which every System32 path holds.
      const eligible = runScore >= 4 && (run.length >= 3 || !/[a-z]/.test(run));
      const worth = (eligible ? count * 1000 : count) * 8 + run.length;
      if (worth > bestCount || (worth === bestCount && runScore > bestScore)) {
        best = run;
        bestCount = worth;
        bestScore = runScore;
      }
    }
    cover.push(best);
    for (const o of candidates.get(best)!) uncovered.delete(o);
  }
  return cover;
}

/**
 * Entries per state record: fail, two (char, target) edges, first output (low, high 16 bits),
 * output count. A power of two; in 16-bit entries four records fit a cache line.
 */
const NODE = 8;
/**
 * The char of an unused edge slot. Its target is the state's real transition on U+FFFF (worked
 * out at build), so a text holding that character still steps exactly, with no -1 to test for.
 */
const NO_CHAR = 0xffff;
/**
 * State numbers and record entries are 16-bit when they fit (every automaton of the SigmaHQ rule
 * set; CommandLine's has 62,611 states): rows and records then take half the memory — in each
 * worker's cache, the shared arena and the prefilter store — with the same scan loop.
 */
type Cells = Int32Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike>;

/**
 * A frozen automaton as plain numbers, strings and typed arrays: what another worker needs to scan
 * with it without building it (prefilter-arena.ts carries it across threads).
 */
export interface AutomatonState {
  readonly dense: number;
  readonly outFrom: number;
  readonly outTo: number;
  readonly literals: number;
  readonly gramLength: number;
  /** The precheck alternation's source, '' for none. */
  readonly precheck: string;
  readonly rows: Cells;
  readonly nodes: Cells;
  readonly denseEdgeStart: Int32Array<ArrayBufferLike>;
  readonly denseEdges: Int32Array<ArrayBufferLike>;
  readonly outIds: Int32Array<ArrayBufferLike>;
  /** Empty: no gram table. */
  readonly grams: Uint8Array<ArrayBufferLike>;
}

export class LiteralAutomaton {
  /** Build-time literals (ASCII folded) and their ids; dropped once frozen. */
  #pending: { text: string; id: number }[] | undefined = [];
  #dense = 0;
  #outFrom = 0;
  #outTo = 0;
  #rows: Cells = new Uint16Array(0);
  /** NODE entries per state: fail, char, target, char, target, first output (low, high), output count. */
  #nodes: Cells = new Uint16Array(0);
  #denseEdgeStart: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** (char, target) pairs of dense states. */
  #denseEdges: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #outIds: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #literals = 0;
  #texts: string[] = [];
  #precheck: RegExp | undefined;
  /** Hashed folded runs of three characters (or two: #gramLength) some literal holds; see GRAM_LITERALS. */
  #grams: Uint8Array<ArrayBufferLike> | undefined;
  #gramLength = 3;
  /** Whether a cover alternation may replace the gram table (see COVER_LITERALS). */
  readonly #useCover: boolean;

  /**
   * `cover`: for keyword literals, which meet every string value of an event; a field's values
   * (paths under `c:\windows\`) hold the runs a cover picks far too often for it to pay.
   */
  constructor(options: { readonly cover?: boolean } = {}) {
    this.#useCover = options.cover ?? false;
  }

  /** Adds a non-empty literal (lower-cased; ASCII is folded here too) under an id; ids may repeat. */
  add(literal: string, id: number): void {
    const pending = this.#pending;
    if (pending === undefined) throw new Error('LiteralAutomaton: add after the first scan');
    if (literal === '') throw new Error('LiteralAutomaton: an empty literal occurs everywhere');
    const text = literal.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    pending.push({ text, id });
    this.#literals++;
    if (this.#texts.length <= GRAM_LITERALS) this.#texts.push(text);
  }

  /** The table of every literal's chosen run of `length` ASCII characters, or undefined if one has none. */
  #gramTable(length: 2 | 3): Uint8Array | undefined {
    if (this.#literals > GRAM_LITERALS || this.#texts.length !== this.#literals) return undefined;
    const table = new Uint8Array(GRAM_MASK + 1);
    for (const literal of this.#texts) {
      let best = -1;
      let bestScore = -1;
      for (let i = 0; i + length <= literal.length; i++) {
        let score = 0;
        for (let k = i; k < i + length; k++) {
          const c = literal.charCodeAt(k);
          score = c >= 128 || score < 0 ? -1 : score + rarity(c);
        }
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      if (best < 0) return undefined;
      const code = (k: number): number => FOLD[literal.charCodeAt(best + k)]!;
      table[length === 3 ? gramHash(code(0), code(1), code(2)) : gramHash(0, code(0), code(1))] = 1;
    }
    return table;
  }

  /** Whether the text may hold a literal: some chosen run occurs, or a non-ASCII character does. */
  #mayHold(text: string, table: Uint8Array<ArrayBufferLike>): boolean {
    const n = text.length;
    let a = 0;
    let b = 0;
    if (this.#gramLength === 2) {
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 128) return true;
        const f = FOLD[c]!;
        if (i >= 1 && table[gramHash(0, b, f)] !== 0) return true;
        b = f;
      }
      return false;
    }
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) return true;
      const f = FOLD[c]!;
      if (i >= 2 && table[gramHash(a, b, f)] !== 0) return true;
      a = b;
      b = f;
    }
    return false;
  }

  get size(): number {
    return this.#literals;
  }

  /** The frozen automaton (built now if it is not yet). */
  state(): AutomatonState {
    this.#freezeNow();
    return {
      dense: this.#dense,
      outFrom: this.#outFrom,
      outTo: this.#outTo,
      literals: this.#literals,
      gramLength: this.#gramLength,
      precheck: this.#precheck?.source ?? '',
      rows: this.#rows,
      nodes: this.#nodes,
      denseEdgeStart: this.#denseEdgeStart,
      denseEdges: this.#denseEdges,
      outIds: this.#outIds,
      grams: this.#grams ?? new Uint8Array(0),
    };
  }

  /** An automaton another one froze; its arrays are used as they are (shared, never written). */
  static fromState(state: AutomatonState): LiteralAutomaton {
    const automaton = new LiteralAutomaton();
    automaton.#pending = undefined;
    automaton.#texts = [];
    automaton.#dense = state.dense;
    automaton.#outFrom = state.outFrom;
    automaton.#outTo = state.outTo;
    automaton.#literals = state.literals;
    automaton.#gramLength = state.gramLength;
    automaton.#precheck = state.precheck === '' ? undefined : new RegExp(state.precheck, 'i');
    automaton.#rows = state.rows;
    automaton.#nodes = state.nodes;
    automaton.#denseEdgeStart = state.denseEdgeStart;
    automaton.#denseEdges = state.denseEdges;
    automaton.#outIds = state.outIds;
    automaton.#grams = state.grams.length === 0 ? undefined : state.grams;
    return automaton;
  }

  #freeze(pending: readonly { text: string; id: number }[]): void {
    const cover =
      this.#useCover && this.#literals <= COVER_LITERALS && this.#texts.length === this.#literals
        ? coverOf(this.#texts)
        : undefined;
    if (cover !== undefined) {
      // `i` without `u` folds ASCII only, like the scan.
      this.#precheck = new RegExp(`${cover.map(escapeRegex).join('|')}|${LOWERS_TO_ASCII}`, 'i');
    } else {
      this.#grams = this.#gramTable(3);
      if (this.#grams === undefined) {
        this.#grams = this.#gramTable(2);
        this.#gramLength = 2;
      }
    }
    if (cover === undefined && this.#grams === undefined && this.#texts.length <= PRECHECK_LITERALS) {
      // `i` without `u` folds ASCII only, like the scan; non-ASCII text always goes to the scan.
      const escaped = this.#texts.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
      this.#precheck = new RegExp(`${escaped.join('|')}|[^\\x00-\\x7f]`, 'i');
    }
    this.#texts = [];

    // The trie, from the literals in code-unit order: each literal shares the path of its longest
    // common prefix with the one before it, so states are numbered in depth-first preorder and each
    // state's children are consecutive siblings in character order.
    const sorted = pending
      .map((_, i) => i)
      .sort((x, y) => {
        const a = pending[x]!.text;
        const b = pending[y]!.text;
        return a < b ? -1 : a > b ? 1 : 0;
      });
    let capacity = 1;
    for (const p of pending) capacity += p.text.length;
    const char = new Int32Array(capacity);
    const firstChild = new Int32Array(capacity).fill(-1);
    const nextSibling = new Int32Array(capacity).fill(-1);
    const childCount = new Int32Array(capacity);
    const ownHead = new Int32Array(capacity).fill(-1); // literal index chain of ids ending here
    const ownNext = new Int32Array(pending.length).fill(-1);
    const lastChild = new Int32Array(capacity).fill(-1);
    let n = 1;
    const path = new Int32Array(capacity); // path[d]: the state at depth d of the previous literal
    let previous = '';
    for (const index of sorted) {
      const text = pending[index]!.text;
      let common = 0;
      const limit = Math.min(text.length, previous.length);
      while (common < limit && text.charCodeAt(common) === previous.charCodeAt(common)) common++;
      let state = path[common]!;
      for (let d = common; d < text.length; d++) {
        const to = n++;
        char[to] = text.charCodeAt(d);
        if (lastChild[state] === -1) firstChild[state] = to;
        else nextSibling[lastChild[state]!] = to;
        lastChild[state] = to;
        childCount[state]!++;
        state = to;
        path[d + 1] = to;
      }
      ownNext[index] = ownHead[state]!;
      ownHead[state] = index;
      previous = text;
    }
    const child = (s: number, c: number): number => {
      for (let k = firstChild[s]!; k !== -1; k = nextSibling[k]!) if (char[k] === c) return k;
      return -1;
    };
    const rootRow = new Int32Array(128).fill(0);
    for (let k = firstChild[0]!; k !== -1; k = nextSibling[k]!) if (char[k]! < 128) rootRow[char[k]!] = k;
    const rootChild = (c: number): number => (c < 128 ? rootRow[c]! || -1 : child(0, c));

    // Fail links and output counts (own + inherited along the fail link), breadth first.
    const fail = new Int32Array(n);
    const outCount = new Int32Array(n);
    const order = new Int32Array(n);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const s = order[head]!;
      for (let k = firstChild[s]!; k !== -1; k = nextSibling[k]!) {
        order[tail++] = k;
        const c = char[k]!;
        let f = 0;
        if (s !== 0) {
          let g = fail[s]!;
          for (;;) {
            const t = g === 0 ? rootChild(c) : child(g, c);
            if (t !== -1) {
              f = t;
              break;
            }
            if (g === 0) break;
            g = fail[g]!;
          }
        }
        fail[k] = f;
        let own = 0;
        for (let o = ownHead[k]!; o !== -1; o = ownNext[o]!) own++;
        outCount[k] = own + outCount[f]!;
      }
    }

    // Renumber: dense without output (the root first), dense with, sparse with, sparse without;
    // within a group in depth-first order (the trie's own order).
    const isDense = (s: number): boolean => s === 0 || childCount[s]! >= DENSE_CHILDREN;
    const groupOf = (s: number): number =>
      isDense(s) ? (outCount[s]! > 0 ? 1 : 0) : outCount[s]! > 0 ? 2 : 3;
    const groupSize = [0, 0, 0, 0];
    for (let s = 0; s < n; s++) groupSize[groupOf(s)]!++;
    const groupStart = [0, groupSize[0]!, groupSize[0]! + groupSize[1]!, 0];
    groupStart[3] = groupStart[2]! + groupSize[2]!;
    const newId = new Int32Array(n);
    const numbered = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const i = groupStart[groupOf(s)]!++;
      newId[s] = i;
      numbered[i] = s;
    }
    const dense = groupSize[0]! + groupSize[1]!;
    this.#dense = dense;
    this.#outFrom = groupSize[0]!;
    this.#outTo = dense + groupSize[2]!;

    // One record per state: fail, up to two (char, target) edges, output range; dense states keep
    // all their edges in a list instead, read only for non-ASCII characters.
    let mostOut = 0;
    for (let s = 0; s < n; s++) mostOut = Math.max(mostOut, outCount[s]!);
    const narrow = n <= NO_CHAR && mostOut <= 0xffff;
    const nodes: Cells = narrow ? new Uint16Array(n * NODE) : new Int32Array(n * NODE);
    // The transition on U+FFFF from each state, for unused edge slots (see NO_CHAR); in the old
    // numbering, filled breadth first so a fail target's is known before it is read.
    const onNoChar = new Int32Array(n);
    onNoChar[0] = Math.max(0, rootChild(NO_CHAR));
    for (let head = 1; head < n; head++) {
      const s = order[head]!;
      const to = child(s, NO_CHAR);
      onNoChar[s] = to !== -1 ? to : onNoChar[fail[s]!]!;
    }
    const denseEdgeStart = new Int32Array(dense + 1);
    let denseEdgeCount = 0;
    for (let i = 0; i < dense; i++) denseEdgeCount += childCount[numbered[i]!]!;
    const denseEdges = new Int32Array(denseEdgeCount * 2);
    let totalOut = 0;
    for (let s = 0; s < n; s++) totalOut += outCount[s]!;
    const outIds = new Int32Array(totalOut);
    let e = 0;
    let o = 0;
    for (let i = 0; i < n; i++) {
      const s = numbered[i]!;
      const b = i * NODE;
      nodes[b] = newId[fail[s]!]!;
      if (i < dense) {
        denseEdgeStart[i] = e;
        for (let k = firstChild[s]!; k !== -1; k = nextSibling[k]!) {
          denseEdges[2 * e] = char[k]!;
          denseEdges[2 * e + 1] = newId[k]!;
          e++;
        }
      } else {
        let slot = 0;
        for (let k = firstChild[s]!; k !== -1; k = nextSibling[k]!, slot++) {
          nodes[b + 1 + 2 * slot] = char[k]!;
          nodes[b + 2 + 2 * slot] = newId[k]!;
        }
        for (; slot < 2; slot++) {
          nodes[b + 1 + 2 * slot] = NO_CHAR;
          nodes[b + 2 + 2 * slot] = newId[onNoChar[s]!]!;
        }
      }
      const first = o;
      for (let t = s; t !== 0; t = fail[t]!)
        for (let l = ownHead[t]!; l !== -1; l = ownNext[l]!) outIds[o++] = pending[l]!.id;
      nodes[b + 5] = first & 0xffff;
      nodes[b + 6] = first >>> 16;
      nodes[b + 7] = o - first;
    }
    denseEdgeStart[dense] = e;
    // Rows in breadth-first order, so a fail target (shallower) is filled before it is read.
    const rows: Cells = narrow ? new Uint16Array(dense * 128) : new Int32Array(dense * 128);
    const step = (s: number, c: number): number => {
      for (;;) {
        if (isDense(s)) return rows[newId[s]! * 128 + c]!;
        const to = child(s, c);
        if (to !== -1) return newId[to]!;
        s = fail[s]!;
      }
    };
    for (let head = 0; head < n; head++) {
      const s = order[head]!;
      if (!isDense(s)) continue;
      const row = newId[s]! * 128;
      if (s === 0) {
        for (let c = 0; c < 128; c++) rows[row + c] = newId[rootRow[c]!]!;
      } else {
        for (let c = 0; c < 128; c++) rows[row + c] = step(fail[s]!, c);
        for (let k = firstChild[s]!; k !== -1; k = nextSibling[k]!)
          if (char[k]! < 128) rows[row + char[k]!] = newId[k]!;
      }
      // Upper-case ASCII reads as its lower case, so the scan need not fold before a dense step.
      for (let c = 65; c <= 90; c++) rows[row + c] = rows[row + c + 32]!;
    }
    this.#rows = rows;
    this.#nodes = nodes;
    this.#denseEdgeStart = denseEdgeStart;
    this.#denseEdges = denseEdges;
    this.#outIds = outIds;
  }

  /**
   * Appends to `found` every literal id occurring in `text`, case-insensitively (ids may repeat).
   * ASCII is folded on the fly, so values need no lower-cased copy; text with other characters is
   * scanned lower-cased, since lower-casing can turn them into ASCII (the Kelvin sign into `k`).
   */
  scan(text: string, found: number[]): void {
    if (this.#pending !== undefined) this.#freezeNow();
    if (this.#grams !== undefined) {
      if (!this.#mayHold(text, this.#grams)) return;
    } else if (this.#precheck !== undefined && !this.#precheck.test(text)) return;
    if (!this.#run(text, found, false)) this.#run(text.toLowerCase(), found, true);
  }

  /** The same over text whose non-ASCII characters are already lower-cased (ASCII is folded here). */
  scanLowered(text: string, found: number[]): void {
    this.#run(text, found, true);
  }

  /** One pass; false (having stopped) at the first non-ASCII character unless `lowered`. */
  #freezeNow(): void {
    if (this.#pending !== undefined) this.#freeze(this.#pending);
    this.#pending = undefined;
  }

  #run(text: string, found: number[], lowered: boolean): boolean {
    if (this.#pending !== undefined) this.#freezeNow();
    const dense = this.#dense;
    const outFrom = this.#outFrom;
    const outCount = this.#outTo - outFrom;
    const rows = this.#rows;
    const nodes = this.#nodes;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 128 && state < dense) state = rows[(state << 7) | c]!;
      else {
        if (c >= 128 && !lowered) return false;
        if (c >= 65 && c <= 90) c += 32;
        // A sparse state, or a character no row covers: follow edges, else fail links.
        for (;;) {
          if (state < dense) {
            if (c < 128) {
              state = rows[(state << 7) | c]!;
              break;
            }
            const to = this.#denseEdge(state, c);
            if (to >= 0) {
              state = to;
              break;
            }
            if (state === 0) break;
          } else {
            const b = state * NODE;
            if (nodes[b + 1] === c) {
              state = nodes[b + 2]!;
              break;
            }
            if (nodes[b + 3] === c) {
              state = nodes[b + 4]!;
              break;
            }
          }
          state = nodes[state * NODE]!;
        }
      }
      if ((state - outFrom) >>> 0 < outCount) {
        const b = state * NODE;
        const first = nodes[b + 5]! | (nodes[b + 6]! << 16);
        const end = first + nodes[b + 7]!;
        for (let k = first; k < end; k++) found.push(this.#outIds[k]!);
      }
    }
    return true;
  }

  /** A dense state's edge for a non-ASCII character, or -1. */
  #denseEdge(state: number, c: number): number {
    const edges = this.#denseEdges;
    const end = this.#denseEdgeStart[state + 1]!;
    for (let e = this.#denseEdgeStart[state]!; e < end; e++) if (edges[2 * e] === c) return edges[2 * e + 1]!;
    return -1;
  }
}
