// `vigil advisories validate | import | inventory | match` as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA, corpusMissing } from '../helpers/shared-data.js';
import { zip } from '../ingest/readers/support.js';

function vigil(args: string[]): { status: number; output: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/run-cli.ts', ...args], { encoding: 'utf8' });
  return { status: child.status ?? -1, output: child.stdout + child.stderr };
}

const MANDATORY = join(SHARED_DATA, 'csaf/csaf_2.0/test/validator/data/mandatory');

test('advisories validate: exit 0 when every document is valid, 1 naming each failing test and path', { skip: corpusMissing('csaf') || corpusMissing('cve') }, () => {
  const ok = vigil(['advisories', 'validate', join(SHARED_DATA, 'cve'), join(SHARED_DATA, 'csaf/csaf_2.0/examples/csaf/bsi-2022-0001.json')]);
  assert.equal(ok.status, 0, ok.output);
  assert.match(ok.output, /9 of 9 valid/);
  assert.match(ok.output, /CVE-2021-44228\.json: valid \(CVE Record Format 5\.x: Vigil's own complete schema/);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-adv-'));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"document": ');
  const notOurs = join(dir, 'other.json');
  writeFileSync(notOurs, '{"hello": 1}');
  const bad = vigil(['advisories', 'validate', join(MANDATORY, 'oasis_csaf_tc-csaf_2_0-2021-6-1-06-01.json'), join(MANDATORY, 'oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json'), broken, notOurs]);
  assert.equal(bad.status, 1);
  assert.match(bad.output, /6-1-06-01\.json: INVALID/);
  assert.match(bad.output, /^ {2}6\.1\.6 \/vulnerabilities\/0\/product_status\/known_not_affected\/0: product "CSAFPID-9080700" is both affected and notAffected$/m);
  assert.match(bad.output, /^ {2}schema \/vulnerabilities\/0\/scores\/0\/cvss_v3/m);
  assert.match(bad.output, /^ {2}6\.1\.8 \/vulnerabilities\/0\/scores\/0\/cvss_v3/m);
  assert.match(bad.output, /broken\.json: INVALID \(JSON\)\n {2}json \/: /);
  assert.match(bad.output, /other\.json: INVALID \(format\)/);
  assert.match(bad.output, /0 of 4 valid/);
});

test('advisories import: a cvelistV5 tree, then a zip of it (only newer records load), inventory, match', { skip: corpusMissing('cve') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-adv-'));
  const db = join(dir, 'vigil.db');
  const tree = join(dir, 'cvelistV5', 'cves');
  const ids = ['CVE-2021-44228', 'CVE-2024-24746'];
  for (const id of ids) {
    const [, year, num] = id.split('-');
    const folder = join(tree, year!, `${num!.slice(0, -3)}xxx`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${id}.json`), readFileSync(join(SHARED_DATA, 'cve', `${id}.json`)));
  }
  const first = vigil(['advisories', 'import', join(dir, 'cvelistV5'), '--db', db]);
  assert.equal(first.status, 0, first.output);
  assert.match(first.output, /2 loaded \(0 of them failing a check\), 0 unchanged, 0 unreadable/);

  // The same records in a zip, one of them updated (a later dateUpdated): only that one loads.
  const nimble = JSON.parse(readFileSync(join(SHARED_DATA, 'cve', 'CVE-2024-24746.json'), 'utf8')) as { cveMetadata: { dateUpdated: string } };
  nimble.cveMetadata.dateUpdated = '2026-11-20T10:00:00.000Z';
  const archive = join(dir, 'cves.zip');
  writeFileSync(
    archive,
    zip({
      'cves/2021/44xxx/CVE-2021-44228.json': readFileSync(join(SHARED_DATA, 'cve', 'CVE-2021-44228.json')),
      'cves/2024/24xxx/CVE-2024-24746.json': Buffer.from(JSON.stringify(nimble)),
      'cves/2024/24xxx/CVE-2024-99999.json': Buffer.from('{"not": "json'),
    }),
  );
  const second = vigil(['advisories', 'import', archive, '--db', db]);
  assert.equal(second.status, 1, 'an unreadable record is reported');
  assert.match(second.output, /1 loaded \(0 of them failing a check\), 1 unchanged, 1 unreadable/);
  assert.match(second.output, /cves\.zip!cves\/2024\/24xxx\/CVE-2024-99999\.json: error cve.json: not JSON/);

  const inventory = join(dir, 'software.csv');
  writeFileSync(inventory, 'Vendor;Product;Version;purl\nApache;NimBLE;1.6.0;\n;;;pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\n;;;pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1\n;;;not a purl\n');
  const inv = vigil(['advisories', 'inventory', 'org-a', inventory, '--db', db]);
  assert.equal(inv.status, 1, 'a refused row');
  assert.match(inv.output, /software\.csv:5: .*not a package URL/);
  assert.match(inv.output, /3 entries added for org-a, 1 rows refused/);

  const matched = vigil(['advisories', 'match', '--db', db, '--format', 'jsonl']);
  assert.equal(matched.status, 0, matched.output);
  const rows = matched.output.trim().split('\n').map((l) => JSON.parse(l) as { advisoryId: string; product: { version: string }; exploited: boolean });
  assert.deepEqual(rows.map((r) => [r.advisoryId, r.product.version, r.exploited]).sort(), [
    ['CVE-2021-44228', '2.14.1', true],
    ['CVE-2024-24746', '1.6.0', false],
  ]);
});

test("advisories import: a CSAF provider's provider-metadata.json from a local mirror, its missing document reported", { skip: corpusMissing('csaf') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-adv-'));
  const db = join(dir, 'vigil.db');
  const mirror = join(dir, 'mirror');
  const base = 'https://www.example.com/.well-known/csaf';
  mkdirSync(join(mirror, 'white', '2022'), { recursive: true });
  const metadata = JSON.parse(readFileSync(join(SHARED_DATA, 'csaf/csaf_2.0/examples/provider-metadata/example-01-provider-metadata.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(mirror, 'provider-metadata.json'), JSON.stringify(metadata));
  writeFileSync(
    join(mirror, 'feed-tlp-white.json'),
    JSON.stringify({
      feed: {
        id: 'white',
        title: 'TLP:WHITE',
        entry: [
          { id: 'BSI-2022-0001', content: { type: 'application/json', src: `${base}/white/2022/bsi-2022-0001.json` } },
          { id: 'gone', content: { type: 'application/json', src: `${base}/white/2022/gone.json` } },
        ],
      },
    }),
  );
  writeFileSync(join(mirror, 'white', '2022', 'bsi-2022-0001.json'), readFileSync(join(SHARED_DATA, 'csaf/csaf_2.0/examples/csaf/bsi-2022-0001.json')));
  const out = vigil(['advisories', 'import', join(mirror, 'provider-metadata.json'), '--db', db]);
  assert.equal(out.status, 1, out.output);
  assert.match(out.output, /gone\.json: error csaf\.document: not in the local mirror \(offline\)/);
  assert.match(out.output, /^1 loaded \(0 of them failing a check\), 0 unchanged, 1 unreadable$/m);
});
