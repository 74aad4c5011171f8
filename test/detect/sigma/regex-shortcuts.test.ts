// Shortcuts the compiled matcher takes before (or instead of) running a rule regex: each must
// give exactly what the regex gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexMinLength } from '../../../src/detect/sigma/regex-literal.js';
import { sequenceMatcher } from '../../../src/detect/sigma/regex-sequence.js';

test('minimum match length: never more than the shortest match', () => {
  const cases: [string, number, string?][] = [
    ['ab?(c|de){2}', 3, 'acc'],
    ['\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}', 82],
    ['a|bc', 1, 'a'],
    ['(?=abc)x', 1],
    ['(?<n>ab)+c', 3, 'abc'],
    ['\\bfoo\\b', 3, 'foo'],
    ['a{2,}b*', 2, 'aa'],
    ['x*', 0, ''],
    ['\\1', 0],
    ['x{', 0],
  ];
  for (const [source, min, shortest] of cases) {
    assert.equal(regexMinLength(source), min, source);
    if (shortest !== undefined) assert.equal(new RegExp(`^(?:${source})$`).test(shortest), true, source);
  }
});

test('`lit.*lit` sequences: the same answer as the regex, on hand-picked and random text', () => {
  assert.equal(sequenceMatcher('a.*?b', ''), undefined);
  assert.equal(sequenceMatcher('a\\.*b', ''), undefined);
  assert.equal(sequenceMatcher('x.*y', 's'), undefined);
  assert.equal(sequenceMatcher('\u00e9.*x', 'i'), undefined);
  const patterns: [string, string][] = [
    ['\\+.*\\+.*\\+', ''],
    ['a.*b', 'i'],
    ['k.*\\+', 'i'],
    ['ab.*ba', 'm'],
    ['.*', ''],
    ['a.*', ''],
  ];
  const alphabet = ['+', 'a', 'A', 'b', 'B', '\n', '\r', '\u2028', 'x', '\u212A', 'k', 'K', ' '];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let n = 0; n < 5000; n++) {
    let text = '';
    for (let i = random(14); i > 0; i--) text += alphabet[random(alphabet.length)]!;
    for (const [source, flags] of patterns) {
      const matcher = sequenceMatcher(source, flags);
      assert.ok(matcher, source);
      assert.equal(
        matcher(text),
        new RegExp(source, flags).test(text),
        `${source} /${flags} on ${JSON.stringify(text)}`,
      );
    }
  }
});
