// Bounded fuzzing: mutated copies of real .evtx files (flipped bytes, overwritten runs, truncation,
// inflated sizes and offsets) must read to the end with issues, never a crash, hang or runaway memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvtxBytes } from '../../../src/ingest/evtx/index.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';

/** A small deterministic PRNG (mulberry32) so every run mutates the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES = [
  'Lateral Movement/LM_Remote_Service02_7045.evtx',
  'Credential Access/CA_DCSync_4662.evtx',
  'Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx',
];

function mutate(original: Uint8Array, rand: () => number): Uint8Array {
  const bytes = new Uint8Array(original);
  const mutations = 1 + Math.floor(rand() * 16);
  for (let m = 0; m < mutations; m++) {
    // Mostly past the file header, where the Binary XML lives; sometimes in the headers themselves.
    const at = rand() < 0.8 ? 4096 + Math.floor(rand() * (bytes.length - 4096)) : Math.floor(rand() * 4096);
    switch (Math.floor(rand() * 4)) {
      case 0:
        bytes[at] = Math.floor(rand() * 256);
        break;
      case 1: // a large little-endian size or offset
        bytes.set([0xff, 0xff, 0xff, 0x7f].slice(0, Math.min(4, bytes.length - at)), at);
        break;
      case 2: // a run of zeros or of one token byte
        bytes.fill(rand() < 0.5 ? 0 : Math.floor(rand() * 0x10), at, Math.min(bytes.length, at + 64));
        break;
      case 3:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
        break;
    }
  }
  if (rand() < 0.15) return bytes.subarray(0, Math.floor(rand() * bytes.length));
  return bytes;
}

test('mutated .evtx files read to the end with issues: no crash, no hang, bounded memory', async () => {
  const rand = random(20261125);
  let files = 0;
  let records = 0;
  let issues = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (const sample of SAMPLES) {
    const original = readFileSync(join(SHARED_DATA, 'evtx-attack-samples', sample));
    for (let i = 0; i < 600; i++) {
      const bytes = mutate(original, rand);
      const started = performance.now();
      let produced = 0;
      for await (const r of readEvtxBytes(bytes, { displayName: `${sample}#${i}`, recover: i % 2 === 0 })) {
        if (r.ok) records++;
        else {
          issues++;
          assert.ok(r.issue.code.startsWith('evtx.'), r.issue.code);
          assert.equal(r.issue.file, `${sample}#${i}`);
        }
        produced++;
        // No more results than the bytes could possibly hold: a loop would run past this.
        assert.ok(produced < bytes.length / 8 + 100, `${sample}#${i}: runaway output`);
      }
      // A generous bound per file: a hang would blow far past it.
      assert.ok(performance.now() - started < 5_000, `${sample}#${i} took too long`);
      files++;
    }
  }
  const grown = process.memoryUsage().heapUsed - heapBefore;
  assert.equal(files, 1800);
  assert.ok(records > 1_000, `${records} records still read from the mutated files`);
  assert.ok(issues > 50, `${issues} issues reported`);
  assert.ok(grown < 512 * 1024 * 1024, `heap grew by ${grown} bytes`);
});
