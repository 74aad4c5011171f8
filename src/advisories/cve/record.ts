/**
 * A CVE JSON 5 record (cvelistV5) read into an Advisory: the `affected` products of the CNA and of every ADP
 * with their version ranges, their CPE applicability statements, CVSS vectors from the CNA and every ADP (scores
 * computed, not copied), and known exploitation (CISA KEV entries and SSVC "Exploitation: active" in ADP metrics).
 */
import { arr, isObject, prop, str } from '../json.js';
import { cvssScores, type CvssScores } from '../cvss.js';
import { parseCpe, type Cpe } from '../matching/cpe.js';
import { productKeyVariants, purlKey, vendorKey } from '../matching/names.js';
import { compareVersions } from '../matching/versions.js';
import type {
  Advisory,
  CpeMatchCheck,
  CpeNode,
  CveVersionRange,
  ExploitationInfo,
  ProductRule,
  ProductStatus,
  ScoreSet,
} from '../model.js';

export interface CveSummary {
  readonly id: string;
  readonly state: string;
  readonly dateUpdated?: string;
}

export function cveSummary(record: unknown): CveSummary | undefined {
  const meta = prop(record, 'cveMetadata');
  const id = str(prop(meta, 'cveId'));
  if (id === undefined) return undefined;
  const dateUpdated = str(prop(meta, 'dateUpdated'));
  return { id, state: str(prop(meta, 'state')) ?? '', ...(dateUpdated !== undefined ? { dateUpdated } : {}) };
}

export function looksLikeCve(value: unknown): boolean {
  return isObject(value) && prop(value, 'dataType') === 'CVE_RECORD';
}

const MAX_CHANGES = 1_000;

const asStatus = (v: unknown): ProductStatus => (v === 'affected' || v === 'unaffected' ? v : 'unknown');

function ranges(versions: unknown): CveVersionRange[] {
  return arr(versions).flatMap((v) => {
    const version = str(prop(v, 'version'));
    if (version === undefined) return [];
    const versionType = str(prop(v, 'versionType'));
    const changes = arr(prop(v, 'changes'))
      .slice(0, MAX_CHANGES)
      .flatMap((c) => {
        const at = str(prop(c, 'at'));
        return at === undefined ? [] : [{ at, status: asStatus(prop(c, 'status')) }];
      });
    // In version order, once: the matcher applies them in turn.
    if (changes.length > 1) changes.sort((a, b) => compareVersions(a.at, b.at, versionType) ?? 0);
    const range: CveVersionRange = {
      version,
      status: asStatus(prop(v, 'status')),
      changes,
      ...opt('versionType', versionType),
      ...opt('lessThan', str(prop(v, 'lessThan'))),
      ...opt('lessThanOrEqual', str(prop(v, 'lessThanOrEqual'))),
    };
    return [range];
  });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const METRIC_KEYS = ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0'] as const;

function containers(record: unknown): { readonly source: string; readonly value: unknown }[] {
  const c = prop(record, 'containers');
  const cna = prop(c, 'cna');
  const name = (x: unknown, fallback: string): string => str(prop(prop(x, 'providerMetadata'), 'shortName')) ?? fallback;
  return [{ source: name(cna, 'CNA'), value: cna }, ...arr(prop(c, 'adp')).map((a) => ({ source: name(a, 'ADP'), value: a }))];
}

/** CVSS scores of the record, computed from each vector; the CNA's take precedence over an ADP's. */
export function recordScores(record: unknown): ScoreSet {
  let cvss31: (CvssScores & { source: string }) | undefined;
  let cvss40: (CvssScores & { source: string }) | undefined;
  const other: (CvssScores & { source: string })[] = [];
  for (const { source, value } of containers(record))
    for (const m of arr(prop(value, 'metrics')))
      for (const key of METRIC_KEYS) {
        const vector = str(prop(prop(m, key), 'vectorString'));
        const scores = vector === undefined ? undefined : cvssScores(vector);
        if (!scores) continue;
        const scored = { ...scores, source };
        if (scores.version === '3.1') cvss31 ??= scored;
        else if (scores.version === '4.0') cvss40 ??= scored;
        else other.push(scored);
      }
  return { ...opt('cvss31', cvss31), ...opt('cvss40', cvss40), other };
}

/** Known exploitation from ADP/CNA `other` metrics: a CISA KEV entry, or SSVC Exploitation "active". */
export function recordExploitation(record: unknown): ExploitationInfo {
  const evidence: string[] = [];
  for (const { source, value } of containers(record))
    for (const m of arr(prop(value, 'metrics'))) {
      const other = prop(m, 'other');
      const type = str(prop(other, 'type'));
      const content = prop(other, 'content');
      if (type === 'kev') evidence.push(`${source} KEV ${str(prop(content, 'dateAdded')) ?? ''}`.trim());
      if (type === 'ssvc')
        for (const option of arr(prop(content, 'options')))
          if (prop(option, 'Exploitation') === 'active') evidence.push(`${source} SSVC Exploitation: active`);
    }
  return { known: evidence.length > 0, evidence };
}

function cpeMatches(value: unknown): CpeMatchCheck[] {
  return arr(value).flatMap((m) => {
    const criteriaText = str(prop(m, 'criteria'));
    const criteria = criteriaText === undefined ? undefined : parseCpe(criteriaText);
    if (!criteria || criteriaText === undefined) return [];
    return [
      {
        criteria,
        criteriaText,
        vulnerable: prop(m, 'vulnerable') === true,
        ...opt('versionStartIncluding', str(prop(m, 'versionStartIncluding'))),
        ...opt('versionStartExcluding', str(prop(m, 'versionStartExcluding'))),
        ...opt('versionEndIncluding', str(prop(m, 'versionEndIncluding'))),
        ...opt('versionEndExcluding', str(prop(m, 'versionEndExcluding'))),
      },
    ];
  });
}

/** A package ecosystem from a CVE collectionURL, for purl-keyed lookups. */
const COLLECTIONS: readonly (readonly [RegExp, string])[] = [
  [/^https?:\/\/(registry\.)?npmjs\.(com|org)/i, 'npm'],
  [/^https?:\/\/pypi\.(org|python\.org)/i, 'pypi'],
  [/^https?:\/\/repo(1)?\.maven(\.apache)?\.org/i, 'maven'],
  [/^https?:\/\/(www\.)?nuget\.org/i, 'nuget'],
  [/^https?:\/\/rubygems\.org/i, 'gem'],
  [/^https?:\/\/crates\.io/i, 'cargo'],
  [/^https?:\/\/(proxy\.)?golang\.org|^https?:\/\/pkg\.go\.dev/i, 'golang'],
  [/^https?:\/\/packagist\.org/i, 'composer'],
  [/^https?:\/\/github\.com/i, 'github'],
];

function packageKeys(collectionURL: string | undefined, packageName: string | undefined): string[] {
  if (collectionURL === undefined || packageName === undefined) return [];
  const type = COLLECTIONS.find(([re]) => re.test(collectionURL))?.[1];
  if (!type) return [];
  // Maven `group:artifact`, npm `@scope/name`, others `namespace/name` or a bare name.
  const name = packageName.replace(/^@/, '');
  const sep = type === 'maven' ? name.lastIndexOf(':') : name.lastIndexOf('/');
  return sep > 0 ? [purlKey(type, name.slice(0, sep), name.slice(sep + 1))] : [purlKey(type, undefined, name)];
}

/** `vendor:product` of a CPE 2.3 string without parsing it all (the key lookup runs before any parsing). */
function cpeKey(text: string): string | undefined {
  const parts = text.split(':', 5);
  if (parts.length < 5 || parts[0] !== 'cpe' || parts[1] !== '2.3' || text.includes('\\')) {
    const cpe = parseCpe(text);
    return cpe ? `${cpe.vendor}:${cpe.product}` : undefined;
  }
  return `${parts[3]!.toLowerCase()}:${parts[4]!.toLowerCase()}`;
}

export interface ReadOptions {
  /**
   * For matching only: a rule is built only when `keep` accepts one of its index keys (the inventory has an
   * entry filed there). Version ranges, CPEs, scores and exploitation are then read only for records that
   * can match at all; an advisory with no rule left has empty scores.
   */
  readonly keep?: (key: string) => boolean;
  /** With `keep`: an affected entry whose vendor (and CPE vendors) this rejects is skipped before its names are read. */
  readonly keepVendor?: (vendorKey: string) => boolean;
}

const cpeVendor = (text: string): string | undefined => {
  const parts = text.split(':', 4);
  return parts.length === 4 && !text.includes('\\') ? parts[3]!.toLowerCase() : undefined;
};

export function cveToAdvisory(record: unknown, options: ReadOptions = {}): Advisory {
  const summary = cveSummary(record);
  const id = summary?.id ?? '';
  const cna = prop(prop(record, 'containers'), 'cna');
  const cves = [id];
  const rules: ProductRule[] = [];
  const keep = options.keep;
  const wanted = (keys: readonly string[]): boolean => !keep || keys.some(keep);
  let common: { cves: string[]; scores: ScoreSet; exploitation: ExploitationInfo } | undefined;
  const shared = (): { cves: string[]; scores: ScoreSet; exploitation: ExploitationInfo } =>
    (common ??= { cves, scores: recordScores(record), exploitation: recordExploitation(record) });

  // The CNA's statements and every ADP's (CISA's vulnrichment adds `affected` entries with CPEs the CNA did not
  // give): an entry met by several gets one match (InventoryIndex.match), affected beating possibly affected.
  const statements = [cna, ...arr(prop(prop(record, 'containers'), 'adp'))];
  if (summary?.state === 'PUBLISHED') {
    for (const a of statements.flatMap((c) => arr(prop(c, 'affected')))) {
      const vendor = str(prop(a, 'vendor')) ?? '';
      const product = str(prop(a, 'product')) ?? str(prop(a, 'packageName')) ?? '';
      const cpeTexts = arr(prop(a, 'cpes')).filter((c): c is string => typeof c === 'string');
      const keepVendor = options.keepVendor;
      if (keepVendor && prop(a, 'packageName') === undefined && !keepVendor(vendorKey(vendor)) && !cpeTexts.some((c) => keepVendor(cpeVendor(c) ?? '')))
        continue;
      const keys: string[] = vendor && product ? [...productKeyVariants(vendor, product)] : [];
      for (const c of cpeTexts) {
        const k = cpeKey(c);
        if (k !== undefined && !keys.includes(k)) keys.push(k);
      }
      for (const k of packageKeys(str(prop(a, 'collectionURL')), str(prop(a, 'packageName')))) if (!keys.includes(k)) keys.push(k);
      if (keys.length === 0 || !wanted(keys)) continue;
      const cpes = cpeTexts.flatMap((c) => parseCpe(c) ?? []);
      rules.push({
        label: [vendor, product].filter(Boolean).join(' '),
        vendor,
        product,
        keys,
        cpes,
        check: { kind: 'cve', ranges: ranges(prop(a, 'versions')), defaultStatus: asStatus(prop(a, 'defaultStatus')) },
        ...shared(),
      });
    }
    for (const config of statements.flatMap((c) => arr(prop(c, 'cpeApplicability')))) {
      const rawNodes = arr(prop(config, 'nodes'));
      // Cheap first look: does any vulnerable cpeMatch name a product the inventory has?
      if (keep && !rawNodes.some((n) => arr(prop(n, 'cpeMatch')).some((m) => prop(m, 'vulnerable') === true && keep(cpeKey(str(prop(m, 'criteria')) ?? '') ?? ''))))
        continue;
      const nodes: CpeNode[] = rawNodes.map((n) => ({
        operator: prop(n, 'operator') === 'AND' ? 'AND' : 'OR',
        negate: prop(n, 'negate') === true,
        cpeMatch: cpeMatches(prop(n, 'cpeMatch')),
      }));
      const and = prop(config, 'operator') === 'AND';
      nodes.forEach((node, i) => {
        if (node.negate) return;
        for (const match of node.cpeMatch) {
          if (!match.vulnerable) continue;
          const key = `${match.criteria.vendor}:${match.criteria.product}`;
          if (!wanted([key])) continue;
          const others = and ? nodes.filter((_, j) => j !== i) : [];
          rules.push({
            label: match.criteriaText,
            vendor: match.criteria.vendor,
            product: match.criteria.product,
            keys: [key],
            cpes: [match.criteria],
            check: { kind: 'cpe', match },
            ...shared(),
            ...(others.length > 0 ? { platform: others } : {}),
          });
        }
      });
    }
  }
  const { scores, exploitation } = keep && !common ? { scores: { other: [] }, exploitation: { known: false, evidence: [] } } : shared();
  const title =
    str(prop(cna, 'title')) ??
    str(prop(arr(prop(cna, 'descriptions')).find((d) => String(prop(d, 'lang')).startsWith('en')), 'value'))?.slice(0, 200) ??
    id;
  const meta = prop(record, 'cveMetadata');
  return {
    id,
    kind: 'cve',
    title,
    cves,
    state: summary?.state ?? '',
    rules,
    scores,
    exploitation,
    ...opt('published', str(prop(meta, 'datePublished'))),
    ...opt('updated', str(prop(meta, 'dateUpdated'))),
  };
}

export type { Cpe };
