/**
 * Our advisory as a CSAF 2.0 security advisory (csaf_security_advisory): product tree from vendor → product →
 * version (or version range), one vulnerability per CVE (one without a CVE id when none is named), every
 * product known_affected with the remediation as a vendor fix and CVSS 3.x scores from the vectors. The output
 * is checked with the same validator as intake (schema and mandatory tests) before it may be published.
 */
import type { Tlp } from '../../core/tlp.js';
import { cvssScores } from '../cvss.js';
import type { OwnAdvisory } from './model.js';

export interface Publisher {
  readonly name: string;
  /** The publisher's URL (CSAF: namespace). */
  readonly namespace: string;
  readonly contact?: string;
}

/** CSAF 2.0 knows TLP 1.0 labels: CLEAR is WHITE; AMBER+STRICT is AMBER with the restriction in words. */
export function csafTlp(tlp: Tlp): { label: 'WHITE' | 'GREEN' | 'AMBER' | 'RED'; text?: string } {
  switch (tlp) {
    case 'CLEAR':
      return { label: 'WHITE' };
    case 'AMBER+STRICT':
      return { label: 'AMBER', text: 'TLP:AMBER+STRICT: the recipient organisation only, no further sharing.' };
    default:
      return { label: tlp };
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toCsaf(a: OwnAdvisory, publisher: Publisher, releasedAt: number, generator = 'Vigil'): Record<string, unknown> {
  const branches: Record<string, unknown>[] = [];
  const productIds: string[] = [];
  const scoreEntries: Record<string, unknown>[] = [];
  let n = 0;
  const nextId = (): string => `VIGIL-PID-${String(++n).padStart(4, '0')}`;
  const byVendor = new Map<string, Record<string, unknown>[]>();
  for (const p of a.products) {
    const helper = {
      ...(p.cpe ? { cpe: p.cpe } : {}),
      ...(p.purl ? { purl: p.purl } : {}),
    };
    const full = (name: string): Record<string, unknown> => {
      const id = nextId();
      productIds.push(id);
      const scores = p.cvssVector ? cvssScores(p.cvssVector) : undefined;
      if (scores && (scores.version === '3.1' || scores.version === '3.0'))
        scoreEntries.push({
          products: [id],
          cvss_v3: { version: scores.version, vectorString: scores.vector, baseScore: scores.base, baseSeverity: scores.severity.toUpperCase() },
        });
      return { name, product_id: id, ...(Object.keys(helper).length > 0 ? { product_identification_helper: helper } : {}) };
    };
    const productBranch: Record<string, unknown> = { category: 'product_name', name: p.product };
    if (p.versions.length > 0)
      productBranch['branches'] = p.versions.map((v) => ({ category: 'product_version', name: v, product: full(`${p.vendor} ${p.product} ${v}`) }));
    else if (p.range !== undefined)
      productBranch['branches'] = [{ category: 'product_version_range', name: p.range, product: full(`${p.vendor} ${p.product} ${p.range}`) }];
    else productBranch['product'] = full(`${p.vendor} ${p.product}`);
    let list = byVendor.get(p.vendor);
    if (!list) byVendor.set(p.vendor, (list = []));
    list.push(productBranch);
  }
  for (const [vendor, products] of byVendor) branches.push({ category: 'vendor', name: vendor, branches: products });

  const tlp = csafTlp(a.tlp);
  const released = iso(releasedAt);
  const vulnerability = (cve: string | undefined): Record<string, unknown> => ({
    ...(cve ? { cve } : { title: a.title }),
    notes: [{ category: 'description', text: a.summary || a.title, title: 'Description' }],
    ...(productIds.length > 0
      ? {
          product_status: { known_affected: productIds },
          ...(a.remediation.trim() ? { remediations: [{ category: 'vendor_fix', details: a.remediation, product_ids: productIds }] } : {}),
          ...(scoreEntries.length > 0 ? { scores: scoreEntries } : {}),
        }
      : {}),
  });
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      distribution: { tlp: { label: tlp.label, url: 'https://www.first.org/tlp/' }, ...(tlp.text ? { text: tlp.text } : {}) },
      lang: 'en',
      notes: [{ category: 'summary', text: a.summary || a.title, title: 'Summary' }],
      publisher: {
        category: 'coordinator',
        name: publisher.name,
        namespace: publisher.namespace,
        ...(publisher.contact ? { contact_details: publisher.contact } : {}),
      },
      ...(a.references.length > 0 ? { references: a.references.map((url) => ({ category: 'external', summary: 'Reference', url })) } : {}),
      title: a.title,
      tracking: {
        current_release_date: released,
        generator: { date: released, engine: { name: generator } },
        id: a.id,
        initial_release_date: released,
        revision_history: [{ date: released, number: '1', summary: 'Initial version.' }],
        status: 'final',
        version: '1',
      },
    },
    product_tree: { branches },
    vulnerabilities: a.cves.length > 0 ? a.cves.map((c) => vulnerability(c)) : [vulnerability(undefined)],
  };
}
