/**
 * Longest-prefix match over IPv4 and IPv6 networks: one hash map per prefix length in use, probed
 * from the longest length down, so a lookup costs at most one map probe per distinct length (≤ 33
 * for IPv4, ≤ 129 for IPv6) however many networks are listed. Several values may share a prefix.
 *
 *   const t = new PrefixTable<string>(); t.add(parsePrefix('198.51.100.0/24')!, 'acme');
 *   t.match(parseIp('198.51.100.7')!) → { prefix: …/24, values: ['acme'] }
 */
import { prefixMask, type IpAddress, type IpPrefix } from '../../core/ip.js';

export interface PrefixMatch<T> {
  readonly prefix: IpPrefix;
  readonly values: readonly T[];
}

interface Family<T> {
  readonly byLength: Map<number, Map<bigint, { prefix: IpPrefix; values: T[] }>>;
  /** Lengths in use, longest first. */
  lengths: number[];
}

export class PrefixTable<T> {
  readonly #v4: Family<T> = { byLength: new Map(), lengths: [] };
  readonly #v6: Family<T> = { byLength: new Map(), lengths: [] };

  add(prefix: IpPrefix, value: T): void {
    const family = prefix.v6 ? this.#v6 : this.#v4;
    let level = family.byLength.get(prefix.bits);
    if (!level) {
      level = new Map();
      family.byLength.set(prefix.bits, level);
      family.lengths = [...family.byLength.keys()].sort((a, b) => b - a);
    }
    const entry = level.get(prefix.network);
    if (entry) {
      if (!entry.values.includes(value)) entry.values.push(value);
    } else level.set(prefix.network, { prefix, values: [value] });
  }

  /** The longest IPv4 prefix length listed, 0 when none is. */
  get longestV4(): number {
    return this.#v4.lengths[0] ?? 0;
  }

  /** The longest listed prefix holding the address, or undefined. */
  match(address: IpAddress): PrefixMatch<T> | undefined {
    return this.matches(address)[0];
  }

  /** Every listed prefix holding the address, longest first. */
  matches(address: IpAddress): PrefixMatch<T>[] {
    const family = address.v6 ? this.#v6 : this.#v4;
    const width = address.v6 ? 128 : 32;
    const out: PrefixMatch<T>[] = [];
    for (const bits of family.lengths) {
      const entry = family.byLength.get(bits)!.get(address.value & prefixMask(bits, width));
      if (entry) out.push(entry);
    }
    return out;
  }
}
