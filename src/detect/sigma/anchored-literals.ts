/**
 * Literals tied to an end of the value — `startswith`, `endswith`, equals — checked from that end
 * instead of by a scan over the whole value: a trie of the prefixes walked forward from the first
 * character, and one of the reversed suffixes walked back from the last. A walk stops at the first
 * character no literal continues with, so a path value costs the length of its longest matching
 * end, not its length times a scan over a thousand-literal automaton (most Image, ImageLoaded and
 * TargetObject literals are endswith).
 *
 * Like LiteralAutomaton the literals are lower-cased and values are ASCII-folded on the fly; a walk
 * that meets a non-ASCII character starts again over the lower-cased value (where the Kelvin sign is
 * `k`). Lower-casing maps each character on its own (final sigma only changes itself), so the first
 * or last n characters of the lower-cased value are the folded first or last n of the raw value
 * whenever those are ASCII.
 *
 * Example: add('\\cmd.exe', 'end', 0); scan('C:\\Windows\\CMD.EXE', found) → found holds 0.
 */

export type Anchor = 'start' | 'end' | 'exact';

/** A frozen trie as numbers and typed arrays (see AnchoredState). */
export interface TrieState {
  readonly mask: number;
  readonly anyEnd: boolean;
  readonly anyReach: boolean;
  readonly edgeState: Int32Array<ArrayBufferLike>;
  readonly edgeChar: Int32Array<ArrayBufferLike>;
  readonly edgeTo: Int32Array<ArrayBufferLike>;
  readonly reachFrom: Int32Array<ArrayBufferLike>;
  readonly endFrom: Int32Array<ArrayBufferLike>;
  readonly out: Int32Array<ArrayBufferLike>;
}

/** Frozen anchored literals, for another worker to use without building them. */
export interface AnchoredState {
  readonly literals: number;
  readonly forward: TrieState;
  readonly backward: TrieState;
}

/** One trie in flat arrays: edges in an open-addressing hash on (state, character). */
class FlatTrie {
  /** Build-time children: state → character → state; dropped by freeze(). */
  #children: Map<number, number>[] = [new Map<number, number>()];
  /** Per state, ids that hold when the state is reached / when it is reached at the value's end. */
  #onReach: number[][] = [[]];
  #onEnd: number[][] = [[]];
  #mask = 0;
  #edgeState: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #edgeChar: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #edgeTo: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Output ranges per state: reach ids in [reachFrom[s], endFrom[s]), end ids in [endFrom[s], reachFrom[s + 1]). */
  #reachFrom: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #endFrom: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #out: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Whether some state has end ids; a walk that stops early never needs them. */
  #anyEnd = false;
  #anyReach = false;

  add(text: string, id: number, atEnd: boolean, reversed: boolean): void {
    let state = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(reversed ? text.length - 1 - k : k);
      const children = this.#children[state]!;
      let next = children.get(c);
      if (next === undefined) {
        next = this.#children.length;
        children.set(c, next);
        this.#children.push(new Map<number, number>());
        this.#onReach.push([]);
        this.#onEnd.push([]);
      }
      state = next;
    }
    (atEnd ? this.#onEnd : this.#onReach)[state]!.push(id);
    if (atEnd) this.#anyEnd = true;
    else this.#anyReach = true;
  }

  get empty(): boolean {
    return !this.#anyEnd && !this.#anyReach;
  }

  /** The frozen trie; only after freeze(). */
  state(): TrieState {
    return {
      mask: this.#mask,
      anyEnd: this.#anyEnd,
      anyReach: this.#anyReach,
      edgeState: this.#edgeState,
      edgeChar: this.#edgeChar,
      edgeTo: this.#edgeTo,
      reachFrom: this.#reachFrom,
      endFrom: this.#endFrom,
      out: this.#out,
    };
  }

  static fromState(state: TrieState): FlatTrie {
    const trie = new FlatTrie();
    trie.#children = [];
    trie.#onReach = [];
    trie.#onEnd = [];
    trie.#mask = state.mask;
    trie.#anyEnd = state.anyEnd;
    trie.#anyReach = state.anyReach;
    trie.#edgeState = state.edgeState;
    trie.#edgeChar = state.edgeChar;
    trie.#edgeTo = state.edgeTo;
    trie.#reachFrom = state.reachFrom;
    trie.#endFrom = state.endFrom;
    trie.#out = state.out;
    return trie;
  }

  freeze(): void {
    const states = this.#children.length;
    let edges = 0;
    for (const c of this.#children) edges += c.size;
    let size = 2;
    while (size < edges * 2) size *= 2;
    this.#mask = size - 1;
    this.#edgeState = new Int32Array(size).fill(-1);
    this.#edgeChar = new Int32Array(size);
    this.#edgeTo = new Int32Array(size);
    this.#children.forEach((children, state) => {
      for (const [c, to] of children) {
        let slot = edgeHash(state, c) & this.#mask;
        while (this.#edgeState[slot] !== -1) slot = (slot + 1) & this.#mask;
        this.#edgeState[slot] = state;
        this.#edgeChar[slot] = c;
        this.#edgeTo[slot] = to;
      }
    });
    this.#reachFrom = new Int32Array(states + 1);
    this.#endFrom = new Int32Array(states);
    const out: number[] = [];
    for (let s = 0; s < states; s++) {
      this.#reachFrom[s] = out.length;
      out.push(...this.#onReach[s]!);
      this.#endFrom[s] = out.length;
      out.push(...this.#onEnd[s]!);
    }
    this.#reachFrom[states] = out.length;
    this.#out = Int32Array.from(out);
    this.#children = [];
    this.#onReach = [];
    this.#onEnd = [];
  }

  #child(state: number, c: number): number {
    const mask = this.#mask;
    const states = this.#edgeState;
    for (let slot = edgeHash(state, c) & mask; ; slot = (slot + 1) & mask) {
      const s = states[slot]!;
      if (s === -1) return -1;
      if (s === state && this.#edgeChar[slot] === c) return this.#edgeTo[slot]!;
    }
  }

  /**
   * Walks the text from its start (or, reversed, from its end), appending the ids of every state
   * reached and the end ids of the state reached with the whole text; false (having stopped) at
   * the first non-ASCII character unless `lowered`.
   */
  walk(text: string, reversed: boolean, found: number[], lowered: boolean): boolean {
    const n = text.length;
    const out = this.#out;
    const reachFrom = this.#reachFrom;
    const endFrom = this.#endFrom;
    const anyReach = this.#anyReach;
    let state = 0;
    for (let k = 0; k < n; k++) {
      let c = text.charCodeAt(reversed ? n - 1 - k : k);
      if (c >= 128 && !lowered) return false;
      if (c >= 65 && c <= 90) c += 32;
      state = this.#child(state, c);
      if (state < 0) return true;
      if (anyReach) for (let o = reachFrom[state]!, end = endFrom[state]!; o < end; o++) found.push(out[o]!);
    }
    if (this.#anyEnd)
      for (let o = endFrom[state]!, end = reachFrom[state + 1]!; o < end; o++) found.push(out[o]!);
    return true;
  }
}

function edgeHash(state: number, c: number): number {
  const h = Math.imul(state, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77);
  return h ^ (h >>> 15);
}

export class AnchoredLiterals {
  /** Prefixes (reached) and whole values (reached at the end), walked from the first character. */
  #forward = new FlatTrie();
  /** Reversed suffixes, walked from the last character. */
  #backward = new FlatTrie();
  #frozen = false;
  #literals = 0;

  /** The frozen literals (frozen now if they are not yet). */
  state(): AnchoredState {
    this.#freeze();
    return { literals: this.#literals, forward: this.#forward.state(), backward: this.#backward.state() };
  }

  /** Literals another worker froze; their arrays are used as they are (shared, never written). */
  static fromState(state: AnchoredState): AnchoredLiterals {
    const anchored = new AnchoredLiterals();
    anchored.#forward = FlatTrie.fromState(state.forward);
    anchored.#backward = FlatTrie.fromState(state.backward);
    anchored.#literals = state.literals;
    anchored.#frozen = true;
    return anchored;
  }

  #freeze(): void {
    if (this.#frozen) return;
    this.#forward.freeze();
    this.#backward.freeze();
    this.#frozen = true;
  }

  /** Adds a non-empty lower-cased literal (ASCII is folded here too) that must sit at `anchor`. */
  add(literal: string, anchor: Anchor, id: number): void {
    if (this.#frozen) throw new Error('AnchoredLiterals: add after the first scan');
    if (literal === '') throw new Error('AnchoredLiterals: an empty literal is at every end');
    const text = literal.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    if (anchor === 'end') this.#backward.add(text, id, false, true);
    else this.#forward.add(text, id, anchor === 'exact', false);
    this.#literals++;
  }

  get size(): number {
    return this.#literals;
  }

  /** Appends to `found` the id of every literal at its end of `text`, case-insensitively (ids may repeat). */
  scan(text: string, found: number[]): void {
    if (!this.#frozen) this.#freeze();
    let lowered: string | undefined;
    if (!this.#forward.empty && !this.#forward.walk(text, false, found, false))
      this.#forward.walk((lowered = text.toLowerCase()), false, found, true);
    if (!this.#backward.empty && !this.#backward.walk(text, true, found, false))
      this.#backward.walk(lowered ?? text.toLowerCase(), true, found, true);
  }
}
