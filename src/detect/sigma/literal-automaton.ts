/**
 * Aho-Corasick over lower-cased literals, scanned over raw values with ASCII case folding. Built in
 * a Map-per-state trie, then frozen into flat typed arrays: states with several children (and the
 * root) get a full 128-entry ASCII row with fail links already followed, so the common step — a
 * character that continues nothing — is one array read; the rest keep their few edges in a list.
 *
 * Example: add('mimikatz', 0); scan('Invoke-MIMIKATZ', found) → found holds 0.
 */

/** Children from which a state gets a dense row: rows cost 512 bytes, edge lists a short search. */
const DENSE_CHILDREN = 3;

export class LiteralAutomaton {
  /** Build-time trie; dropped once frozen. */
  #trie: { next: Map<number, number>; ids: number[] }[] | undefined = [{ next: new Map(), ids: [] }];
  #fail = new Int32Array(0);
  #rowOf = new Int32Array(0);
  #rows = new Int32Array(0);
  #edgeStart = new Int32Array(0);
  #edgeChar = new Int32Array(0);
  #edgeTo = new Int32Array(0);
  #outStart = new Int32Array(0);
  #outIds = new Int32Array(0);
  #literals = 0;

  /** Adds a literal (already lower-cased) under an id; literals may share ids. */
  add(literal: string, id: number): void {
    const trie = this.#trie;
    if (trie === undefined) throw new Error('LiteralAutomaton: add after the first scan');
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const c = literal.charCodeAt(i);
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
  }

  get size(): number {
    return this.#literals;
  }

  #freeze(trie: { next: Map<number, number>; ids: number[] }[]): void {
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
    const edgeStart = new Int32Array(n + 1);
    let edges = 0;
    for (let s = 0; s < n; s++) {
      edgeStart[s] = edges;
      edges += trie[s]!.next.size;
    }
    edgeStart[n] = edges;
    const edgeChar = new Int32Array(edges);
    const edgeTo = new Int32Array(edges);
    for (let s = 0; s < n; s++) {
      let e = edgeStart[s]!;
      for (const [c, to] of trie[s]!.next) {
        edgeChar[e] = c;
        edgeTo[e++] = to;
      }
    }
    // Dense rows in BFS order, so a state's fail target (shallower) has its row before it is needed.
    const rowOf = new Int32Array(n).fill(-1);
    let rowCount = 0;
    for (const s of order) if (s === 0 || trie[s]!.next.size >= DENSE_CHILDREN) rowOf[s] = rowCount++;
    const rows = new Int32Array(rowCount * 128);
    const step = (s: number, c: number): number => {
      for (;;) {
        const r = rowOf[s]!;
        if (r >= 0) return rows[r * 128 + c]!;
        const to = trie[s]!.next.get(c);
        if (to !== undefined) return to;
        s = fail[s]!;
      }
    };
    for (const s of order) {
      const r = rowOf[s]!;
      if (r < 0) continue;
      const next = trie[s]!.next;
      for (let c = 0; c < 128; c++) {
        const to = next.get(c);
        rows[r * 128 + c] = to !== undefined ? to : s === 0 ? 0 : step(fail[s]!, c);
      }
    }
    const outStart = new Int32Array(n + 1);
    let outs = 0;
    for (let s = 0; s < n; s++) {
      outStart[s] = outs;
      outs += out[s]!.length;
    }
    outStart[n] = outs;
    const outIds = new Int32Array(outs);
    for (let s = 0; s < n; s++) outIds.set(out[s]!, outStart[s]);
    this.#fail = fail;
    this.#rowOf = rowOf;
    this.#rows = rows;
    this.#edgeStart = edgeStart;
    this.#edgeChar = edgeChar;
    this.#edgeTo = edgeTo;
    this.#outStart = outStart;
    this.#outIds = outIds;
  }

  /**
   * Appends to `found` every literal id occurring in `text`, case-insensitively (ids may repeat).
   * ASCII is folded on the fly, so values need no lower-cased copy; text with other characters is
   * scanned lower-cased, since lower-casing can turn them into ASCII (the Kelvin sign into `k`).
   */
  scan(text: string, found: number[]): void {
    if (!this.#run(text, found, false)) this.#run(text.toLowerCase(), found, true);
  }

  /** The same over text whose non-ASCII characters are already lower-cased (ASCII is folded here). */
  scanLowered(text: string, found: number[]): void {
    this.#run(text, found, true);
  }

  /** One pass; false (having stopped) at the first non-ASCII character unless `lowered`. */
  #run(text: string, found: number[], lowered: boolean): boolean {
    if (this.#trie !== undefined) {
      this.#freeze(this.#trie);
      this.#trie = undefined;
    }
    const rowOf = this.#rowOf;
    const rows = this.#rows;
    const fail = this.#fail;
    const edgeStart = this.#edgeStart;
    const edgeChar = this.#edgeChar;
    const edgeTo = this.#edgeTo;
    const outStart = this.#outStart;
    const outIds = this.#outIds;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      else if (c >= 128 && !lowered) return false;
      for (;;) {
        const r = rowOf[state]!;
        if (r >= 0 && c < 128) {
          state = rows[r * 128 + c]!;
          break;
        }
        let to = -1;
        const last = edgeStart[state + 1]!;
        for (let e = edgeStart[state]!; e < last; e++) {
          if (edgeChar[e] === c) {
            to = edgeTo[e]!;
            break;
          }
        }
        if (to >= 0) {
          state = to;
          break;
        }
        if (state === 0) break;
        state = fail[state]!;
      }
      const end = outStart[state + 1]!;
      for (let k = outStart[state]!; k < end; k++) found.push(outIds[k]!);
    }
    return true;
  }
}
