/**
 * A CVE JSON 5 record (cvelistV5) read into an Advisory: the CNA's `affected` products with their version
 * ranges, its CPE applicability statements, CVSS vectors from the CNA and every ADP (scores computed, not
 * copied), and known exploitation (CISA KEV entries and SSVC "Exploitation: active" in ADP metrics).
 */
import { arr, isObject, prop, str } from '../json.js';
import { cvssScores, type CvssScores } from '../cvss.js';
import { parseCpe, type Cpe } from '../matching/cpe.js';
import { productKeyVariants, purlKey } from '../matching/names.js';
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

const asStatus = (v: unknown): ProductStatus => (v === 'affected' || v === 'unaffected' ? v : 'unknown');

function ranges(versions: unknown): CveVersionRange[] {
  return arr(versions).flatMap((v) => {
    const version = str(prop(v, 'version'));
    if (version === undefined) return [];
    const range: CveVersionRange = {
      version,
      status: asStatus(prop(v, 'status')),
      changes: arr(prop(v, 'changes')).flatMap((c) => {
        const at = str(prop(c, 'at'));
        return at === undefined ? [] : [{ at, status: asStatus(prop(c, 'status')) }];
      }),
      ...opt('versionType', str(prop(v, 'versionType'))),
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

export function cveToAdvisory(record: unknown): Advisory {
  const summary = cveSummary(record);
  const id = summary?.id ?? '';
  const cna = prop(prop(record, 'containers'), 'cna');
  const scores = recordScores(record);
  const exploitation = recordExploitation(record);
  const cves = [id];
  const rules: ProductRule[] = [];
  const common = { cves, scores, exploitation };

  if (summary?.state === 'PUBLISHED') {
    for (const a of arr(prop(cna, 'affected'))) {
      const vendor = str(prop(a, 'vendor')) ?? '';
      const product = str(prop(a, 'product')) ?? str(prop(a, 'packageName')) ?? '';
      const cpes = arr(prop(a, 'cpes')).flatMap((c) => (typeof c === 'string' ? (parseCpe(c) ?? []) : []));
      const keys = new Set<string>([
        ...(vendor && product ? productKeyVariants(vendor, product) : []),
        ...cpes.map((c) => `${c.vendor}:${c.product}`),
        ...packageKeys(str(prop(a, 'collectionURL')), str(prop(a, 'packageName'))),
      ]);
      if (keys.size === 0) continue;
      rules.push({
        label: [vendor, product].filter(Boolean).join(' '),
        vendor,
        product,
        keys: [...keys],
        cpes,
        check: { kind: 'cve', ranges: ranges(prop(a, 'versions')), defaultStatus: asStatus(prop(a, 'defaultStatus')) },
        ...common,
      });
    }
    for (const config of arr(prop(cna, 'cpeApplicability'))) {
      const nodes: CpeNode[] = arr(prop(config, 'nodes')).map((n) => ({
        operator: prop(n, 'operator') === 'AND' ? 'AND' : 'OR',
        negate: prop(n, 'negate') === true,
        cpeMatch: cpeMatches(prop(n, 'cpeMatch')),
      }));
      const and = prop(config, 'operator') === 'AND';
      nodes.forEach((node, i) => {
        if (node.negate) return;
        for (const match of node.cpeMatch) {
          if (!match.vulnerable) continue;
          const others = and ? nodes.filter((_, j) => j !== i) : [];
          rules.push({
            label: match.criteriaText,
            vendor: match.criteria.vendor,
            product: match.criteria.product,
            keys: [`${match.criteria.vendor}:${match.criteria.product}`],
            cpes: [match.criteria],
            check: { kind: 'cpe', match },
            ...common,
            ...(others.length > 0 ? { platform: others } : {}),
          });
        }
      });
    }
  }
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
