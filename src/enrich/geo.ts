/**
 * Offline IP → country and ASN. Countries come from the GeoLite2 country database as packaged by
 * @ip-location-db (MMDB, read with mmdb-lib); ASNs from the same project's RouteViews/DB-IP ranges
 * (CSV), loaded once into sorted arrays and searched by binary search. Nothing goes on the network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { Reader, type Response } from 'mmdb-lib';
import { ipv4Number } from '../core/ip.js';

export interface IpInfo {
  readonly ip: string;
  /** ISO 3166-1 alpha-2, or null for private, reserved or unknown addresses. */
  readonly country: string | null;
  readonly asn: number | null;
  readonly asName: string | null;
}

const require = createRequire(import.meta.url);

function packageFile(pkg: string, file: string): string {
  return require.resolve(`${pkg}/${file}`);
}

export interface AsnTable {
  readonly starts: Float64Array | BigUint64Array;
  readonly ends: Float64Array | BigUint64Array;
  readonly asns: Uint32Array;
  readonly names: readonly string[];
  readonly nameIndex: Uint32Array;
}

/** Parses `start,end,asn,name` rows (numeric starts, IPv4 as numbers, IPv6 as big integers). */
function loadAsnTable(path: string, v6: boolean): AsnTable {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const n = lines.length;
  const starts = v6 ? new BigUint64Array(n * 2) : new Float64Array(n);
  const ends = v6 ? new BigUint64Array(n * 2) : new Float64Array(n);
  const asns = new Uint32Array(n);
  const nameIndex = new Uint32Array(n);
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  let count = 0;
  for (const line of lines) {
    if (line === '') continue;
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    const c = line.indexOf(',', b + 1);
    let name = line.slice(c + 1);
    if (name.startsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
    let id = nameIds.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      nameIds.set(name, id);
    }
    if (v6) {
      // 128-bit values as two 64-bit halves, compared high then low.
      const s = BigInt(line.slice(0, a));
      const e = BigInt(line.slice(a + 1, b));
      (starts as BigUint64Array)[count * 2] = s >> 64n;
      (starts as BigUint64Array)[count * 2 + 1] = s & 0xffffffffffffffffn;
      (ends as BigUint64Array)[count * 2] = e >> 64n;
      (ends as BigUint64Array)[count * 2 + 1] = e & 0xffffffffffffffffn;
    } else {
      (starts as Float64Array)[count] = Number(line.slice(0, a));
      (ends as Float64Array)[count] = Number(line.slice(a + 1, b));
    }
    asns[count] = Number(line.slice(b + 1, c));
    nameIndex[count] = id;
    count++;
  }
  return {
    starts: v6
      ? (starts as BigUint64Array).subarray(0, count * 2)
      : (starts as Float64Array).subarray(0, count),
    ends: v6 ? (ends as BigUint64Array).subarray(0, count * 2) : (ends as Float64Array).subarray(0, count),
    asns: asns.subarray(0, count),
    names,
    nameIndex: nameIndex.subarray(0, count),
  };
}

function ipv6BigInt(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const parse = (s: string | undefined): string[] => (s ? s.split(':') : []);
  let h = parse(head);
  let t = parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const fix = (groups: string[]): string[] => {
    const last = groups[groups.length - 1];
    if (last?.includes('.')) {
      const n = ipv4Number(last);
      return [...groups.slice(0, -1), (n >>> 16).toString(16), (n & 0xffff).toString(16)];
    }
    return groups;
  };
  h = fix(h);
  t = fix(t);
  const missing = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(missing).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/**
 * A database's tables in shared memory (GeoDatabase.shared), for a worker thread to use as they are:
 * nothing read or parsed again, and one copy in memory however many threads use it.
 */
export interface SharedGeoTables {
  readonly country: Uint8Array;
  readonly v4: AsnTable;
  readonly v6: AsnTable | undefined;
}

function inSharedMemory<T extends Float64Array | BigUint64Array | Uint32Array | Uint8Array>(array: T): T {
  // A Buffer (the file as read) is copied as a plain Uint8Array: Buffer's own constructor is deprecated.
  const type = Buffer.isBuffer(array) ? Uint8Array : array.constructor;
  const copy = new (type as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  (copy as Uint8Array).set(array as Uint8Array);
  return copy;
}

function tableInSharedMemory(t: AsnTable): AsnTable {
  return {
    starts: inSharedMemory(t.starts),
    ends: inSharedMemory(t.ends),
    asns: inSharedMemory(t.asns),
    names: t.names,
    nameIndex: inSharedMemory(t.nameIndex),
  };
}

const bufferOf = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class GeoDatabase {
  #countryBytes: Uint8Array;
  #country: Reader<Response>;
  #v4: AsnTable | undefined;
  #v6: AsnTable | undefined;
  #shared: SharedGeoTables | undefined;

  /** The database from the package files, or from tables another thread shared. */
  constructor(tables?: SharedGeoTables) {
    this.#countryBytes =
      tables?.country ?? readFileSync(packageFile('@ip-location-db/geolite2-country-mmdb', 'geolite2-country.mmdb'));
    this.#country = new Reader(bufferOf(this.#countryBytes));
    this.#v4 = tables?.v4;
    this.#v6 = tables?.v6;
    if (tables) this.#shared = tables;
  }

  /**
   * The tables moved into shared memory (made once; this database then reads those too). The IPv4
   * ASN table is loaded now if it was not; the IPv6 one goes along only if loaded.
   */
  shared(): SharedGeoTables {
    if (!this.#shared) {
      this.#shared = {
        country: inSharedMemory(this.#countryBytes),
        v4: tableInSharedMemory(this.#v4Table()),
        v6: this.#v6 && tableInSharedMemory(this.#v6),
      };
      this.#countryBytes = this.#shared.country;
      this.#country = new Reader(bufferOf(this.#countryBytes));
      this.#v4 = this.#shared.v4;
      this.#v6 = this.#shared.v6;
    }
    return this.#shared;
  }

  #v4Table(): AsnTable {
    return (this.#v4 ??= loadAsnTable(packageFile('@ip-location-db/asn', 'asn-ipv4-num.csv'), false));
  }

  lookup(ip: string): IpInfo {
    const version = isIP(ip);
    if (version === 0) return { ip, country: null, asn: null, asName: null };
    let country: string | null;
    try {
      country = (this.#country.get(ip) as { country_code?: string } | null)?.country_code ?? null;
    } catch {
      // A malformed address the parser accepted but the database cannot place.
      country = null;
    }
    const asn = version === 4 ? this.#asnV4(ipv4Number(ip)) : this.#asnV6(ipv6BigInt(ip));
    return { ip, country, asn: asn?.asn ?? null, asName: asn?.name ?? null };
  }

  #asnV4(n: number): { asn: number; name: string } | undefined {
    const t = this.#v4Table();
    const starts = t.starts as Float64Array;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || (t.ends as Float64Array)[found]! < n) return undefined;
    return { asn: t.asns[found]!, name: t.names[t.nameIndex[found]!]! };
  }

  #asnV6(n: bigint): { asn: number; name: string } | undefined {
    const t = (this.#v6 ??= loadAsnTable(packageFile('@ip-location-db/asn', 'asn-ipv6-num.csv'), true));
    const starts = t.starts as BigUint64Array;
    const ends = t.ends as BigUint64Array;
    const at = (arr: BigUint64Array, i: number): bigint => (arr[i * 2]! << 64n) | arr[i * 2 + 1]!;
    let lo = 0;
    let hi = t.asns.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (at(starts, mid) <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || at(ends, found) < n) return undefined;
    return { asn: t.asns[found]!, name: t.names[t.nameIndex[found]!]! };
  }
}

let shared: GeoDatabase | undefined;

/** The process-wide database, opened on first use. */
export function geoDatabase(): GeoDatabase {
  return (shared ??= new GeoDatabase());
}

/** RFC 1918, loopback, link-local, CGNAT, documentation and other non-routable ranges. */
export function isInternalIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  if (v === 6) {
    const lower = ip.toLowerCase();
    return (
      lower === '::1' ||
      lower === '::' ||
      /^f[cd]/.test(lower) ||
      /^fe[89ab]/.test(lower) ||
      lower.startsWith('ff')
    );
  }
  return false;
}
