/**
 * Inventory files: CSV (header row: organisation, vendor, product, version, cpe, purl — any order, any case),
 * JSON (an array of such objects, or `{ "software": [...] }`), CycloneDX JSON SBOMs (components, nested
 * components) and SPDX 2.x JSON SBOMs (packages with versionInfo, supplier, cpe23Type and purl references).
 * A bad row is an issue naming file and line (or JSON pointer); every other row is kept.
 */
import { issue, type Issue } from '../../core/issue.js';
import { csvRecords } from '../../ingest/csv/reader.js';
import { arr, isObject, prop, str } from '../json.js';
import { normaliseItem, type InventoryItem, type ItemInput } from './model.js';

export interface InventoryImport {
  readonly format: 'csv' | 'json' | 'cyclonedx' | 'spdx';
  readonly items: readonly InventoryItem[];
  readonly issues: readonly Issue[];
}

const MAX_ITEMS = 200_000;
const MAX_DEPTH = 32;

const COLUMNS: Readonly<Record<string, keyof Omit<ItemInput, 'source'>>> = {
  organisation: 'organisationId',
  organization: 'organisationId',
  organisation_id: 'organisationId',
  organization_id: 'organisationId',
  organisationid: 'organisationId',
  org: 'organisationId',
  vendor: 'vendor',
  manufacturer: 'vendor',
  publisher: 'vendor',
  product: 'product',
  name: 'product',
  software: 'product',
  version: 'version',
  cpe: 'cpe',
  cpe23: 'cpe',
  purl: 'purl',
  package_url: 'purl',
};

/** The field a column or key names; own keys only, so `__proto__` or `constructor` names nothing. */
const column = (name: string): keyof Omit<ItemInput, 'source'> | undefined => {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return Object.hasOwn(COLUMNS, key) ? COLUMNS[key] : undefined;
};

class Collector {
  readonly items: InventoryItem[] = [];
  readonly issues: Issue[] = [];
  constructor(
    readonly file: string,
    readonly organisationId: string | undefined,
  ) {}
  add(input: Omit<ItemInput, 'organisationId'> & { organisationId?: string | undefined }, where: { line?: number; path?: string }): void {
    if (this.items.length >= MAX_ITEMS) {
      if (this.items.length === MAX_ITEMS) this.issues.push(issue('inventory.too-many', `more than ${MAX_ITEMS} entries; the rest skipped`, { file: this.file, ...where }));
      return;
    }
    const organisationId = this.organisationId ?? input.organisationId ?? '';
    const source = `${this.file}${where.line !== undefined ? `:${where.line}` : ''}${where.path !== undefined ? ` ${where.path}` : ''}`;
    const item = normaliseItem({ ...input, organisationId, source });
    if ('error' in item) this.issues.push(issue('inventory.entry', item.error, { file: this.file, ...where }));
    else this.items.push(item);
  }
}

export async function importCsvInventory(bytes: Uint8Array, file: string, organisationId?: string): Promise<InventoryImport> {
  const out = new Collector(file, organisationId);
  let header: (keyof ItemInput | undefined)[] | undefined;
  for await (const rec of csvRecords({ bytes })) {
    if ('error' in rec) {
      out.issues.push(issue('inventory.csv', rec.error, { file, line: rec.line }));
      continue;
    }
    if (!header) {
      header = rec.cells.map(column);
      if (!header.includes('product') && !header.includes('cpe') && !header.includes('purl')) {
        out.issues.push(issue('inventory.csv.header', 'the header names none of product, name, cpe, purl', { file, line: rec.line }));
        break;
      }
      continue;
    }
    if (rec.cells.every((c) => c.trim() === '')) continue;
    const input: Record<string, string> = {};
    rec.cells.forEach((cell, i) => {
      const key = header![i];
      if (key) input[key] = cell;
    });
    out.add(input, { line: rec.line });
  }
  return { format: 'csv', items: out.items, issues: out.issues };
}

function supplierName(value: unknown): string | undefined {
  // SPDX: "Organization: Apache Software Foundation" / "Person: …" / NOASSERTION.
  const s = str(value);
  if (s === undefined || s === 'NOASSERTION') return undefined;
  return s.replace(/^(Organization|Person|Tool):\s*/i, '').replace(/\s*\([^)]*\)\s*$/, '');
}

function cycloneDx(doc: unknown, out: Collector): void {
  const walk = (components: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      out.issues.push(issue('inventory.cyclonedx.depth', `components nest deeper than ${MAX_DEPTH}`, { file: out.file, path }));
      return;
    }
    arr(components).forEach((c, i) => {
      const here = `${path}/${i}`;
      const type = str(prop(c, 'type'));
      if (type === 'application' || type === 'library' || type === 'framework' || type === 'operating-system' || type === 'firmware' || type === 'device' || type === undefined || type === 'platform' || type === 'container')
        out.add(
          {
            vendor: str(prop(prop(c, 'supplier'), 'name')) ?? str(prop(c, 'publisher')) ?? str(prop(prop(c, 'manufacturer'), 'name')) ?? (str(prop(c, 'purl')) ? undefined : str(prop(c, 'group'))),
            product: str(prop(c, 'name')),
            version: str(prop(c, 'version')),
            cpe: str(prop(c, 'cpe')),
            purl: str(prop(c, 'purl')),
          },
          { path: here },
        );
      if (prop(c, 'components') !== undefined) walk(prop(c, 'components'), `${here}/components`, depth + 1);
    });
  };
  const metaComponent = prop(prop(doc, 'metadata'), 'component');
  if (isObject(metaComponent)) walk([metaComponent], '/metadata/component', 1);
  walk(prop(doc, 'components'), '/components', 1);
}

function spdx(doc: unknown, out: Collector): void {
  arr(prop(doc, 'packages')).forEach((p, i) => {
    let cpe: string | undefined;
    let purl: string | undefined;
    for (const ref of arr(prop(p, 'externalRefs'))) {
      const type = str(prop(ref, 'referenceType'));
      const locator = str(prop(ref, 'referenceLocator'));
      if ((type === 'cpe23Type' || type === 'cpe23') && cpe === undefined) cpe = locator;
      if (type === 'purl' && purl === undefined) purl = locator;
    }
    const version = str(prop(p, 'versionInfo'));
    out.add(
      { vendor: supplierName(prop(p, 'supplier')) ?? supplierName(prop(p, 'originator')), product: str(prop(p, 'name')), version: version === 'NOASSERTION' ? undefined : version, cpe, purl },
      { path: `/packages/${i}` },
    );
  });
}

export function importJsonInventory(bytes: Uint8Array, file: string, organisationId?: string): InventoryImport {
  const out = new Collector(file, organisationId);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch (e) {
    out.issues.push(issue('inventory.json', `not JSON: ${e instanceof Error ? e.message : String(e)}`, { file }));
    return { format: 'json', items: [], issues: out.issues };
  }
  if (prop(doc, 'bomFormat') === 'CycloneDX') {
    cycloneDx(doc, out);
    return { format: 'cyclonedx', items: out.items, issues: out.issues };
  }
  if (typeof prop(doc, 'spdxVersion') === 'string') {
    spdx(doc, out);
    return { format: 'spdx', items: out.items, issues: out.issues };
  }
  const rows = Array.isArray(doc) ? doc : arr(prop(doc, 'software'));
  const base = Array.isArray(doc) ? '' : '/software';
  if (!Array.isArray(doc) && !Array.isArray(prop(doc, 'software')))
    out.issues.push(issue('inventory.json.shape', 'expected an array of entries, {"software": [...]}, a CycloneDX or an SPDX SBOM', { file }));
  rows.forEach((row, i) => {
    if (!isObject(row)) {
      out.issues.push(issue('inventory.entry', 'not an object', { file, path: `${base}/${i}` }));
      return;
    }
    const input: Record<string, string> = {};
    for (const [key, value] of Object.entries(row)) {
      const field = column(key);
      if (field && (typeof value === 'string' || typeof value === 'number')) input[field] = String(value);
    }
    out.add(input, { path: `${base}/${i}` });
  });
  return { format: 'json', items: out.items, issues: out.issues };
}

/** Sniffs CSV or JSON (CycloneDX, SPDX, plain) from the first non-blank byte. */
export async function importInventory(bytes: Uint8Array, file: string, organisationId?: string): Promise<InventoryImport> {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  const first = bytes[i];
  if (first === 0x5b || first === 0x7b) return importJsonInventory(bytes.subarray(i), file, organisationId);
  return importCsvInventory(bytes, file, organisationId);
}
