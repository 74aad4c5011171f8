// The key filter in front of the window table: never a false negative, few false positives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyFilter } from '../../src/store/intake-windows.js';

test('the key filter holds every key added, and says no to nearly all others', () => {
  const filter = new KeyFilter();
  // 53-bit keys as the dedup key makes them, spread the way a hash spreads them.
  let x = 0x2545f491;
  const next = (): number => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    const y = Math.imul(x ^ (x >>> 12), 0x297a2d39) >>> 0;
    return (y & 0x1fffff) * 0x100000000 + (Math.imul(y ^ (y >>> 15), 0x85ebca6b) >>> 0);
  };
  const added: number[] = [];
  for (let i = 0; i < 500_000; i++) added.push(next());
  for (const k of added) filter.add(k);
  for (const k of added) assert.ok(filter.mayHold(k));
  let yes = 0;
  for (let i = 0; i < 100_000; i++) if (filter.mayHold(next())) yes++;
  assert.ok(yes < 1_000, `${yes} false positives in 100,000`);
  assert.equal(filter.mayHold(0), false);
  filter.add(0);
  filter.add(2 ** 53 - 1);
  assert.ok(filter.mayHold(0) && filter.mayHold(2 ** 53 - 1));
});
