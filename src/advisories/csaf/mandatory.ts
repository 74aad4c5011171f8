/**
 * The CSAF 2.0 mandatory tests (section 6.1): one function per test in a table, each returning its findings as
 * values with the failing JSON pointer. They read the document as untrusted data and never throw, so a document
 * that fails the schema still gets every test that can be applied to it.
 */
import { createRequire } from 'node:module';
import { PackageURL } from 'packageurl-js';
import tags from 'language-tags';
import { arr, isObject, num, prop, str } from '../json.js';
import { cvssScores, severityOf, vectorMetrics } from '../cvss.js';
import { validateCvssSchema } from './schema.js';
import {
  groupReferences,
  indexProductTree,
  MAX_BRANCH_DEPTH,
  productReferences,
  productsOf,
  STATUS_GROUPS,
  type ProductTreeIndex,
} from './product-tree.js';
import { compareCsafVersions, compareDates, parseCsafVersion, type CsafVersion } from './versions.js';

export interface TestFinding {
  /** The test's number in CSAF 2.0 section 6.1, e.g. `6.1.27.4`. */
  readonly test: string;
  readonly path: string;
  readonly message: string;
}

interface Context {
  readonly doc: unknown;
  readonly tree: ProductTreeIndex;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly category: string;
  readonly status: string;
  readonly vulnerabilities: readonly unknown[];
}

type Check = (ctx: Context, report: (path: string, message: string) => void) => void;

const doc = (ctx: Context): unknown => prop(ctx.doc, 'document');
const tracking = (ctx: Context): unknown => prop(doc(ctx), 'tracking');

interface Revision {
  readonly number: string;
  readonly date: string;
  readonly version: CsafVersion | undefined;
  readonly path: string;
}
function revisions(ctx: Context): Revision[] {
  return arr(prop(tracking(ctx), 'revision_history')).flatMap((r, i) => {
    const number = str(prop(r, 'number'));
    if (number === undefined) return [];
    return [{ number, date: str(prop(r, 'date')) ?? '', version: parseCsafVersion(number), path: `/document/tracking/revision_history/${i}` }];
  });
}

function byNumber(a: Revision, b: Revision): number {
  return a.version && b.version ? compareCsafVersions(a.version, b.version) : 0;
}

const isZero = (v: CsafVersion | undefined): boolean => (v?.kind === 'integer' ? v.value === 0 : v?.kind === 'semver' && v.major === 0);
const isPre = (v: CsafVersion | undefined): boolean => v?.kind === 'semver' && v.pre.length > 0;
const released = (ctx: Context): boolean => ctx.status === 'final' || ctx.status === 'interim';

/** Compares versions the way 6.1.16 asks: build metadata never counts; pre-release only outside drafts. */
function sameRelease(a: CsafVersion, b: CsafVersion, ignorePre: boolean): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'integer' || b.kind === 'integer') return a.text === b.text;
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch && (ignorePre || a.pre.join('.') === b.pre.join('.'));
}

let cweNames: ReadonlyMap<string, string> | undefined;
/** CWE id → name from cwe-sdk's dictionary, loaded only when a document names a CWE (it is 8 MB). */
function cwe(): ReadonlyMap<string, string> {
  if (!cweNames) {
    const require = createRequire(import.meta.url);
    const dictionary = require('cwe-sdk/raw/cwe-dictionary.json') as Record<string, { attr?: Record<string, string> }>;
    const names = new Map<string, string>();
    for (const [id, entry] of Object.entries(dictionary)) {
      const name = entry.attr?.['@_Name'];
      if (name !== undefined) names.set(`CWE-${id}`, name);
    }
    cweNames = names;
  }
  return cweNames;
}

const V3_PROPERTIES: Readonly<Record<string, readonly [string, Readonly<Record<string, string>>]>> = (() => {
  const impact = { NONE: 'N', LOW: 'L', HIGH: 'H' };
  const req = { LOW: 'L', MEDIUM: 'M', HIGH: 'H', NOT_DEFINED: 'X' };
  const av = { NETWORK: 'N', ADJACENT_NETWORK: 'A', LOCAL: 'L', PHYSICAL: 'P' };
  const ac = { LOW: 'L', HIGH: 'H' };
  const pr = { NONE: 'N', LOW: 'L', HIGH: 'H' };
  const ui = { NONE: 'N', REQUIRED: 'R' };
  const s = { UNCHANGED: 'U', CHANGED: 'C' };
  const m = <T extends Record<string, string>>(t: T): Record<string, string> => ({ ...t, NOT_DEFINED: 'X' });
  return {
    attackVector: ['AV', av],
    attackComplexity: ['AC', ac],
    privilegesRequired: ['PR', pr],
    userInteraction: ['UI', ui],
    scope: ['S', s],
    confidentialityImpact: ['C', impact],
    integrityImpact: ['I', impact],
    availabilityImpact: ['A', impact],
    exploitCodeMaturity: ['E', { UNPROVEN: 'U', PROOF_OF_CONCEPT: 'P', FUNCTIONAL: 'F', HIGH: 'H', NOT_DEFINED: 'X' }],
    remediationLevel: ['RL', { OFFICIAL_FIX: 'O', TEMPORARY_FIX: 'T', WORKAROUND: 'W', UNAVAILABLE: 'U', NOT_DEFINED: 'X' }],
    reportConfidence: ['RC', { UNKNOWN: 'U', REASONABLE: 'R', CONFIRMED: 'C', NOT_DEFINED: 'X' }],
    confidentialityRequirement: ['CR', req],
    integrityRequirement: ['IR', req],
    availabilityRequirement: ['AR', req],
    modifiedAttackVector: ['MAV', m(av)],
    modifiedAttackComplexity: ['MAC', m(ac)],
    modifiedPrivilegesRequired: ['MPR', m(pr)],
    modifiedUserInteraction: ['MUI', m(ui)],
    modifiedScope: ['MS', m(s)],
    modifiedConfidentialityImpact: ['MC', m(impact)],
    modifiedIntegrityImpact: ['MI', m(impact)],
    modifiedAvailabilityImpact: ['MA', m(impact)],
  };
})();

const V2_PROPERTIES: Readonly<Record<string, readonly [string, Readonly<Record<string, string>>]>> = (() => {
  const impact = { NONE: 'N', PARTIAL: 'P', COMPLETE: 'C' };
  const req = { LOW: 'L', MEDIUM: 'M', HIGH: 'H', NOT_DEFINED: 'ND' };
  return {
    accessVector: ['AV', { NETWORK: 'N', ADJACENT_NETWORK: 'A', LOCAL: 'L' }],
    accessComplexity: ['AC', { HIGH: 'H', MEDIUM: 'M', LOW: 'L' }],
    authentication: ['Au', { MULTIPLE: 'M', SINGLE: 'S', NONE: 'N' }],
    confidentialityImpact: ['C', impact],
    integrityImpact: ['I', impact],
    availabilityImpact: ['A', impact],
    exploitability: ['E', { UNPROVEN: 'U', PROOF_OF_CONCEPT: 'POC', FUNCTIONAL: 'F', HIGH: 'H', NOT_DEFINED: 'ND' }],
    remediationLevel: ['RL', { OFFICIAL_FIX: 'OF', TEMPORARY_FIX: 'TF', WORKAROUND: 'W', UNAVAILABLE: 'U', NOT_DEFINED: 'ND' }],
    reportConfidence: ['RC', { UNCONFIRMED: 'UC', UNCORROBORATED: 'UR', CONFIRMED: 'C', NOT_DEFINED: 'ND' }],
    collateralDamagePotential: ['CDP', { NONE: 'N', LOW: 'L', LOW_MEDIUM: 'LM', MEDIUM_HIGH: 'MH', HIGH: 'H', NOT_DEFINED: 'ND' }],
    targetDistribution: ['TD', { NONE: 'N', LOW: 'L', MEDIUM: 'M', HIGH: 'H', NOT_DEFINED: 'ND' }],
    confidentialityRequirement: ['CR', req],
    integrityRequirement: ['IR', req],
    availabilityRequirement: ['AR', req],
  };
})();

interface ScoreRef {
  readonly kind: 'cvss_v2' | 'cvss_v3';
  readonly value: unknown;
  readonly path: string;
}
function cvssObjects(ctx: Context): ScoreRef[] {
  return ctx.vulnerabilities.flatMap((v, i) =>
    arr(prop(v, 'scores')).flatMap((s, j) =>
      (['cvss_v2', 'cvss_v3'] as const).flatMap((kind) =>
        prop(s, kind) === undefined ? [] : [{ kind, value: prop(s, kind), path: `/vulnerabilities/${i}/scores/${j}/${kind}` }],
      ),
    ),
  );
}

function eachPurl(ctx: Context, visit: (purl: string, path: string) => void): void {
  for (const p of ctx.tree.products) {
    const purl = str(prop(p.helper, 'purl'));
    if (purl !== undefined) visit(purl, p.path.replace(/product_id$/, 'product_identification_helper/purl'));
  }
}

const PROFILE_NAMES = ['csaf_security_incident_response', 'csaf_informational_advisory', 'csaf_security_advisory', 'csaf_vex'];
const PROFILE_TITLES = ['Security incident response', 'Informational Advisory', 'Security Advisory', 'CSAF VEX'];
const squash = (s: string): string => s.toLowerCase().replace(/[-\s_]/g, '');
const PROHIBITED = new Set([
  ...PROFILE_NAMES.flatMap((n) => [squash(n), squash(n.slice('csaf_'.length))]),
  ...PROFILE_TITLES.map(squash),
]);

const RANGE_WORDS = new Set(['after', 'all', 'before', 'earlier', 'later', 'prior', 'versions']);

/** The tests, in the order of the standard. */
export const MANDATORY_TESTS: readonly (readonly [string, string, Check])[] = [
  ['6.1.1', 'Missing Definition of Product ID', (ctx, report) => {
    const defined = new Set(ctx.tree.products.map((p) => p.productId));
    for (const ref of productReferences(ctx.doc))
      if (!defined.has(ref.id)) report(ref.path, `product id ${JSON.stringify(ref.id)} is not defined in the product tree`);
  }],
  ['6.1.2', 'Multiple Definition of Product ID', (ctx, report) => {
    const seen = new Set<string>();
    for (const p of ctx.tree.products) {
      if (seen.has(p.productId)) report(p.path, `product id ${JSON.stringify(p.productId)} is defined more than once`);
      seen.add(p.productId);
    }
  }],
  ['6.1.3', 'Circular Definition of Product ID', (ctx, report) => {
    const rels = arr(prop(prop(ctx.doc, 'product_tree'), 'relationships'));
    const edges = new Map<string, string[]>();
    for (const rel of rels) {
      const id = str(prop(prop(rel, 'full_product_name'), 'product_id'));
      if (id === undefined) continue;
      const to = ['product_reference', 'relates_to_product_reference'].flatMap((k) => str(prop(rel, k)) ?? []);
      edges.set(id, [...(edges.get(id) ?? []), ...to]);
    }
    rels.forEach((rel, i) => {
      const start = str(prop(prop(rel, 'full_product_name'), 'product_id'));
      if (start === undefined) return;
      // Iterative search from this relationship's product: does it reach itself?
      const stack = [...(edges.get(start) ?? [])];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (id === start) {
          report(`/product_tree/relationships/${i}/full_product_name/product_id`, `product id ${JSON.stringify(start)} is defined through itself`);
          return;
        }
        if (seen.has(id)) continue;
        seen.add(id);
        stack.push(...(edges.get(id) ?? []));
      }
    });
  }],
  ['6.1.4', 'Missing Definition of Product Group ID', (ctx, report) => {
    for (const ref of groupReferences(ctx.doc))
      if (!ctx.groups.has(ref.id)) report(ref.path, `product group id ${JSON.stringify(ref.id)} is not defined`);
  }],
  ['6.1.5', 'Multiple Definition of Product Group ID', (ctx, report) => {
    const seen = new Set<string>();
    for (const g of ctx.tree.groups) {
      if (seen.has(g.groupId)) report(g.path, `product group id ${JSON.stringify(g.groupId)} is defined more than once`);
      seen.add(g.groupId);
    }
  }],
  ['6.1.6', 'Contradicting Product Status', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) => {
      const status = prop(v, 'product_status');
      const groupOf = new Map<string, string>();
      for (const [group, keys] of Object.entries(STATUS_GROUPS))
        for (const key of keys)
          arr(prop(status, key)).forEach((id, j) => {
            if (typeof id !== 'string') return;
            const other = groupOf.get(id);
            if (other !== undefined && other !== group)
              report(`/vulnerabilities/${i}/product_status/${key}/${j}`, `product ${JSON.stringify(id)} is both ${other} and ${group}`);
            else groupOf.set(id, group);
          });
    });
  }],
  ['6.1.7', 'Multiple Scores with same Version per Product', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) => {
      const seen = new Set<string>();
      arr(prop(v, 'scores')).forEach((s, j) => {
        const versions = ['cvss_v2', 'cvss_v3'].flatMap((k) => str(prop(prop(s, k), 'version')) ?? []);
        arr(prop(s, 'products')).forEach((id, k) => {
          if (typeof id !== 'string') return;
          for (const version of versions) {
            const key = `${id}\u0000${version}`;
            if (seen.has(key)) report(`/vulnerabilities/${i}/scores/${j}/products/${k}`, `product ${JSON.stringify(id)} has more than one CVSS ${version} score`);
            seen.add(key);
          }
        });
      });
    });
  }],
  ['6.1.8', 'Invalid CVSS', (ctx, report) => {
    for (const ref of cvssObjects(ctx)) {
      const version = str(prop(ref.value, 'version'));
      const schema = ref.kind === 'cvss_v2' ? '2.0' : version === '3.0' ? '3.0' : '3.1';
      for (const f of validateCvssSchema(schema, ref.value, ref.path)) report(f.path, `CVSS ${schema} schema: ${f.message}`);
    }
  }],
  ['6.1.9', 'Invalid CVSS computation', (ctx, report) => {
    for (const ref of cvssObjects(ctx)) {
      const vector = str(prop(ref.value, 'vectorString'));
      if (vector === undefined) continue;
      const scores = cvssScores(vector);
      if (!scores) continue; // an unusable vector is 6.1.8's finding
      const expect: [string, number | undefined][] = [
        ['baseScore', scores.base],
        ['temporalScore', scores.temporal],
        ['environmentalScore', scores.environmental ?? scores.temporal],
      ];
      for (const [key, computed] of expect) {
        const given = num(prop(ref.value, key));
        if (given !== undefined && computed !== undefined && given !== computed)
          report(`${ref.path}/${key}`, `${key} is ${given}; the vector gives ${computed}`);
      }
      if (ref.kind === 'cvss_v3')
        for (const [key, computed] of expect) {
          const sevKey = key.replace('Score', 'Severity');
          const given = str(prop(ref.value, sevKey));
          if (given !== undefined && computed !== undefined && given !== severityOf(computed).toUpperCase())
            report(`${ref.path}/${sevKey}`, `${sevKey} is ${given}; the vector gives ${severityOf(computed).toUpperCase()}`);
        }
    }
  }],
  ['6.1.10', 'Inconsistent CVSS', (ctx, report) => {
    for (const ref of cvssObjects(ctx)) {
      const vector = str(prop(ref.value, 'vectorString'));
      if (vector === undefined || !isObject(ref.value)) continue;
      const metrics = vectorMetrics(vector);
      const table = ref.kind === 'cvss_v2' ? V2_PROPERTIES : V3_PROPERTIES;
      const notDefined = ref.kind === 'cvss_v2' ? 'ND' : 'X';
      for (const [key, [abbr, values]] of Object.entries(table)) {
        const given = str(prop(ref.value, key));
        if (given === undefined) continue;
        const expected = values[given];
        const inVector = metrics.get(abbr) ?? notDefined;
        if (expected !== inVector) report(`${ref.path}/${key}`, `${key} is ${given}, but the vector has ${abbr}:${inVector}`);
      }
    }
  }],
  ['6.1.11', 'CWE', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) => {
      const c = prop(v, 'cwe');
      if (c === undefined) return;
      const id = str(prop(c, 'id'));
      const name = str(prop(c, 'name'));
      if (id === undefined) return;
      const known = cwe().get(id);
      if (known === undefined) report(`/vulnerabilities/${i}/cwe/id`, `${id} is not a CWE weakness`);
      else if (name !== known) report(`/vulnerabilities/${i}/cwe/name`, `${id} is named ${JSON.stringify(known)}, not ${JSON.stringify(name)}`);
    });
  }],
  ['6.1.12', 'Language', (ctx, report) => {
    for (const key of ['lang', 'source_lang']) {
      const lang = str(prop(doc(ctx), key));
      if (lang !== undefined && (lang.length > 64 || !tags.check(lang)))
        report(`/document/${key}`, `${JSON.stringify(lang)} is not a valid language tag`);
    }
  }],
  ['6.1.13', 'PURL', (ctx, report) => {
    eachPurl(ctx, (purl, path) => {
      try {
        PackageURL.fromString(purl);
      } catch (e) {
        report(path, `not a valid package URL: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }],
  ['6.1.14', 'Sorted Revision History', (ctx, report) => {
    const sorted = revisions(ctx).sort(byNumber);
    for (let i = 1; i < sorted.length; i++)
      if (compareDates(sorted[i - 1]!.date, sorted[i]!.date) > 0)
        report(sorted[i]!.path, `revision ${sorted[i]!.number} is dated before revision ${sorted[i - 1]!.number}`);
  }],
  ['6.1.15', 'Translator', (ctx, report) => {
    if (str(prop(prop(doc(ctx), 'publisher'), 'category')) === 'translator' && prop(doc(ctx), 'source_lang') === undefined)
      report('/document/source_lang', 'a translator publishes the document, but source_lang is missing');
  }],
  ['6.1.16', 'Latest Document Version', (ctx, report) => {
    const version = parseCsafVersion(str(prop(tracking(ctx), 'version')) ?? '');
    const latest = revisions(ctx)
      .sort((a, b) => compareDates(a.date, b.date) || byNumber(a, b))
      .at(-1);
    if (!version || !latest?.version) return;
    if (!sameRelease(version, latest.version, ctx.status === 'draft'))
      report('/document/tracking/version', `version ${version.text} is not the latest revision (${latest.number})`);
  }],
  ['6.1.17', 'Document Status Draft', (ctx, report) => {
    const version = parseCsafVersion(str(prop(tracking(ctx), 'version')) ?? '');
    if ((isZero(version) || isPre(version)) && ctx.status !== 'draft')
      report('/document/tracking/status', `version ${version?.text ?? ''} requires status draft, not ${ctx.status}`);
  }],
  ['6.1.18', 'Released Revision History', (ctx, report) => {
    if (!released(ctx)) return;
    for (const r of revisions(ctx))
      if (isZero(r.version)) report(`${r.path}/number`, `a ${ctx.status} document has revision ${r.number}`);
  }],
  ['6.1.19', 'Revision History Entries for Pre-release Versions', (ctx, report) => {
    for (const r of revisions(ctx)) if (isPre(r.version)) report(`${r.path}/number`, `revision ${r.number} is a pre-release`);
  }],
  ['6.1.20', 'Non-draft Document Version', (ctx, report) => {
    const version = parseCsafVersion(str(prop(tracking(ctx), 'version')) ?? '');
    if (released(ctx) && isPre(version)) report('/document/tracking/version', `a ${ctx.status} document has pre-release version ${version?.text ?? ''}`);
  }],
  ['6.1.21', 'Missing Item in Revision History', (ctx, report) => {
    const sorted = revisions(ctx).filter((r) => r.version).sort(byNumber);
    const major = (r: Revision): number => (r.version?.kind === 'integer' ? r.version.value : r.version?.kind === 'semver' ? r.version.major : 0);
    const first = sorted[0];
    if (first && major(first) > 1) report(`${first.path}/number`, `the revision history starts at ${first.number}, not 0 or 1`);
    for (let i = 1; i < sorted.length; i++)
      if (major(sorted[i]!) - major(sorted[i - 1]!) > 1)
        report(`${sorted[i]!.path}/number`, `revisions between ${sorted[i - 1]!.number} and ${sorted[i]!.number} are missing`);
  }],
  ['6.1.22', 'Multiple Definition in Revision History', (ctx, report) => {
    const seen = new Set<string>();
    for (const r of revisions(ctx)) {
      if (seen.has(r.number)) report(`${r.path}/number`, `revision ${r.number} appears more than once`);
      seen.add(r.number);
    }
  }],
  ['6.1.23', 'Multiple Use of Same CVE', (ctx, report) => {
    const seen = new Set<string>();
    ctx.vulnerabilities.forEach((v, i) => {
      const cve = str(prop(v, 'cve'));
      if (cve === undefined) return;
      if (seen.has(cve)) report(`/vulnerabilities/${i}/cve`, `${cve} is used by more than one vulnerability`);
      seen.add(cve);
    });
  }],
  ['6.1.24', 'Multiple Definition in Involvements', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) => {
      const seen: { party: string; date: string }[] = [];
      arr(prop(v, 'involvements')).forEach((inv, j) => {
        const party = str(prop(inv, 'party')) ?? '';
        const date = str(prop(inv, 'date'));
        if (date === undefined) return;
        if (seen.some((s) => s.party === party && compareDates(s.date, date) === 0 && !!s.date))
          report(`/vulnerabilities/${i}/involvements/${j}`, `party ${party} has more than one involvement at ${date}`);
        seen.push({ party, date });
      });
    });
  }],
  ['6.1.25', 'Multiple Use of Same Hash Algorithm', (ctx, report) => {
    for (const p of ctx.tree.products)
      arr(prop(p.helper, 'hashes')).forEach((h, i) => {
        const seen = new Set<string>();
        arr(prop(h, 'file_hashes')).forEach((fh, j) => {
          const alg = str(prop(fh, 'algorithm'));
          if (alg === undefined) return;
          if (seen.has(alg))
            report(p.path.replace(/product_id$/, `product_identification_helper/hashes/${i}/file_hashes/${j}/algorithm`), `hash algorithm ${alg} is used more than once`);
          seen.add(alg);
        });
      });
  }],
  ['6.1.26', 'Prohibited Document Category Name', (ctx, report) => {
    const c = ctx.category;
    if (c === 'csaf_base' || PROFILE_NAMES.includes(c)) return;
    if (/^csaf_/i.test(c)) report('/document/category', `${JSON.stringify(c)} uses the reserved prefix csaf_`);
    else if (PROHIBITED.has(squash(c))) report('/document/category', `${JSON.stringify(c)} is too close to the name of a CSAF profile`);
  }],
  ['6.1.27.1', 'Document Notes', (ctx, report) => {
    if (ctx.category !== 'csaf_informational_advisory' && ctx.category !== 'csaf_security_incident_response') return;
    const ok = arr(prop(doc(ctx), 'notes')).some((n) => ['description', 'details', 'general', 'summary'].includes(str(prop(n, 'category')) ?? ''));
    if (!ok) report('/document/notes', `a ${ctx.category} needs a note of category description, details, general or summary`);
  }],
  ['6.1.27.2', 'Document References', (ctx, report) => {
    if (ctx.category !== 'csaf_informational_advisory' && ctx.category !== 'csaf_security_incident_response') return;
    if (!arr(prop(doc(ctx), 'references')).some((r) => str(prop(r, 'category')) === 'external'))
      report('/document/references', `a ${ctx.category} needs an external reference`);
  }],
  ['6.1.27.3', 'Vulnerabilities', (ctx, report) => {
    if (ctx.category === 'csaf_informational_advisory' && prop(ctx.doc, 'vulnerabilities') !== undefined)
      report('/vulnerabilities', 'an informational advisory must not have vulnerabilities');
  }],
  ['6.1.27.4', 'Product Tree', (ctx, report) => {
    if ((ctx.category === 'csaf_security_advisory' || ctx.category === 'csaf_vex') && prop(ctx.doc, 'product_tree') === undefined)
      report('/product_tree', `a ${ctx.category} needs a product tree`);
  }],
  ['6.1.27.5', 'Vulnerability Notes', (ctx, report) => {
    if (ctx.category !== 'csaf_security_advisory' && ctx.category !== 'csaf_vex') return;
    ctx.vulnerabilities.forEach((v, i) => {
      if (prop(v, 'notes') === undefined) report(`/vulnerabilities/${i}/notes`, `a ${ctx.category} needs notes on every vulnerability`);
    });
  }],
  ['6.1.27.6', 'Product Status', (ctx, report) => {
    if (ctx.category !== 'csaf_security_advisory') return;
    ctx.vulnerabilities.forEach((v, i) => {
      if (prop(v, 'product_status') === undefined) report(`/vulnerabilities/${i}/product_status`, 'a security advisory needs a product status on every vulnerability');
    });
  }],
  ['6.1.27.7', 'VEX Product Status', (ctx, report) => {
    if (ctx.category !== 'csaf_vex') return;
    ctx.vulnerabilities.forEach((v, i) => {
      const s = prop(v, 'product_status');
      if (!['fixed', 'known_affected', 'known_not_affected', 'under_investigation'].some((k) => prop(s, k) !== undefined))
        report(`/vulnerabilities/${i}/product_status`, 'a VEX vulnerability needs fixed, known_affected, known_not_affected or under_investigation');
    });
  }],
  ['6.1.27.8', 'Vulnerability ID', (ctx, report) => {
    if (ctx.category !== 'csaf_vex') return;
    ctx.vulnerabilities.forEach((v, i) => {
      if (prop(v, 'cve') === undefined && prop(v, 'ids') === undefined) report(`/vulnerabilities/${i}`, 'a VEX vulnerability needs a cve or ids');
    });
  }],
  ['6.1.27.9', 'Impact Statement', (ctx, report) => {
    if (ctx.category !== 'csaf_vex') return;
    ctx.vulnerabilities.forEach((v, i) => {
      const covered = new Set<string>();
      for (const f of arr(prop(v, 'flags'))) for (const id of productsOf(f, ctx.groups)) covered.add(id);
      for (const t of arr(prop(v, 'threats')))
        if (str(prop(t, 'category')) === 'impact') for (const id of productsOf(t, ctx.groups)) covered.add(id);
      arr(prop(prop(v, 'product_status'), 'known_not_affected')).forEach((id, j) => {
        if (typeof id === 'string' && !covered.has(id))
          report(`/vulnerabilities/${i}/product_status/known_not_affected/${j}`, `product ${JSON.stringify(id)} is not affected but has no impact statement`);
      });
    });
  }],
  ['6.1.27.10', 'Action Statement', (ctx, report) => {
    if (ctx.category !== 'csaf_vex') return;
    ctx.vulnerabilities.forEach((v, i) => {
      const covered = new Set<string>();
      for (const r of arr(prop(v, 'remediations'))) for (const id of productsOf(r, ctx.groups)) covered.add(id);
      arr(prop(prop(v, 'product_status'), 'known_affected')).forEach((id, j) => {
        if (typeof id === 'string' && !covered.has(id))
          report(`/vulnerabilities/${i}/product_status/known_affected/${j}`, `product ${JSON.stringify(id)} is affected but has no action statement`);
      });
    });
  }],
  ['6.1.27.11', 'Vulnerabilities', (ctx, report) => {
    if (ctx.category === 'csaf_security_advisory' && prop(ctx.doc, 'vulnerabilities') === undefined)
      report('/vulnerabilities', 'a security advisory needs vulnerabilities');
  }],
  ['6.1.28', 'Translation', (ctx, report) => {
    const lang = str(prop(doc(ctx), 'lang'));
    const source = str(prop(doc(ctx), 'source_lang'));
    if (lang !== undefined && source !== undefined && lang.toLowerCase() === source.toLowerCase())
      report('/document/source_lang', `source_lang equals lang (${lang})`);
  }],
  ['6.1.29', 'Remediation without Product Reference', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) =>
      arr(prop(v, 'remediations')).forEach((r, j) => {
        if (prop(r, 'product_ids') === undefined && prop(r, 'group_ids') === undefined)
          report(`/vulnerabilities/${i}/remediations/${j}`, 'the remediation names neither products nor groups');
      }),
    );
  }],
  ['6.1.30', 'Mixed Integer and Semantic Versioning', (ctx, report) => {
    const version = parseCsafVersion(str(prop(tracking(ctx), 'version')) ?? '');
    if (!version) return;
    for (const r of revisions(ctx))
      if (r.version && r.version.kind !== version.kind)
        report(`${r.path}/number`, `revision ${r.number} uses ${r.version.kind} versioning, the document ${version.kind}`);
  }],
  ['6.1.31', 'Version Range in Product Version', (ctx, report) => {
    for (const b of ctx.tree.versionBranches) {
      const words = b.name.toLowerCase().split(/\s+/);
      if (/[<>]/.test(b.name) || words.some((w) => RANGE_WORDS.has(w)))
        report(b.path, `${JSON.stringify(b.name)} is a version range, not a version`);
    }
  }],
  ['6.1.32', 'Flag without Product Reference', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) =>
      arr(prop(v, 'flags')).forEach((f, j) => {
        if (prop(f, 'product_ids') === undefined && prop(f, 'group_ids') === undefined)
          report(`/vulnerabilities/${i}/flags/${j}`, 'the flag names neither products nor groups');
      }),
    );
  }],
  ['6.1.33', 'Multiple Flags with VEX Justification Codes per Product', (ctx, report) => {
    ctx.vulnerabilities.forEach((v, i) => {
      const seen = new Set<string>();
      arr(prop(v, 'flags')).forEach((f, j) => {
        for (const id of productsOf(f, ctx.groups)) {
          if (seen.has(id)) report(`/vulnerabilities/${i}/flags/${j}`, `product ${JSON.stringify(id)} has more than one VEX justification flag`);
          seen.add(id);
        }
      });
    });
  }],
];

/** Runs every mandatory test over a parsed document. */
export function runMandatoryTests(document: unknown): TestFinding[] {
  const tree = indexProductTree(document);
  const groups = new Map<string, readonly string[]>();
  for (const g of tree.groups) if (!groups.has(g.groupId)) groups.set(g.groupId, g.productIds);
  const ctx: Context = {
    doc: document,
    tree,
    groups,
    category: str(prop(prop(document, 'document'), 'category')) ?? '',
    status: str(prop(prop(prop(document, 'document'), 'tracking'), 'status')) ?? '',
    vulnerabilities: arr(prop(document, 'vulnerabilities')),
  };
  const out: TestFinding[] = [];
  for (const p of tree.tooDeep) out.push({ test: 'depth', path: p, message: `branches nest deeper than the ${MAX_BRANCH_DEPTH} levels Vigil reads` });
  for (const [test, , check] of MANDATORY_TESTS) {
    try {
      check(ctx, (path, message) => out.push({ test, path, message }));
    } catch (e) {
      // A test must never take the validator down; a failure to run is itself a finding.
      out.push({ test, path: '', message: `the test could not run: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return out;
}
