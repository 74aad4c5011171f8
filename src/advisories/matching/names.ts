/**
 * Vendor and product names normalised into index keys, so `Apache Software Foundation / Apache Log4j2`, a CPE
 * `apache:log4j` and an SBOM's `pkg:maven/org.apache.logging.log4j/log4j-core` can meet. The keys only choose
 * candidates; the version check decides.
 */

const MAX_NAME = 256;
const VENDOR_SUFFIXES = new Set(['inc', 'incorporated', 'corp', 'corporation', 'ltd', 'limited', 'llc', 'gmbh', 'ag', 'sa', 'co', 'company', 'foundation', 'software', 'project', 'the', 'oss', 'group']);

/** Lower-case ASCII letter and digit runs (one pass, no regex: this runs for every product of every record). */
export function tokensOf(name: string): string[] {
  const out: string[] = [];
  const text = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) | 0x20 : 0; // | 0x20 folds A-Z to a-z
    const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57 && (text.charCodeAt(i) & 0xff) === c);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(text.slice(start, i).toLowerCase());
      start = -1;
    }
  }
  return out;
}

export function normaliseVendor(vendor: string): string {
  const t = tokensOf(vendor);
  while (t.length > 1 && VENDOR_SUFFIXES.has(t[t.length - 1]!)) t.pop();
  while (t.length > 1 && t[0] === 'the') t.shift();
  return t.join('_');
}

/** Product name tokens without a leading repetition of the vendor (`Microsoft Exchange Server` → exchange_server). */
export function productTokens(vendorKey: string, product: string): string[] {
  const t = tokensOf(product);
  const v = vendorKey.split('_');
  let i = 0;
  while (i < v.length && i < t.length - 1 && t[i] === v[i]) i++;
  return i === v.length ? t.slice(i) : t;
}

export function normaliseProduct(vendorKey: string, product: string): string {
  return productTokens(vendorKey, product).join('_');
}

/**
 * The keys an advisory's product is looked up under: the full name, the name up to its first numeric token
 * (`exchange_server_2016_cumulative_update_19` → `exchange_server`), and the last token without trailing
 * digits (`log4j2` → `log4j`).
 */
const vendorKeys = new Map<string, string>();

/** normaliseVendor, remembered per spelling (vendors repeat across records far more than products). */
export function vendorKey(vendor: string): string {
  let key = vendorKeys.get(vendor);
  if (key === undefined) {
    key = normaliseVendor(vendor);
    if (vendorKeys.size >= 50_000) vendorKeys.clear();
    vendorKeys.set(vendor, key);
  }
  return key;
}

export function productKeyVariants(vendor: string, product: string): readonly string[] {
  return computeVariants(vendor, product);
}

function computeVariants(vendor: string, product: string): string[] {
  const v = vendorKey(vendor);
  const t = productTokens(v, product);
  if (t.length === 0) return [];
  const out = new Set<string>([`${v}:${t.join('_')}`]);
  const firstNumeric = t.findIndex((x) => /^\d/.test(x));
  if (firstNumeric > 0) out.add(`${v}:${t.slice(0, firstNumeric).join('_')}`);
  const last = t[t.length - 1]!;
  const stripped = last.replace(/(?<=[a-z])\d+$/, '');
  if (stripped !== last) out.add(`${v}:${[...t.slice(0, -1), stripped].join('_')}`);
  return [...out];
}

/** The key an inventory entry is filed under. */
export function itemKey(vendor: string, product: string): string {
  const v = normaliseVendor(vendor);
  return `${v}:${normaliseProduct(v, product)}`;
}

export function purlKey(type: string, namespace: string | undefined, name: string): string {
  return `purl:${type.toLowerCase()}/${(namespace ?? '').toLowerCase()}/${name.toLowerCase()}`;
}
