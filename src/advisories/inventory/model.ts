/**
 * The software a constituent organisation runs: one entry per product and version, named by vendor/product/
 * version, a CPE 2.3 name, a package URL, or several of these. `normaliseItem` fills the names from a CPE or
 * purl and checks both, so every stored entry is one the matcher can use.
 */
import { PackageURL } from 'packageurl-js';
import { parseCpe, cpeValue } from '../matching/cpe.js';

export interface InventoryItem {
  readonly id?: string;
  readonly organisationId: string;
  readonly vendor: string;
  readonly product: string;
  /** Empty when unknown (matches are then "possibly affected"). */
  readonly version: string;
  readonly cpe?: string;
  readonly purl?: string;
  /** Where it came from: `software.csv:12`, `sbom.cdx.json /components/3`. */
  readonly source?: string;
}

export interface ItemInput {
  readonly organisationId: string;
  readonly vendor?: string | undefined;
  readonly product?: string | undefined;
  readonly version?: string | undefined;
  readonly cpe?: string | undefined;
  readonly purl?: string | undefined;
  readonly source?: string | undefined;
}

const MAX_FIELD = 1024;
const clean = (s: string | undefined): string => (s ?? '').trim().slice(0, MAX_FIELD);

/** A vendor for a package: Maven `org.apache.logging.log4j` → apache; npm `@angular` → angular; else the type. */
export function vendorOfPackage(type: string, namespace: string | undefined): string {
  if (!namespace) return type;
  const ns = namespace.replace(/^@/, '');
  if (type === 'maven' || type === 'nuget') {
    const parts = ns.split('.');
    return parts.length >= 2 && ['org', 'com', 'net', 'io', 'de', 'nl', 'eu', 'fr', 'uk'].includes(parts[0]!) ? parts[1]! : parts[0]!;
  }
  return ns.split('/')[0]!;
}

/** A checked, filled-in entry, or the reason it cannot be one. */
export function normaliseItem(input: ItemInput): InventoryItem | { readonly error: string } {
  let vendor = clean(input.vendor);
  let product = clean(input.product);
  let version = clean(input.version);
  const cpeText = clean(input.cpe);
  const purlText = clean(input.purl);
  if (cpeText) {
    const cpe = parseCpe(cpeText);
    if (!cpe) return { error: `not a CPE 2.3 formatted string: ${JSON.stringify(cpeText.slice(0, 80))}` };
    vendor ||= cpeValue(cpe.vendor);
    product ||= cpeValue(cpe.product);
    if (!version && cpe.version !== '*' && cpe.version !== '-') version = cpeValue(cpe.version);
  }
  if (purlText) {
    let purl: PackageURL;
    try {
      purl = PackageURL.fromString(purlText);
    } catch (e) {
      return { error: `not a package URL: ${e instanceof Error ? e.message : String(e)}` };
    }
    vendor ||= vendorOfPackage(purl.type, purl.namespace ?? undefined);
    product ||= purl.name;
    version ||= purl.version ?? '';
  }
  if (!product) return { error: 'no product: give vendor/product, a CPE or a package URL' };
  if (!input.organisationId) return { error: 'no organisation' };
  return {
    organisationId: input.organisationId,
    vendor,
    product,
    version,
    ...(cpeText ? { cpe: cpeText } : {}),
    ...(purlText ? { purl: purlText } : {}),
    ...(input.source ? { source: input.source } : {}),
  };
}
