// Every record of the libevtx reference exports equals our XML rendering, compared as trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recordToXml, walkEvtx } from '../../../src/ingest/evtx/index.js';
import { parseXmlFragments } from '../../helpers/xml-tree.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';

const REFERENCE = join(SHARED_DATA, 'evtx-reference');
const SAMPLES = join(SHARED_DATA, 'evtx-attack-samples');

/** The table in the reference README: export name → sample path. */
function referenceFiles(): { xml: string; evtx: string; recovered: boolean }[] {
  const readme = readFileSync(join(REFERENCE, 'README.md'), 'utf8');
  const out: { xml: string; evtx: string; recovered: boolean }[] = [];
  for (const m of readme.matchAll(/^\| (.+?\.evtx) \| `(.+?\.xml)` \| \d+ \| (\d+)(?: \(`(.+?)`\))? \|/gm)) {
    out.push({ xml: m[2]!, evtx: m[1]!, recovered: false });
    if (m[4]) out.push({ xml: m[4], evtx: m[1]!, recovered: true });
  }
  return out;
}

test('the reference table lists the 13 exports present', () => {
  const files = referenceFiles();
  assert.equal(files.length, 13);
  const present = readdirSync(REFERENCE).filter((f) => f.endsWith('.xml'));
  assert.deepEqual(files.map((f) => f.xml).sort(), present.sort());
});

for (const ref of referenceFiles()) {
  test(`${ref.xml}: every record equals libevtx's`, async () => {
    const expected = parseXmlFragments(
      readFileSync(join(REFERENCE, ref.xml), 'utf8').split('\n').slice(2).join('\n'),
    );
    const ours = [];
    for await (const item of walkEvtx(join(SAMPLES, ref.evtx), { recover: ref.recovered })) {
      assert.ok(item.ok, `issue: ${item.ok ? '' : item.issue.message}`);
      if (ref.recovered && !item.record.slot.recovered) continue;
      ours.push(...parseXmlFragments(recordToXml(item.record)));
    }
    if (!ref.recovered) {
      assert.equal(ours.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(ours[i], expected[i], `record ${i + 1}`);
    } else {
      // We carve at least what libevtx recovers: each of its records' System part is among ours.
      // (libevtx prints undecodable bytes for some carved EventData, so only System is comparable.)
      const text = readFileSync(join(REFERENCE, ref.xml), 'latin1');
      const systems = [...text.matchAll(/<System>[\s\S]*?<\/System>/g)].map(
        (m) => parseXmlFragments(m[0])[0],
      );
      assert.ok(systems.length > 0);
      const key = (t: unknown) => JSON.stringify(t);
      const mine = new Set(ours.map((e) => key(e.children.find((c) => c.name === 'System'))));
      const missing = systems.filter((e) => !mine.has(key(e)));
      assert.equal(missing.length, 0, `${missing.length} of ${systems.length} recovered records missing`);
    }
  });
}
