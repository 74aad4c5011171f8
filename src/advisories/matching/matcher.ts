/**
 * Advisories against the constituency's inventory. The inventory is indexed once by normalised
 * `vendor:product` (and purl) keys, so each advisory rule meets only the entries filed under its keys; the
 * version check, CPE agreement and any platform condition then decide.
 *
 *   const index = new InventoryIndex(items);
 *   for (const m of index.match(cveToAdvisory(record))) …
 */
import { PackageURL } from 'packageurl-js';
import type { InventoryItem } from '../inventory/model.js';
import { vendorOfPackage } from '../inventory/model.js';
import type { Advisory, CpeNode, ProductRule, ProductStatus } from '../model.js';
import { cpeMatches, parseCpe, type Cpe } from './cpe.js';
import { itemKey, normaliseVendor, productTokens, purlKey } from './names.js';
import { cpeVerdict, verdict } from './status.js';

export interface MatchScore {
  readonly vector: string;
  readonly base: number;
  readonly severity: string;
  readonly source: string;
}

export interface Match {
  readonly organisationId: string;
  readonly inventoryId: string | undefined;
  readonly advisoryId: string;
  readonly advisoryKind: Advisory['kind'];
  readonly cves: readonly string[];
  readonly product: { readonly vendor: string; readonly product: string; readonly version: string; readonly cpe?: string; readonly purl?: string };
  /** The advisory's own name for the product, and the versions it says are affected. */
  readonly advisoryProduct: string;
  readonly versions: string;
  /** `unknown`: the entry has no version, or the advisory's range cannot be ordered: possibly affected. */
  readonly status: Extract<ProductStatus, 'affected' | 'unknown'>;
  readonly cvss31: MatchScore | null;
  readonly cvss40: MatchScore | null;
  readonly exploited: boolean;
  readonly exploitation: readonly string[];
}

interface Prepared {
  readonly item: InventoryItem;
  readonly cpe: Cpe | undefined;
  readonly version: string;
}

const score = (s: ProductRule['scores']['cvss31']): MatchScore | null =>
  s ? { vector: s.vector, base: s.base, severity: s.severity, source: s.source } : null;

const NONE: readonly Prepared[] = [];

export class InventoryIndex {
  private readonly byKey = new Map<string, Prepared[]>();
  private readonly byOrganisation = new Map<string, Prepared[]>();
  private readonly vendors = new Set<string>();
  readonly size: number;

  constructor(items: Iterable<InventoryItem>) {
    let n = 0;
    for (const item of items) {
      n++;
      const cpe = item.cpe ? parseCpe(item.cpe) : undefined;
      const prepared: Prepared = { item, cpe, version: item.version };
      const keys = new Set<string>([itemKey(item.vendor, item.product)]);
      // Variants on the entry side: the product without a leading vendor, the name before a `-`
      // (`log4j-core` → `log4j`), and the CPE's and purl's own names.
      const v = normaliseVendor(item.vendor);
      const t = productTokens(v, item.product);
      if (t.length > 1) keys.add(`${v}:${t[0]!}`);
      if (cpe) keys.add(`${cpe.vendor}:${cpe.product}`);
      if (item.purl) {
        try {
          const p = PackageURL.fromString(item.purl);
          keys.add(purlKey(p.type, p.namespace ?? undefined, p.name));
          const pv = normaliseVendor(vendorOfPackage(p.type, p.namespace ?? undefined));
          keys.add(`${pv}:${productTokens(pv, p.name).join('_')}`);
          const first = productTokens(pv, p.name)[0];
          if (first) keys.add(`${pv}:${first}`);
        } catch {
          // normaliseItem checked it; a stored one that no longer parses just has no purl key
        }
      }
      for (const key of keys) {
        if (!key.startsWith('purl:')) this.vendors.add(key.slice(0, key.indexOf(':')));
        let list = this.byKey.get(key);
        if (!list) this.byKey.set(key, (list = []));
        list.push(prepared);
      }
      let org = this.byOrganisation.get(item.organisationId);
      if (!org) this.byOrganisation.set(item.organisationId, (org = []));
      org.push(prepared);
    }
    this.size = n;
  }

  /** Whether any entry is filed under an index key (what cveToAdvisory's `keep` asks). */
  readonly has = (key: string): boolean => this.byKey.has(key);
  /** Whether any entry has this normalised vendor (cveToAdvisory's `keepVendor`: a cheaper first look). */
  readonly hasVendor = (vendor: string): boolean => this.vendors.has(vendor);
  /** The read options that make cveToAdvisory skip what this inventory cannot meet. */
  get readOptions(): { keep: (key: string) => boolean; keepVendor: (vendor: string) => boolean } {
    return { keep: this.has, keepVendor: this.hasVendor };
  }

  /** Every inventory entry that one advisory affects (or possibly affects), one match per entry and CVE set. */
  match(advisory: Advisory): Match[] {
    const out = new Map<string, Match>();
    for (const rule of advisory.rules) {
      // Most rules have one key; a Set of entries already met is needed only when there are more.
      const seen = rule.keys.length > 1 ? new Set<Prepared>() : undefined;
      for (const key of rule.keys)
        for (const p of this.byKey.get(key) ?? NONE) {
          if (seen) {
            if (seen.has(p)) continue;
            seen.add(p);
          }
          const m = this.matchOne(advisory, rule, p);
          if (!m) continue;
          const id = `${p.item.organisationId}\u0000${p.item.id ?? p.item.source ?? ''}\u0000${p.item.vendor}\u0000${p.item.product}\u0000${p.item.version}\u0000${m.cves.join(',')}`;
          const prior = out.get(id);
          // One match per entry: an affected verdict beats a possible one.
          if (!prior || (prior.status === 'unknown' && m.status === 'affected')) out.set(id, m);
        }
    }
    return [...out.values()];
  }

  private matchOne(advisory: Advisory, rule: ProductRule, p: Prepared): Match | undefined {
    // CPEs on both sides must agree on everything but the version (the range decides that).
    if (rule.cpes.length > 0 && p.cpe && !rule.cpes.some((c) => cpeMatches(c, p.cpe!, ['version']))) return undefined;
    const v = verdict(rule.check, p.version || undefined);
    if (v.status !== 'affected' && v.status !== 'unknown') return undefined;
    if (v.status === 'unknown' && v.versions === '') return undefined;
    if (rule.platform && !this.platformHolds(rule.platform, p.item.organisationId)) return undefined;
    const item = p.item;
    return {
      organisationId: item.organisationId,
      inventoryId: item.id,
      advisoryId: advisory.id,
      advisoryKind: advisory.kind,
      cves: rule.cves,
      product: { vendor: item.vendor, product: item.product, version: item.version, ...(item.cpe ? { cpe: item.cpe } : {}), ...(item.purl ? { purl: item.purl } : {}) },
      advisoryProduct: rule.label,
      versions: v.versions,
      status: v.status,
      cvss31: score(rule.scores.cvss31),
      cvss40: score(rule.scores.cvss40),
      exploited: rule.exploitation.known,
      exploitation: rule.exploitation.evidence,
    };
  }

  /** An AND configuration's other nodes (e.g. "running on Windows"): some entry of the organisation satisfies each. */
  private platformHolds(nodes: readonly CpeNode[], organisationId: string): boolean {
    const items = this.byOrganisation.get(organisationId) ?? [];
    return nodes.every((node) => {
      const hit = (m: CpeNode['cpeMatch'][number]): boolean =>
        items.some((p) => {
          const cpe = p.cpe ?? parseCpe(`cpe:2.3:*:${escape(p.item.vendor)}:${escape(p.item.product)}:*:*:*:*:*:*:*:*`);
          return !!cpe && cpeMatches(m.criteria, cpe, ['version', 'part']) && cpeVerdict({ ...m, vulnerable: true }, p.version || undefined).status !== 'unaffected';
        });
      const holds = node.operator === 'AND' ? node.cpeMatch.every(hit) : node.cpeMatch.some(hit);
      return node.negate ? !holds : holds;
    });
  }
}

const escape = (s: string): string => s.toLowerCase().replace(/\s+/g, '_').replace(/([:\\*?])/g, '\\$1');
