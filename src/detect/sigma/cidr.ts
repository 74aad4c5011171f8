/** CIDR ranges (IPv4 and IPv6) for the `cidr` modifier: parsed once, tested with bigint masks. */
import { parseIpv4, parseIpv6 } from '../../core/ip.js';

// Address parsing lives in core, shared with enrich/constituency; re-exported for the detect modules.
export { parseIpv4, parseIpv6 };

export interface Cidr {
  readonly v6: boolean;
  readonly network: bigint;
  readonly mask: bigint;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address = '', bitsText] = text.trim().split('/');
  const v4 = parseIpv4(address);
  if (v4 !== undefined) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
    const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(32 - bits);
    return { v6: false, network: v4 & mask, mask };
  }
  const v6 = parseIpv6(address);
  if (v6 === undefined) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  return { v6: true, network: v6 & mask, mask };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = cidr.v6 ? parseIpv6(ip) : parseIpv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  return n !== undefined && (n & cidr.mask) === cidr.network;
}
