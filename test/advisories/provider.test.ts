// CSAF provider intake: provider-metadata.json → ROLIE feeds → documents, from a local mirror (offline) and over
// HTTP (a loopback server standing in for the provider).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA, corpusMissing } from '../helpers/shared-data.js';
import { fetchLoader, readCsafProvider } from '../../src/advisories/csaf/provider.js';
import { validateProviderMetadataSchema } from '../../src/advisories/csaf/schema.js';
import { prop } from '../../src/advisories/json.js';

const EXAMPLE = 'csaf/csaf_2.0/examples/csaf/bsi-2022-0001.json';

function provider(base: string): { metadata: object; feed: object } {
  return {
    metadata: {
      canonical_url: `${base}/.well-known/csaf/provider-metadata.json`,
      distributions: [{ rolie: { feeds: [{ summary: 'TLP:WHITE', tlp_label: 'WHITE', url: `${base}/.well-known/csaf/feed-tlp-white.json` }] } }],
      last_updated: '2026-01-01T00:00:00.000Z',
      list_on_CSAF_aggregators: true,
      metadata_version: '2.0',
      mirror_on_CSAF_aggregators: true,
      publisher: { category: 'vendor', name: 'Example', namespace: base },
      role: 'csaf_provider',
    },
    feed: {
      feed: {
        id: 'white',
        title: 'feed',
        entry: [
          { id: 'BSI-2022-0001', content: { type: 'application/json', src: `${base}/.well-known/csaf/white/2022/bsi-2022-0001.json` } },
          { id: 'missing', link: [{ rel: 'self', href: `${base}/.well-known/csaf/white/2022/missing.json` }] },
        ],
      },
    },
  };
}

test('offline: the feed and documents are found in a local mirror by their URL paths', { skip: corpusMissing(EXAMPLE) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-csaf-'));
  const { metadata, feed } = provider('https://www.example.com');
  writeFileSync(join(dir, 'provider-metadata.json'), JSON.stringify(metadata));
  writeFileSync(join(dir, 'feed-tlp-white.json'), JSON.stringify(feed));
  mkdirSync(join(dir, 'white', '2022'), { recursive: true });
  writeFileSync(join(dir, 'white', '2022', 'bsi-2022-0001.json'), readFileSync(join(SHARED_DATA, EXAMPLE)));
  const items = [];
  for await (const item of readCsafProvider(join(dir, 'provider-metadata.json'))) items.push(item);
  assert.deepEqual(items.map((i) => (i.issue ? `issue ${i.issue.message}` : prop(prop(prop(i.document, 'document'), 'tracking'), 'id'))), [
    'BSI-2022-0001',
    'issue not in the local mirror (offline)',
  ]);
});

test('online: provider metadata, feed and documents fetched over HTTP', { skip: corpusMissing(EXAMPLE) }, async () => {
  let base = '';
  const served: string[] = [];
  const server = createServer((req, res) => {
    served.push(req.url ?? '');
    const { metadata, feed } = provider(base);
    const body =
      req.url === '/.well-known/csaf/feed-tlp-white.json' ? JSON.stringify(feed)
      : req.url === '/.well-known/csaf/white/2022/bsi-2022-0001.json' ? readFileSync(join(SHARED_DATA, EXAMPLE), 'utf8')
      : req.url === '/.well-known/csaf/provider-metadata.json' ? JSON.stringify(metadata)
      : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-csaf-'));
    writeFileSync(join(dir, 'provider-metadata.json'), JSON.stringify(provider(base).metadata));
    const items = [];
    for await (const item of readCsafProvider(join(dir, 'provider-metadata.json'), fetchLoader)) items.push(item);
    assert.equal(items.length, 2);
    assert.equal(prop(prop(prop(items[0]!.document, 'document'), 'tracking'), 'id'), 'BSI-2022-0001');
    assert.equal(items[1]!.issue?.message, 'HTTP 404');
    assert.deepEqual(served, ['/.well-known/csaf/feed-tlp-white.json', '/.well-known/csaf/white/2022/bsi-2022-0001.json', '/.well-known/csaf/white/2022/missing.json']);
    await assert.rejects(fetchLoader('http://example.com/x.json'), /only https/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("provider-metadata.json against its CSAF 2.0 schema: the TC's example passes; a broken one is reported and its feeds still read", { skip: corpusMissing(EXAMPLE) }, async () => {
  const example = JSON.parse(readFileSync(join(SHARED_DATA, 'csaf/csaf_2.0/examples/provider-metadata/example-01-provider-metadata.json'), 'utf8')) as unknown;
  assert.deepEqual(validateProviderMetadataSchema(example), []);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-csaf-'));
  const { metadata, feed } = provider('https://www.example.com');
  const broken = { ...metadata, role: 'csaf_vendor', publisher: { name: 'Example' } };
  writeFileSync(join(dir, 'provider-metadata.json'), JSON.stringify(broken));
  writeFileSync(join(dir, 'feed-tlp-white.json'), JSON.stringify(feed));
  mkdirSync(join(dir, 'white', '2022'), { recursive: true });
  writeFileSync(join(dir, 'white', '2022', 'bsi-2022-0001.json'), readFileSync(join(SHARED_DATA, EXAMPLE)));
  const items = [];
  for await (const item of readCsafProvider(join(dir, 'provider-metadata.json'))) items.push(item);
  const schemaIssues = items.filter((i) => i.issue?.code === 'csaf.provider.schema').map((i) => [i.issue!.path, i.issue!.message.replace(/ \[.*$/, '')]);
  assert.deepEqual(schemaIssues.sort(), [
    ['/publisher', "must have required property 'category'"],
    ['/publisher', "must have required property 'namespace'"],
    ['/role', 'must be equal to one of the allowed values'],
  ]);
  assert.equal(prop(prop(prop(items.find((i) => i.document)?.document, 'document'), 'tracking'), 'id'), 'BSI-2022-0001', 'the document is still read');
});
