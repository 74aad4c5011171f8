// Inventory files: CSV, JSON, CycloneDX and SPDX; bad rows named by line or pointer, the rest kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importInventory } from '../../src/advisories/inventory/import.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const rows = (r: Awaited<ReturnType<typeof importInventory>>) => r.items.map((i) => [i.organisationId, i.vendor, i.product, i.version, i.cpe ?? '', i.purl ?? '']);

test('CSV: any column order and case, names filled from CPE and purl, bad rows by line', async () => {
  const csv = 'Organisation,CPE,Version,purl,Vendor,Name\norg-a,cpe:2.3:a:microsoft:exchange_server:2016:*:*:*:*:*:*:*,15.01.2176.009,,,\norg-b,,,pkg:npm/%40angular/core@16.2.0,,\norg-c,cpe:2.3:x,,,,\n"org-d",,1.0,,"Acme, Inc.","Widget ""Pro"""\n';
  const r = await importInventory(enc(csv), 'inv.csv');
  assert.equal(r.format, 'csv');
  assert.deepEqual(rows(r), [
    ['org-a', 'microsoft', 'exchange_server', '15.01.2176.009', 'cpe:2.3:a:microsoft:exchange_server:2016:*:*:*:*:*:*:*', ''],
    ['org-b', 'angular', 'core', '16.2.0', '', 'pkg:npm/%40angular/core@16.2.0'],
    ['org-d', 'Acme, Inc.', 'Widget "Pro"', '1.0', '', ''],
  ]);
  assert.deepEqual(r.issues.map((i) => [i.code, i.line]), [['inventory.entry', 4]]);
  assert.equal(r.items[0]!.source, 'inv.csv:2');
});

test('JSON: an array or {"software": [...]}, fixed organisation, hostile keys are ignored', async () => {
  const text = '{"software": [{"vendor": "Apache", "product": "NimBLE", "version": "1.6.0", "__proto__": "x", "constructor": "y"}, "nonsense", {"vendor": "x"}]}';
  const r = await importInventory(enc(text), 'inv.json', 'org-x');
  assert.deepEqual(rows(r), [['org-x', 'Apache', 'NimBLE', '1.6.0', '', '']]);
  assert.deepEqual(r.issues.map((i) => [i.path, i.message]), [
    ['/software/1', 'not an object'],
    ['/software/2', 'no product: give vendor/product, a CPE or a package URL'],
  ]);
  const bad = await importInventory(enc('{"software": '), 'broken.json', 'org-x');
  assert.equal(bad.items.length, 0);
  assert.match(bad.issues[0]!.message, /^not JSON/);
});

test('CycloneDX: metadata component, nested components, supplier and purl', async () => {
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'application', name: 'Portal', version: '3.2', supplier: { name: 'Example Org' } } },
    components: [
      { type: 'library', name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', group: 'org.apache.logging.log4j' },
      { type: 'library', name: 'spring-core', version: '5.3.0', components: [{ type: 'library', name: 'inner', version: '0.1', publisher: 'Someone' }] },
      { type: 'file', name: 'README' },
    ],
  };
  const r = await importInventory(enc(JSON.stringify(bom)), 'bom.cdx.json', 'org-a');
  assert.equal(r.format, 'cyclonedx');
  assert.deepEqual(rows(r), [
    ['org-a', 'Example Org', 'Portal', '3.2', '', ''],
    ['org-a', 'apache', 'log4j-core', '2.14.1', '', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
    ['org-a', '', 'spring-core', '5.3.0', '', ''],
    ['org-a', 'Someone', 'inner', '0.1', '', ''],
  ]);
  // Nesting past the bound is reported, not recursed into.
  let components: unknown[] = [{ type: 'library', name: 'deep', version: '1' }];
  for (let i = 0; i < 100; i++) components = [{ type: 'library', name: `n${i}`, version: '1', components }];
  const deep = await importInventory(enc(JSON.stringify({ bomFormat: 'CycloneDX', components })), 'deep.json', 'o');
  assert.ok(deep.issues.some((i) => i.code === 'inventory.cyclonedx.depth'));
});

test('SPDX 2.3 JSON: supplier, versionInfo, cpe23Type and purl references', async () => {
  const spdx = {
    spdxVersion: 'SPDX-2.3',
    packages: [
      {
        name: 'nimble',
        versionInfo: '1.6.0',
        supplier: 'Organization: Apache Software Foundation',
        externalRefs: [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:apache:nimble:1.6.0:*:*:*:*:*:*:*' }],
      },
      { name: 'left-pad', versionInfo: 'NOASSERTION', supplier: 'NOASSERTION', externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:npm/left-pad@1.3.0' }] },
    ],
  };
  const r = await importInventory(enc(JSON.stringify(spdx)), 'sbom.spdx.json', 'org-a');
  assert.equal(r.format, 'spdx');
  assert.deepEqual(rows(r), [
    ['org-a', 'Apache Software Foundation', 'nimble', '1.6.0', 'cpe:2.3:a:apache:nimble:1.6.0:*:*:*:*:*:*:*', ''],
    ['org-a', 'npm', 'left-pad', '1.3.0', '', 'pkg:npm/left-pad@1.3.0'],
  ]);
});
