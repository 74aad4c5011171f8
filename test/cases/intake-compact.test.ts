// The compact stored form of feed events: written as JSON text directly, it reads back to exactly
// the fields given, a `__proto__` field included, and is the JSON the object form would give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { putField } from '../../src/core/fields.js';
import { compactOf, restoreFrom, templateOf } from '../../src/cases/intake/compact.js';

const template = templateOf(1, {
  'feed.name': 'Test',
  'classification.type': 'vulnerable-system',
  'source.ip': '192.0.2.1',
  'source.port': 445,
  'extra.smbv1': false,
  'extra.note': 'a',
  raw: 'aGVhZGVyLGxpbmUK',
});

test('compactOf writes the JSON of the changed fields, raw prefix and tail, and removed names', () => {
  const fields = {
    'feed.name': 'Test',
    'classification.type': 'vulnerable-system',
    'source.ip': '192.0.2.9',
    'source.port': 139,
    'extra.smbv1': false,
    'extra.odd': 'quote " backslash \\ line\u2028sep \u0000 ünï',
    raw: 'aGVhZGVyLGxpbmUKbW9yZQ==',
  };
  const stored = compactOf(fields, template)!;
  assert.equal(
    stored,
    JSON.stringify([{ 'source.ip': '192.0.2.9', 'source.port': 139, 'extra.odd': fields['extra.odd'] }, 16, 'bW9yZQ==', ['extra.note']]),
  );
  assert.deepEqual(restoreFrom(stored, template), fields);
});

test('a __proto__ field is stored and read back as a field', () => {
  const fields = { ...template.fields };
  putField(fields, '__proto__', 'x');
  const back = restoreFrom(compactOf(fields, template)!, template);
  assert.ok(Object.hasOwn(back, '__proto__'));
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.entries(back), Object.entries(fields));
});

test('an event too unlike the template is not stored against it; one without raw keeps none', () => {
  assert.equal(compactOf({ 'source.url': 'http://x.example/', 'malware.name': 'm', 'source.fqdn': 'x.example', 'event_description.text': 't' }, template), null);
  const noRaw = { ...template.fields };
  delete noRaw.raw;
  assert.deepEqual(restoreFrom(compactOf(noRaw, template)!, template), noRaw);
});

test('events of changing key sequences, and a raw given as head and tail, compact as the plain form says', () => {
  // The form the fields alone give, worked out independently of the per-sequence plans.
  const plain = (fields: Record<string, string | number | boolean>, t: typeof template): string | null => {
    const changed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (k !== 'raw' && (!Object.hasOwn(t.fields, k) || t.fields[k] !== v)) changed[k] = v;
    if (Object.keys(changed).length * 2 > Object.keys(t.fields).length) return null;
    const removed = Object.keys(t.fields).filter((k) => !Object.hasOwn(fields, k));
    const raw = fields.raw as string | undefined;
    let prefix = 0;
    if (raw !== undefined) {
      while (prefix < raw.length && raw[prefix] === t.raw[prefix]) prefix++;
      prefix -= prefix % 4;
    }
    return JSON.stringify([changed, prefix, raw === undefined ? null : raw.slice(prefix), ...(removed.length ? [removed] : [])]);
  };
  const head = 'aGVhZGVyLGxp';
  const t = templateOf(2, { ...template.fields, raw: `${head}bmUK` });
  const shapes = [
    (i: number) => ({ ...template.fields, 'source.ip': `192.0.2.${i}`, raw: `${head}bmUK${'QUJD'.repeat(i % 3)}` }),
    (i: number) => ({ 'feed.name': 'Test', 'source.port': i, raw: `${head}${i % 2 ? 'bmUK' : 'eHl6'}` }),
    (i: number) => ({ ...template.fields, 'extra.more': i % 2 === 0, raw: 'b3RoZXI=' }),
  ];
  for (let i = 0; i < 40; i++) {
    const fields = shapes[i % 3]!(i);
    const raw = fields.raw;
    const parts = raw.startsWith(head) ? { head, tail: raw.slice(head.length) } : undefined;
    const expected = plain(fields, t);
    assert.equal(compactOf(fields, t, parts), expected, `event ${i}`);
    assert.equal(compactOf(fields, t), expected, `event ${i} without parts`);
    if (expected !== null) assert.deepEqual(restoreFrom(expected, t), fields);
  }
});
