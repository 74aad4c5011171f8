// CSAF 2.0 validation against the standard's own conformance data (csaf_2.0 test/validator/data,
// testcases.json): every document the TC marks invalid for a mandatory test is reported invalid naming that
// test, every document marked valid passes the schema and all mandatory tests. 100%, no allowance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA, corpusMissing } from '../helpers/shared-data.js';
import { validateCsaf } from '../../src/advisories/csaf/validate.js';
import { MANDATORY_TESTS } from '../../src/advisories/csaf/mandatory.js';

const DATA = 'csaf/csaf_2.0/test/validator/data';
const EXAMPLES = 'csaf/csaf_2.0/examples/csaf';

interface TestCases {
  tests: { id: string; group: string; failures?: { name: string }[]; valid?: { name: string }[] }[];
}

const read = (path: string): unknown => JSON.parse(readFileSync(join(SHARED_DATA, path), 'utf8'));

test('CSAF 2.0 mandatory tests: every conformance document as the TC expects it', { skip: corpusMissing(DATA) }, () => {
  const cases = read(`${DATA}/testcases.json`) as TestCases;
  const mandatory = cases.tests.filter((t) => t.group === 'mandatory');
  // Every mandatory test of the standard is implemented, and every one in the index is covered.
  assert.deepEqual(
    mandatory.map((t) => t.id).sort(),
    MANDATORY_TESTS.map(([id]) => id).sort(),
  );
  const wrong: string[] = [];
  let invalid = 0;
  let valid = 0;
  for (const t of mandatory) {
    for (const { name } of t.failures ?? []) {
      invalid++;
      const result = validateCsaf(read(`${DATA}/${name}`));
      if (result.valid || !result.tests.some((f) => f.test === t.id))
        wrong.push(`${name}: expected a ${t.id} failure, got ${JSON.stringify(result.tests.map((f) => f.test))}`);
    }
    for (const { name } of t.valid ?? []) {
      valid++;
      const result = validateCsaf(read(`${DATA}/${name}`));
      if (!result.valid) wrong.push(`${name}: expected valid, got ${JSON.stringify([...result.schema, ...result.tests])}`);
    }
  }
  assert.deepEqual(wrong, []);
  // The index as shipped: 87 documents expected invalid, 60 valid.
  assert.equal(invalid, 87);
  assert.equal(valid, 60);
});

test('CSAF 2.0 examples (Red Hat, Cisco, BSI, VEX) pass schema and mandatory tests', { skip: corpusMissing(EXAMPLES) }, () => {
  const files = readdirSync(join(SHARED_DATA, EXAMPLES)).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const result = validateCsaf(read(`${EXAMPLES}/${f}`));
    assert.deepEqual([...result.schema, ...result.tests], [], f);
  }
});

test('a failing document names the test and the JSON pointer; hostile shapes do not throw', () => {
  const doc = {
    document: {
      category: 'csaf_base',
      csaf_version: '2.0',
      publisher: { category: 'coordinator', name: 'Vigil CERT', namespace: 'https://cert.example' },
      title: 't',
      tracking: {
        current_release_date: '2026-01-01T00:00:00.000Z',
        id: 'X-1',
        initial_release_date: '2026-01-01T00:00:00.000Z',
        revision_history: [{ date: '2026-01-01T00:00:00.000Z', number: '1', summary: 's' }],
        status: 'final',
        version: '1',
      },
    },
    vulnerabilities: [{ product_status: { known_affected: ['NOPE'] } }],
  };
  const result = validateCsaf(doc);
  assert.equal(result.valid, false);
  assert.deepEqual(
    result.tests.map((f) => [f.test, f.path]),
    [['6.1.1', '/vulnerabilities/0/product_status/known_affected/0']],
  );
  for (const hostile of [null, 1, 'x', [], { document: [] }, { __proto__: { document: 1 } }, { vulnerabilities: 'x', product_tree: { branches: 5 } }]) {
    const r = validateCsaf(hostile);
    assert.equal(r.valid, false);
  }
  // A branch tree nested past the bound is reported, not recursed into.
  let branches: unknown = [{ category: 'vendor', name: 'v', product: { name: 'p', product_id: 'P' } }];
  for (let i = 0; i < 200; i++) branches = [{ category: 'vendor', name: 'v', branches }];
  const deep = validateCsaf({ ...doc, product_tree: { branches } });
  assert.ok(deep.tests.some((f) => f.test === 'depth'));
});
