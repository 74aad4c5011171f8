// Matching advisories to inventory, on every version-range form the sample CVE records use (and the forms the
// schema allows that they do not: semver, exact versions, `*` bounds, git, AND configurations), at each
// boundary: below, at and above every lower and upper bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA, corpusMissing } from '../helpers/shared-data.js';
import { cveToAdvisory } from '../../src/advisories/cve/record.js';
import { validateCveRecord } from '../../src/advisories/cve/schema.js';
import { InventoryIndex } from '../../src/advisories/matching/matcher.js';
import { normaliseItem, type InventoryItem, type ItemInput } from '../../src/advisories/inventory/model.js';
import { compareVersions } from '../../src/advisories/matching/versions.js';
import { versContains } from '../../src/advisories/matching/status.js';
import { mayMatch } from '../../src/advisories/matching/prefilter.js';

const CVE = 'cve';
const record = (id: string): unknown => JSON.parse(readFileSync(join(SHARED_DATA, CVE, `${id}.json`), 'utf8'));

function items(list: readonly (Omit<ItemInput, 'organisationId'> & { org: string })[]): InventoryItem[] {
  return list.map(({ org, ...rest }, i) => {
    const item = normaliseItem({ organisationId: org, ...rest });
    assert.ok(!('error' in item), JSON.stringify(item));
    return { ...item, id: `i${i}` };
  });
}

/** `org version → status` for every inventory entry the advisory meets. */
function verdicts(advisory: unknown, inventory: InventoryItem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of new InventoryIndex(inventory).match(cveToAdvisory(advisory))) out[`${m.organisationId} ${m.product.version}`] = m.status;
  return out;
}

test('every sample record conforms to the CVE Record Format 5.x schema', { skip: corpusMissing(CVE) }, () => {
  for (const id of ['CVE-2021-26855', 'CVE-2021-31207', 'CVE-2021-34473', 'CVE-2021-34523', 'CVE-2021-44228', 'CVE-2022-41040', 'CVE-2022-41082', 'CVE-2024-24746'])
    assert.deepEqual(validateCveRecord(record(id)), [], id);
  const broken = { dataType: 'CVE_RECORD', dataVersion: '5.1', cveMetadata: { cveId: 'CVE-1-1', state: 'PUBLISHED' }, containers: { cna: { affected: [{ vendor: 'x', product: 'y', versions: [{ version: '1', status: 'maybe', lessThan: '2' }] }] } } };
  const paths = validateCveRecord(broken).map((f) => f.path);
  assert.ok(paths.includes('/cveMetadata/cveId'));
  assert.ok(paths.includes('/containers/cna/affected/0/versions/0/status'));
  assert.ok(paths.includes('/containers/cna/affected/0/versions/0'), 'lessThan without versionType');
});

test('lessThan with versionType custom (Microsoft builds): [version, lessThan)', { skip: corpusMissing(CVE) }, () => {
  // CVE-2021-34523, Exchange 2016 CU19: 15.01.0 ≤ v < 15.01.2176.012; CU20: < 15.01.2242.008.
  const inv = items([
    { org: 'below', vendor: 'Microsoft', product: 'Exchange Server', version: '15.00.1497.015' },
    { org: 'lower', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.0' },
    { org: 'inside', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2176.011' },
    { org: 'cu20', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2242.007' },
    { org: 'fixed', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2242.008' },
    { org: 'later', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2308.008' },
  ]);
  assert.deepEqual(verdicts(record('CVE-2021-34523'), inv), {
    // 15.00.1497.015 is exactly the 2013 CU23 fix: not affected; 15.01.x below each fix is.
    'lower 15.01.0': 'affected',
    'inside 15.01.2176.011': 'affected',
    'cu20 15.01.2242.007': 'affected',
  });
  // One below the 2013 fix is affected (2013 CU23 range).
  assert.deepEqual(verdicts(record('CVE-2021-34523'), items([{ org: 'e2013', vendor: 'Microsoft', product: 'Exchange Server', version: '15.00.1497.014' }])), { 'e2013 15.00.1497.014': 'affected' });
});

test('CPE on both sides: the CU named by the entry must be the CU of the record', { skip: corpusMissing(CVE) }, () => {
  // CVE-2021-31207 lists CUs 23 (2013), 19 and 20 (2016), 8 and 9 (2019), each with its cpes.
  const inv = items([
    { org: 'cu9', cpe: 'cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_9:*:*:*:*:*:*', version: '15.02.0858.011' },
    { org: 'cu9fixed', cpe: 'cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_9:*:*:*:*:*:*', version: '15.02.0858.012' },
    { org: 'cu10', cpe: 'cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_10:*:*:*:*:*:*', version: '15.02.0858.011' },
  ]);
  assert.deepEqual(verdicts(record('CVE-2021-31207'), inv), { 'cu9 15.02.0858.011': 'affected' });
});

test('lessThan "publication" (not a version): the range is open above, and the match says so', { skip: corpusMissing(CVE) }, () => {
  const inv = items([
    { org: 'x', vendor: 'Microsoft', product: 'Exchange Server', version: '15.02.1118.020' },
    { org: 'old', vendor: 'Microsoft', product: 'Exchange Server', version: '14.03.0513.000' },
  ]);
  const matches = new InventoryIndex(inv).match(cveToAdvisory(record('CVE-2021-26855')));
  assert.deepEqual(matches.map((m) => [m.organisationId, m.status]), [['x', 'affected']]);
  assert.match(matches[0]!.versions, /upper bound "publication" is not a version/);
  assert.equal(matches[0]!.exploited, true);
  assert.deepEqual(matches[0]!.exploitation, ['CISA-ADP SSVC Exploitation: active', 'CISA-ADP KEV 2021-11-03']);
  assert.equal(matches[0]!.cvss31?.base, 9.1);
  assert.equal(matches[0]!.cvss31?.source, 'microsoft');
});

test('changes inside a range (Log4Shell): the status switches at each `at`', { skip: corpusMissing(CVE) }, () => {
  const versions = ['2.0-beta8', '2.0-beta9', '2.0', '2.3', '2.3.1', '2.3.2', '2.4', '2.12.1', '2.12.2', '2.12.4', '2.13.0', '2.14.1', '2.15.0', '2.17.1'];
  const inv = items(versions.map((v) => ({ org: 'o', purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${v}` })));
  assert.deepEqual(verdicts(record('CVE-2021-44228'), inv), {
    'o 2.0-beta9': 'affected',
    'o 2.0': 'affected',
    'o 2.3': 'affected',
    'o 2.4': 'affected',
    'o 2.12.1': 'affected',
    'o 2.13.0': 'affected',
    'o 2.14.1': 'affected',
  });
  // The KEV entry and the CISA ADP's CVSS 3.1 (the CNA gave none): scores computed from the vector.
  const [m] = new InventoryIndex(inv.slice(11, 12)).match(cveToAdvisory(record('CVE-2021-44228')));
  assert.equal(m?.cvss31?.base, 10);
  assert.equal(m?.cvss31?.severity, 'critical');
  assert.equal(m?.cvss31?.source, 'CISA-ADP');
  assert.equal(m?.exploited, true);
});

test('lessThanOrEqual from version "0" with defaultStatus unaffected (Apache NimBLE)', { skip: corpusMissing(CVE) }, () => {
  const inv = items([
    { org: 'a', vendor: 'Apache Software Foundation', product: 'Apache NimBLE', version: '1.5.0' },
    { org: 'b', vendor: 'Apache', product: 'NimBLE', version: '1.6.0' },
    { org: 'c', vendor: 'apache', product: 'nimble', version: '1.6.1' },
    { org: 'd', vendor: 'Apache', product: 'NimBLE', version: '' },
  ]);
  assert.deepEqual(verdicts(record('CVE-2024-24746'), inv), { 'a 1.5.0': 'affected', 'b 1.6.0': 'affected', 'd ': 'unknown' });
});

test('cpeApplicability: versionStartIncluding / versionEndExcluding per cpeMatch', { skip: corpusMissing(CVE) }, () => {
  // CVE-2022-41040's CNA `affected` has no cpes; its cpeApplicability does. An entry named only by CPE, with
  // the CU in the update attribute, meets the cpeMatch for its CU.
  const inv = items([
    { org: 'cu12', cpe: 'cpe:2.3:a:microsoft:exchange_server:*:cumulative_update_12:*:*:*:*:*:*', version: '15.02.1118.019' },
    { org: 'cu12fixed', cpe: 'cpe:2.3:a:microsoft:exchange_server:*:cumulative_update_12:*:*:*:*:*:*', version: '15.02.1118.020' },
  ]);
  const full = new InventoryIndex(inv).match(cveToAdvisory(record('CVE-2022-41040')));
  assert.deepEqual(full.map((m) => m.organisationId), ['cu12']);
  // The applicability statement alone (the record without its `affected` list) gives the same answer.
  const rec = structuredClone(record('CVE-2022-41040')) as { containers: { cna: { affected: unknown[] } } };
  rec.containers.cna.affected = [];
  const alone = new InventoryIndex(inv).match(cveToAdvisory(rec));
  assert.deepEqual(alone.map((m) => [m.organisationId, m.versions]), [['cu12', '>= 15.02.0, < 15.02.1118.020']]);
  assert.match(alone[0]!.advisoryProduct, /^cpe:2\.3:a:microsoft:exchange_server:\*:cumulative_update_12:/);
});

/** An inventory entry named only by an Exchange CPE with its CU in the update attribute. */
const exchange = (org: string, cu: number, version: string) => ({ org, cpe: `cpe:2.3:a:microsoft:exchange_server:*:cumulative_update_${cu}:*:*:*:*:*:*`, version });

/** The record with its CNA `affected` list emptied: what its applicability statements alone (or its ADPs) say. */
function without(id: string, part: 'affected' | 'cpeApplicability'): unknown {
  const rec = structuredClone(record(id)) as { containers: { cna: Record<string, unknown> } };
  rec.containers.cna[part] = part === 'affected' ? [] : undefined;
  return rec;
}

test('cpeApplicability in all three records that have it: start included, end excluded, at each bound', { skip: corpusMissing(CVE) }, () => {
  // CVE-2021-34473 (dataVersion 5.2): CU 9 of 2019 is [15.02.0, 15.02.0858.010); CU 19 of 2016 [15.01.0, 15.01.2176.012).
  assert.deepEqual(
    verdicts(
      without('CVE-2021-34473', 'affected'),
      items([exchange('below', 9, '15.01.9999'), exchange('start', 9, '15.02.0'), exchange('last', 9, '15.02.0858.009'), exchange('end', 9, '15.02.0858.010'), exchange('cu19', 19, '15.01.2176.011'), exchange('cu19fixed', 19, '15.01.2176.012')]),
    ),
    { 'start 15.02.0': 'affected', 'last 15.02.0858.009': 'affected', 'cu19 15.01.2176.011': 'affected' },
  );
  // CVE-2022-41082: two cpeMatch share `cumulative_update_23` (Exchange 2013 and 2016): each range on its own.
  // CU 22's start is written 15.0.0 (= 15.00.0 in Microsoft's numbering).
  assert.deepEqual(
    verdicts(
      without('CVE-2022-41082', 'affected'),
      items([
        exchange('e2013', 23, '15.00.1497.043'),
        exchange('e2013fixed', 23, '15.00.1497.044'),
        exchange('e2016', 23, '15.01.2507.015'),
        exchange('e2016fixed', 23, '15.01.2507.016'),
        exchange('cu22', 22, '15.00.0'),
        exchange('cu22end', 22, '15.01.2375.037'),
      ]),
    ),
    { 'e2013 15.00.1497.043': 'affected', 'e2016 15.01.2507.015': 'affected', 'cu22 15.00.0': 'affected' },
  );
  // CVE-2022-41040 has the same statements as 41082 (the ProxyNotShell pair).
  assert.deepEqual(verdicts(without('CVE-2022-41040', 'affected'), items([exchange('e2016', 23, '15.01.2507.015'), exchange('e2016fixed', 23, '15.01.2507.016')])), {
    'e2016 15.01.2507.015': 'affected',
  });
});

test("an ADP's affected entries (CISA's CPE for NimBLE) match as the CNA's do, one match per entry", { skip: corpusMissing(CVE) }, () => {
  // CVE-2024-24746: the CNA names "Apache Software Foundation / Apache NimBLE"; the CISA ADP adds
  // cpe:2.3:a:apache:nimble:* with 0 ≤ v ≤ 1.6.0. An entry named only by CPE meets the ADP's statement.
  const inv = items([
    { org: 'cpe', cpe: 'cpe:2.3:a:apache:nimble:1.6.0:*:*:*:*:*:*:*', version: '1.6.0' },
    { org: 'fixed', cpe: 'cpe:2.3:a:apache:nimble:1.6.1:*:*:*:*:*:*:*', version: '1.6.1' },
    { org: 'named', vendor: 'Apache Software Foundation', product: 'Apache NimBLE', version: '1.5.0' },
  ]);
  const adpOnly = without('CVE-2024-24746', 'affected');
  const fromAdp = new InventoryIndex(inv).match(cveToAdvisory(adpOnly));
  assert.deepEqual(fromAdp.map((m) => [m.organisationId, m.advisoryProduct, m.versions]), [
    ['cpe', 'apache nimble', '<= 1.6.0'],
    ['named', 'apache nimble', '<= 1.6.0'],
  ]);
  // With the CNA's statement as well: still one match per entry.
  assert.deepEqual(verdicts(record('CVE-2024-24746'), inv), { 'cpe 1.6.0': 'affected', 'named 1.5.0': 'affected' });
  assert.equal(new InventoryIndex(inv).match(cveToAdvisory(record('CVE-2024-24746'))).length, 2);
});

const ORG = '8254265b-2729-46b6-b9e3-3dfca2d5bfca';
const synthetic = (affected: unknown[], extra: Record<string, unknown> = {}): unknown => ({
  dataType: 'CVE_RECORD',
  dataVersion: '5.1',
  cveMetadata: { cveId: 'CVE-2099-0001', assignerOrgId: ORG, state: 'PUBLISHED', dateUpdated: '2099-01-01T00:00:00.000Z' },
  containers: {
    cna: {
      providerMetadata: { orgId: ORG },
      descriptions: [{ lang: 'en', value: 'A synthetic record.' }],
      references: [{ url: 'https://example.invalid/advisory' }],
      affected,
      metrics: [{ cvssV4_0: { version: '4.0', vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 9.3, baseSeverity: 'CRITICAL' } }],
      ...extra,
    },
  },
});

test('forms the samples do not use: semver, exact versions, "*" bound, defaultStatus affected, git', () => {
  const rec = synthetic([
    { vendor: 'Acme', product: 'Widget', versions: [{ version: '1.2.0', lessThan: '1.4.0-rc.1', versionType: 'semver', status: 'affected' }] },
    { vendor: 'Acme', product: 'Gadget', versions: [{ version: '3.1.4', status: 'affected' }] },
    { vendor: 'Acme', product: 'Gizmo', versions: [{ version: '5.0', lessThan: '*', versionType: 'custom', status: 'affected' }] },
    { vendor: 'Acme', product: 'Doohickey', defaultStatus: 'affected', versions: [{ version: '2.0', lessThan: '3.0', versionType: 'custom', status: 'unaffected' }] },
    { vendor: 'Acme', product: 'Thing', versions: [{ version: 'abc123', lessThan: 'def456', versionType: 'git', status: 'affected' }] },
  ]);
  assert.deepEqual(validateCveRecord(rec), []);
  const inv = items([
    { org: 'w', vendor: 'Acme', product: 'Widget', version: '1.1.9' },
    { org: 'w', vendor: 'Acme', product: 'Widget', version: '1.2.0' },
    { org: 'w', vendor: 'Acme', product: 'Widget', version: '1.4.0-beta.2' },
    { org: 'w', vendor: 'Acme', product: 'Widget', version: '1.4.0-rc.1' },
    { org: 'w', vendor: 'Acme', product: 'Widget', version: '1.4.0' },
    { org: 'g', vendor: 'Acme', product: 'Gadget', version: '3.1.4' },
    { org: 'g', vendor: 'Acme', product: 'Gadget', version: '3.1.5' },
    { org: 'z', vendor: 'Acme', product: 'Gizmo', version: '4.9' },
    { org: 'z', vendor: 'Acme', product: 'Gizmo', version: '17.0' },
    { org: 'd', vendor: 'Acme', product: 'Doohickey', version: '1.9' },
    { org: 'd', vendor: 'Acme', product: 'Doohickey', version: '2.5' },
    { org: 'd', vendor: 'Acme', product: 'Doohickey', version: '3.0' },
    { org: 't', vendor: 'Acme', product: 'Thing', version: 'abc123' },
    { org: 't', vendor: 'Acme', product: 'Thing', version: 'bcd234' },
  ]);
  assert.deepEqual(verdicts(rec, inv), {
    'w 1.2.0': 'affected',
    'w 1.4.0-beta.2': 'affected',
    'g 3.1.4': 'affected',
    'z 17.0': 'affected',
    'd 1.9': 'affected',
    'd 3.0': 'affected',
    't abc123': 'affected',
  });
  const [m] = new InventoryIndex(inv.slice(1, 2)).match(cveToAdvisory(rec));
  assert.equal(m?.cvss40?.base, 9.3);
  assert.equal(m?.cvss31, null);
});

test('an AND configuration needs its platform in the same organisation', () => {
  const rec = synthetic([{ vendor: 'Acme', product: 'Agent', defaultStatus: 'unknown' }], {
    cpeApplicability: [
      {
        operator: 'AND',
        nodes: [
          { operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:agent:*:*:*:*:*:*:*:*', versionEndExcluding: '2.0' }] },
          { operator: 'OR', negate: false, cpeMatch: [{ vulnerable: false, criteria: 'cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*' }] },
        ],
      },
    ],
  });
  const inv = items([
    { org: 'win', vendor: 'Acme', product: 'Agent', version: '1.5' },
    { org: 'win', cpe: 'cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*' },
    { org: 'linux', vendor: 'Acme', product: 'Agent', version: '1.5' },
    { org: 'linux', vendor: 'Debian', product: 'Linux', version: '12' },
  ]);
  assert.deepEqual(verdicts(rec, inv), { 'win 1.5': 'affected' });
});

test('version order and vers ranges', () => {
  assert.ok(compareVersions('15.01.2176.009', '15.1.2176.12', 'custom')! < 0);
  assert.equal(compareVersions('2.4', '2.4.0', 'custom'), 0);
  assert.ok(compareVersions('2.0-beta9', '2.0', 'custom')! < 0);
  assert.ok(compareVersions('2.0', '2.0.1', 'custom')! < 0);
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0', 'semver')! < 0);
  assert.equal(compareVersions('abc', 'def', 'git'), undefined);
  assert.equal(versContains('vers:semver/>=1.0.0|<2.0.0', '1.5.0'), true);
  assert.equal(versContains('vers:semver/>=1.0.0|<2.0.0', '2.0.0'), false);
  assert.equal(versContains('vers:generic/<1.2|>=3.0|<3.5', '3.1'), true);
  assert.equal(versContains('vers:generic/<1.2|>=3.0|<3.5', '2.0'), false);
  assert.equal(versContains('vers:generic/>=4.0', '9'), true);
  assert.equal(versContains('prior to 4.2', '1'), undefined);
});

test('the vendor scan before parsing never drops a record that matches (differential, on every sample)', { skip: corpusMissing(CVE) }, () => {
  const inv = items([
    { org: 'a', vendor: 'Microsoft', product: 'Exchange Server', version: '15.01.2176.009' },
    { org: 'b', cpe: 'cpe:2.3:a:microsoft:exchange_server:*:cumulative_update_12:*:*:*:*:*:*', version: '15.02.1118.019' },
    { org: 'c', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
    { org: 'd', vendor: 'Apache', product: 'NimBLE', version: '1.6.0' },
  ]);
  const index = new InventoryIndex(inv);
  const none = new InventoryIndex(items([{ org: 'z', vendor: 'Nobody', product: 'Nothing', version: '1' }]));
  for (const id of ['CVE-2021-26855', 'CVE-2021-31207', 'CVE-2021-34473', 'CVE-2021-34523', 'CVE-2021-44228', 'CVE-2022-41040', 'CVE-2022-41082', 'CVE-2024-24746']) {
    const text = readFileSync(join(SHARED_DATA, CVE, `${id}.json`), 'utf8');
    const full = index.match(cveToAdvisory(JSON.parse(text)));
    assert.ok(full.length > 0, `${id} matches the test inventory`);
    assert.equal(mayMatch(text, index.hasVendor), true, id);
    // Read for matching only (keys first) gives the same matches as reading everything.
    assert.deepEqual(index.match(cveToAdvisory(JSON.parse(text), index.readOptions)), full, id);
    assert.equal(mayMatch(text, none.hasVendor), false, `${id} cannot meet an inventory of other vendors`);
  }
  // Escapes and package names are passed on, never guessed at.
  assert.equal(mayMatch('{"affected":[{"vendor":"Micro\\u0073oft","product":"x"}]}', none.hasVendor), true);
  assert.equal(mayMatch('{"affected":[{"collectionURL":"https://pypi.org","packageName":"x"}]}', none.hasVendor), true);
  assert.equal(mayMatch('{"dataType":"CVE_RECORD"}', none.hasVendor), true);
});
