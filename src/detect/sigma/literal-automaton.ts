/**
 * Aho-Corasick over lower-cased literals, scanned over raw values with ASCII case folding. Built in
 * a Map-per-state trie, then frozen into flat typed arrays. States are renumbered so the scan loop
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

/** Ints per state record (a power of two: two records per cache line). */
const NODE = 8;

type TrieNode = { next: Map<number, number>; ids: number[] };

export class LiteralAutomaton {
  /** Build-time trie; dropped once frozen. */
  #trie: TrieNode[] | undefined = [{ next: new Map(), ids: [] }];
  #dense = 0;
  #outFrom = 0;
  #outTo = 0;
  #rows = new Int32Array(0);
  /** NODE ints per state: fail, char, target, char, target, first output, end of outputs, unused. */
  #nodes = new Int32Array(0);
  #denseEdgeStart = new Int32Array(0);
  /** (char, target) pairs of dense states. */
  #denseEdges = new Int32Array(0);
  #outIds = new Int32Array(0);
  #literals = 0;
  #texts: string[] = [];
  #precheck: RegExp | undefined;

  /** Adds a non-empty literal (lower-cased; ASCII is folded here too) under an id; ids may repeat. */
  add(literal: string, id: number): void {
    const trie = this.#trie;
    if (trie === undefined) throw new Error('LiteralAutomaton: add after the first scan');
    if (literal === '') throw new Error('LiteralAutomaton: an empty literal occurs everywhere');
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      let c = literal.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      const node = trie[state]!;
      let to = node.next.get(c);
      if (to === undefined) {
        to = trie.length;
        trie.push({ next: new Map(), ids: [] });
        node.next.set(c, to);
      }
      state = to;
    }
    trie[state]!.ids.push(id);
    this.#literals++;
    if (this.#texts.length <= PRECHECK_LITERALS) this.#texts.push(literal);
  }

  get size(): number {
    return this.#literals;
  }

  #freeze(trie: readonly TrieNode[]): void {
    if (this.#texts.length <= PRECHECK_LITERALS) {
      // `i` without `u` folds ASCII only, like the scan; non-ASCII text always goes to the scan.
      const escaped = this.#texts.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
      this.#precheck = new RegExp(`${escaped.join('|')}|[^\\x00-\\x7f]`, 'i');
    }
    this.#texts = [];
    const n = trie.length;
    const fail = new Int32Array(n);
    const out: number[][] = trie.map((t) => t.ids);
    const order: number[] = [0];
    for (let head = 0; head < order.length; head++) {
      const state = order[head]!;
      for (const [c, to] of trie[state]!.next) {
        order.push(to);
        if (state === 0) continue;
        let f = fail[state]!;
        let target = trie[f]!.next.get(c);
        while (target === undefined && f !== 0) {
          f = fail[f]!;
          target = trie[f]!.next.get(c);
        }
        fail[to] = target ?? 0;
        const inherited = out[fail[to]]!;
        if (inherited.length > 0) out[to] = [...out[to]!, ...inherited];
      }
    }
    // Renumber: dense without output (the root first), dense with, sparse with, sparse without;
    // within a group in depth-first order, so a chain of one-child states sits together in memory.
    const isDense = (s: number): boolean => s === 0 || trie[s]!.next.size >= DENSE_CHILDREN;
    const groups: number[][] = [[], [], [], []];
    const stack = [0];
    while (stack.length > 0) {
      const s = stack.pop()!;
      const ends = out[s]!.length > 0;
      groups[isDense(s) ? (ends ? 1 : 0) : ends ? 2 : 3]!.push(s);
      const children = [...trie[s]!.next.values()];
      for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]!);
    }
    const numbered = groups.flat();
    const newId = new Int32Array(n);
    numbered.forEach((s, i) => (newId[s] = i));
    const dense = groups[0]!.length + groups[1]!.length;
    this.#dense = dense;
    this.#outFrom = groups[0]!.length;
    this.#outTo = dense + groups[2]!.length;

    // One record per state: fail, up to two (char, target) edges, output range; dense states keep
    // all their edges in a list instead, read only for non-ASCII characters.
    const nodes = new Int32Array(n * NODE).fill(-1);
    const denseEdgeStart = new Int32Array(dense + 1);
    const denseEdges: number[] = [];
    const outIds: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = numbered[i]!;
      const b = i * NODE;
      nodes[b] = newId[fail[s]!]!;
      const next = [...trie[s]!.next].map(([c, to]) => [c, newId[to]!] as const);
      if (i < dense) {
        denseEdgeStart[i] = denseEdges.length / 2;
        for (const [c, to] of next) denseEdges.push(c, to);
      } else {
        next.forEach(([c, to], k) => {
          nodes[b + 1 + 2 * k] = c;
          nodes[b + 2 + 2 * k] = to;
        });
      }
      nodes[b + 5] = outIds.length;
      outIds.push(...out[s]!);
      nodes[b + 6] = outIds.length;
    }
    denseEdgeStart[dense] = denseEdges.length / 2;
    // Rows in BFS order of the old states, so a fail target (shallower) is filled before it is read.
    const rows = new Int32Array(dense * 128);
    const step = (s: number, c: number): number => {
      for (;;) {
        if (isDense(s)) return rows[newId[s]! * 128 + c]!;
        const to = trie[s]!.next.get(c);
        if (to !== undefined) return newId[to]!;
        s = fail[s]!;
      }
    };
    for (const s of order) {
      if (!isDense(s)) continue;
      const row = newId[s]! * 128;
      const next = trie[s]!.next;
      for (let c = 0; c < 128; c++) {
        const to = next.get(c);
        rows[row + c] = to !== undefined ? newId[to]! : s === 0 ? 0 : step(fail[s]!, c);
      }
      // Upper-case ASCII reads as its lower case, so the scan need not fold before a dense step.
      for (let c = 65; c <= 90; c++) rows[row + c] = rows[row + c + 32]!;
    }
    this.#rows = rows;
    this.#nodes = nodes;
    this.#denseEdgeStart = denseEdgeStart;
    this.#denseEdges = Int32Array.from(denseEdges);
    this.#outIds = Int32Array.from(outIds);
  }

  /**
   * Appends to `found` every literal id occurring in `text`, case-insensitively (ids may repeat).
   * ASCII is folded on the fly, so values need no lower-cased copy; text with other characters is
   * scanned lower-cased, since lower-casing can turn them into ASCII (the Kelvin sign into `k`).
   */
  scan(text: string, found: number[]): void {
    if (this.#trie !== undefined) this.#freezeNow();
    if (this.#precheck !== undefined && !this.#precheck.test(text)) return;
    if (!this.#run(text, found, false)) this.#run(text.toLowerCase(), found, true);
  }

  /** The same over text whose non-ASCII characters are already lower-cased (ASCII is folded here). */
  scanLowered(text: string, found: number[]): void {
    this.#run(text, found, true);
  }

  /** One pass; false (having stopped) at the first non-ASCII character unless `lowered`. */
  #freezeNow(): void {
    if (this.#trie !== undefined) this.#freeze(this.#trie);
    this.#trie = undefined;
  }

  #run(text: string, found: number[], lowered: boolean): boolean {
    if (this.#trie !== undefined) this.#freezeNow();
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
        const end = nodes[b + 6]!;
        for (let k = nodes[b + 5]!; k < end; k++) found.push(this.#outIds[k]!);
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
