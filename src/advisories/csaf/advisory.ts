/**
 * A CSAF 2.0 document read into an Advisory: every product a vulnerability lists as known_affected,
 * first_affected or last_affected, resolved through the product tree (the branch path gives vendor, product
 * name and product_version or product_version_range; the identification helper gives CPE and purl;
 * a relationship resolves to its component), with that product's CVSS scores and exploit status.
 */
import { PackageURL } from 'packageurl-js';
import { arr, prop, str } from '../json.js';
import { cvssScores, type CvssScores } from '../cvss.js';
import { parseCpe, cpeValue } from '../matching/cpe.js';
import { productKeyVariants, purlKey } from '../matching/names.js';
import { vendorOfPackage } from '../inventory/model.js';
import type { Advisory, ExploitationInfo, ProductRule, ScoreSet, VersionCheck } from '../model.js';
import { indexProductTree, productsOf, type ProductDefinition } from './product-tree.js';

const AFFECTED = ['known_affected', 'first_affected', 'last_affected'] as const;

/** CSAF exploit_status threats say exploitation in words; these are the words that mean it is known. */
const EXPLOITED = /\b(actively exploited|exploited in the wild|in the wild|active exploitation|known to be exploited|exploitation (has been )?(observed|detected|reported))\b/i;
const NOT_EXPLOITED = /\b(no (known )?(active )?exploit|not (been |known to be )?exploited|unaware of any)/i;

export function exploitStatusKnown(details: string): boolean {
  return EXPLOITED.test(details) && !NOT_EXPLOITED.test(details);
}

function ruleFor(def: ProductDefinition, defs: ReadonlyMap<string, ProductDefinition>, relationships: ReadonlyMap<string, string>): Omit<ProductRule, 'cves' | 'scores' | 'exploitation'> | undefined {
  // A relationship product ("X installed on Y") is matched as its component X.
  let target = def;
  for (let hops = 0; hops < 8; hops++) {
    const component = relationships.get(target.productId);
    const next = component === undefined ? undefined : defs.get(component);
    if (!next) break;
    target = next;
  }
  // The deepest branch of a category counts (Cisco nests product_version `12.2EY` → `12.2(55)EY`).
  const step = (category: string): string | undefined => target.branches.findLast((b) => b.category === category)?.name;
  let vendor = step('vendor') ?? '';
  let product = step('product_name') ?? step('product_family') ?? '';
  const keys = new Set<string>();
  const cpes = [];
  let check: VersionCheck = { kind: 'csaf' };
  const version = step('product_version');
  const range = step('product_version_range');
  if (version !== undefined) check = { kind: 'csaf', version };
  else if (range !== undefined) check = { kind: 'csaf', range };

  const cpeText = str(prop(target.helper, 'cpe'));
  const cpe = cpeText === undefined ? undefined : parseCpe(cpeText);
  if (cpe) {
    cpes.push(cpe);
    keys.add(`${cpe.vendor}:${cpe.product}`);
    vendor ||= cpeValue(cpe.vendor);
    product ||= cpeValue(cpe.product);
    if (check.version === undefined && check.range === undefined && cpe.version !== '*' && cpe.version !== '-') check = { kind: 'csaf', version: cpeValue(cpe.version) };
  }
  const purlText = str(prop(target.helper, 'purl'));
  if (purlText !== undefined) {
    try {
      const p = PackageURL.fromString(purlText);
      keys.add(purlKey(p.type, p.namespace ?? undefined, p.name));
      vendor ||= vendorOfPackage(p.type, p.namespace ?? undefined);
      product ||= p.name;
      if (check.version === undefined && check.range === undefined && p.version) check = { kind: 'csaf', version: p.version };
    } catch {
      // an invalid purl is test 6.1.13's finding
    }
  }
  product ||= target.name;
  if (vendor && product) for (const k of productKeyVariants(vendor, product)) keys.add(k);
  if (keys.size === 0) return undefined;
  return { label: def.name || target.name, vendor, product, keys: [...keys], cpes, check };
}

function scoresFor(vulnerability: unknown, productId: string): ScoreSet {
  let cvss31: (CvssScores & { source: string }) | undefined;
  const other: (CvssScores & { source: string })[] = [];
  for (const s of arr(prop(vulnerability, 'scores'))) {
    if (!arr(prop(s, 'products')).includes(productId)) continue;
    for (const key of ['cvss_v3', 'cvss_v2']) {
      const vector = str(prop(prop(s, key), 'vectorString'));
      const scores = vector === undefined ? undefined : cvssScores(vector);
      if (!scores) continue;
      if (scores.version === '3.1') cvss31 ??= { ...scores, source: 'CSAF' };
      else other.push({ ...scores, source: 'CSAF' });
    }
  }
  return { ...(cvss31 ? { cvss31 } : {}), other };
}

function exploitationFor(vulnerability: unknown, productId: string, groups: ReadonlyMap<string, readonly string[]>): ExploitationInfo {
  const evidence: string[] = [];
  for (const t of arr(prop(vulnerability, 'threats'))) {
    if (str(prop(t, 'category')) !== 'exploit_status') continue;
    const scoped = prop(t, 'product_ids') !== undefined || prop(t, 'group_ids') !== undefined;
    if (scoped && !productsOf(t, groups).has(productId)) continue;
    const details = str(prop(t, 'details')) ?? '';
    if (exploitStatusKnown(details)) evidence.push(`CSAF exploit_status: ${details.slice(0, 200)}`);
  }
  return { known: evidence.length > 0, evidence };
}

export function csafToAdvisory(document: unknown): Advisory {
  const tree = indexProductTree(document);
  const defs = new Map<string, ProductDefinition>();
  for (const p of tree.products) if (!defs.has(p.productId)) defs.set(p.productId, p);
  const relationships = new Map<string, string>();
  for (const rel of arr(prop(prop(document, 'product_tree'), 'relationships'))) {
    const id = str(prop(prop(rel, 'full_product_name'), 'product_id'));
    const component = str(prop(rel, 'product_reference'));
    if (id !== undefined && component !== undefined) relationships.set(id, component);
  }
  const groups = new Map<string, readonly string[]>();
  for (const g of tree.groups) groups.set(g.groupId, g.productIds);

  const rules: ProductRule[] = [];
  const cves: string[] = [];
  let anyExploited: string[] = [];
  let best: ScoreSet = { other: [] };
  for (const v of arr(prop(document, 'vulnerabilities'))) {
    const cve = str(prop(v, 'cve'));
    if (cve !== undefined && !cves.includes(cve)) cves.push(cve);
    const ids = new Set<string>();
    for (const key of AFFECTED) for (const id of arr(prop(prop(v, 'product_status'), key))) if (typeof id === 'string') ids.add(id);
    for (const id of ids) {
      const def = defs.get(id);
      if (!def) continue;
      const base = ruleFor(def, defs, relationships);
      if (!base) continue;
      const scores = scoresFor(v, id);
      const exploitation = exploitationFor(v, id, groups);
      if (exploitation.known) anyExploited = [...new Set([...anyExploited, ...exploitation.evidence])];
      if ((scores.cvss31?.base ?? -1) > (best.cvss31?.base ?? -1)) best = scores;
      rules.push({ ...base, cves: cve === undefined ? [] : [cve], scores, exploitation });
    }
  }
  const d = prop(document, 'document');
  const tracking = prop(d, 'tracking');
  const published = str(prop(tracking, 'initial_release_date'));
  const updated = str(prop(tracking, 'current_release_date'));
  return {
    id: str(prop(tracking, 'id')) ?? '',
    kind: 'csaf',
    title: str(prop(d, 'title')) ?? '',
    cves,
    state: str(prop(tracking, 'status')) ?? '',
    rules,
    scores: best,
    exploitation: { known: anyExploited.length > 0, evidence: anyExploited },
    ...(published !== undefined ? { published } : {}),
    ...(updated !== undefined ? { updated } : {}),
  };
}
