// Advisory matching at a national CERT's scale: 250,000 CVE JSON 5 records (generated from the range forms of
// the eight sample records: Microsoft lessThan builds and "publication", Log4j changes, NimBLE
// lessThanOrEqual + defaultStatus, cpeApplicability) against 10,000 inventory entries of 500 organisations.
// Each record is JSON text parsed, read into product rules and matched through the vendor:product index.
// Command: node --import tsx bench/advisories.bench.ts (BENCH_RECORDS, BENCH_ITEMS to change the sizes)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cveToAdvisory } from '../src/advisories/cve/record.js';
import { normaliseItem, type InventoryItem } from '../src/advisories/inventory/model.js';
import { InventoryIndex } from '../src/advisories/matching/matcher.js';
import { mayMatch } from '../src/advisories/matching/prefilter.js';
import { SHARED_DATA } from './fixtures.js';
import { table } from './report.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 250_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const BATCH = 5_000;
const PRODUCTS = 50_000; // distinct vendor/product names across the generated records
const OWNED = 2_500; // of them, the products the constituency runs (10,000 entries: four versions each)

interface Template {
  readonly id: string;
  readonly record: Record<string, unknown>;
}

// The samples, reduced to what the intake reads (descriptions, references and timelines dropped; the ADPs'
// affected entries kept, as the matcher reads them), as templates.
const templates: Template[] = readdirSync(join(SHARED_DATA, 'cve'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const r = JSON.parse(readFileSync(join(SHARED_DATA, 'cve', f), 'utf8')) as {
      cveMetadata: Record<string, unknown>;
      containers: { cna: Record<string, unknown>; adp?: { metrics?: unknown; providerMetadata?: unknown; affected?: unknown }[] };
      dataType: string;
      dataVersion: string;
    };
    const cna = r.containers.cna;
    return {
      id: f,
      record: {
        dataType: r.dataType,
        dataVersion: r.dataVersion,
        cveMetadata: r.cveMetadata,
        containers: {
          cna: { providerMetadata: cna['providerMetadata'], title: cna['title'], affected: cna['affected'], cpeApplicability: cna['cpeApplicability'], metrics: cna['metrics'] },
          adp: (r.containers.adp ?? []).map((a) => ({ providerMetadata: a.providerMetadata, metrics: a.metrics, affected: a.affected })),
        },
      },
    };
  });

const vendorOf = (p: number): string => `Vendor ${p % 20_000}`; // 20,000 vendors, as in the CVE list's order of magnitude
/** Product names are words, as real ones are (a number in a name starts a version-like suffix). */
const alpha = (n: number): string => {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
};
const productOf = (p: number): string => `Product ${alpha(p)}`;

/** Record `i`: template `i % 8` renamed to product `p` (its vendor, product and CPE names). */
function recordText(i: number): string {
  const t = templates[i % templates.length]!;
  const p = (i * 7919) % PRODUCTS;
  const vendor = vendorOf(p);
  const product = productOf(p);
  const cpeName = `${vendor.toLowerCase().replace(/ /g, '_')}:${product.toLowerCase().replace(/ /g, '_')}`;
  const text = JSON.stringify(t.record)
    .replace(/"cveId":"CVE-\d{4}-\d+"/, `"cveId":"CVE-2030-${String(100000 + i)}"`)
    .replace(/"vendor":"[^"]*"/g, `"vendor":"${vendor}"`)
    .replace(/"product":"(Microsoft Exchange Server|Apache Log4j2|Apache NimBLE|nimble)([^"]*)"/g, `"product":"${product}$2"`)
    .replace(/cpe:2\.3:a:(microsoft:exchange_server|apache:nimble)/g, `cpe:2.3:a:${cpeName}`);
  return text;
}

// Inventory: entries spread over 500 organisations; product names from the same pool, versions from the
// samples' ranges so that a share of them is affected.
const VERSIONS = ['15.01.2176.009', '15.02.0858.010', '15.00.1497.012', '2.14.1', '2.17.1', '1.6.0', '1.7.0', '15.02.1118.021'];
const items: InventoryItem[] = [];
for (let i = 0; i < ITEMS; i++) {
  const p = ((i % OWNED) * 20) % PRODUCTS; // every 20th product name
  const item = normaliseItem({
    organisationId: `org-${i % 500}`,
    vendor: vendorOf(p),
    product: productOf(p),
    version: VERSIONS[i % VERSIONS.length]!,
  });
  if (!('error' in item)) items.push({ ...item, id: `item-${i}` });
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const indexStart = cpu();
const index = new InventoryIndex(items);
const indexSeconds = cpu() - indexStart;

let timed = 0;
let parseSeconds = 0;
let readSeconds = 0;
let matchSeconds = 0;
let matches = 0;
let affected = 0;
let rules = 0;
let candidates = 0;
let scanned = 0;
let bytes = 0;
const orgs = new Set<string>();
const wallStart = performance.now();
for (let start = 0; start < RECORDS; start += BATCH) {
  // Generating the text is not timed; parsing, reading and matching it is.
  const texts: string[] = [];
  for (let i = start; i < Math.min(RECORDS, start + BATCH); i++) texts.push(recordText(i));
  const t0 = cpu();
  const parsed = texts.filter((text) => mayMatch(text, index.hasVendor)).map((text) => JSON.parse(text) as unknown);
  scanned += texts.length - parsed.length;
  const t1 = cpu();
  const advisories = parsed.map((r) => cveToAdvisory(r, index.readOptions));
  for (const a of advisories) if (a.rules.length > 0) candidates++;
  const t2 = cpu();
  for (const advisory of advisories) {
    rules += advisory.rules.length;
    for (const m of index.match(advisory)) {
      matches++;
      if (m.status === 'affected') affected++;
      orgs.add(m.organisationId);
    }
  }
  const t3 = cpu();
  for (const text of texts) bytes += text.length;
  parseSeconds += t1 - t0;
  readSeconds += t2 - t1;
  matchSeconds += t3 - t2;
  timed += t3 - t0;
}
const wall = (performance.now() - wallStart) / 1000;

console.log(`## Advisory matching

Command: \`node --import tsx bench/advisories.bench.ts\`. ${RECORDS.toLocaleString('en')} CVE JSON 5 records generated from
the eight sample records' range forms (renamed over ${PRODUCTS.toLocaleString('en')} vendor/product names; ${(bytes / 2 ** 20).toFixed(0)} MiB
of JSON), each scanned and, where it can match, parsed, read and matched against ${items.length.toLocaleString('en')} inventory entries of 500 organisations running
${OWNED.toLocaleString('en')} of those products (of 20,000 vendors), indexed by normalised vendor:product. Each record's text is
first scanned for the vendors it names (\`matching/prefilter.ts\`): ${scanned.toLocaleString('en')} records name no vendor the
constituency runs and are never parsed; the others are parsed, their product keys looked up before anything else is read,
and the ${candidates.toLocaleString('en')} that name a product the constituency runs are read in full
(${rules.toLocaleString('en')} product rules) and matched. CPU time of
this process (process.cpuUsage), not wall-clock, as the machine is shared; generating the JSON text is not counted.
Goal: under 10 s.

${table(
  ['Figure', 'Value'],
  [
    ['Index the inventory (CPU)', `${indexSeconds.toFixed(2)} s`],
    ['Parse, read and match every record (CPU)', `${timed.toFixed(1)} s`],
    ['… of which the vendor scan and JSON.parse', `${parseSeconds.toFixed(1)} s`],
    ['… of which reading records (keys, then rules for candidates)', `${readSeconds.toFixed(1)} s`],
    ['… of which matching against the inventory index', `${matchSeconds.toFixed(1)} s`],
    ['Records per second (CPU)', Math.round(RECORDS / timed).toLocaleString('en')],
    ['Matches (affected / possibly)', `${matches.toLocaleString('en')} (${affected.toLocaleString('en')} / ${(matches - affected).toLocaleString('en')})`],
    ['Organisations with a match', String(orgs.size)],
    ['Wall-clock, including generation', `${wall.toFixed(1)} s`],
  ],
)}`);
