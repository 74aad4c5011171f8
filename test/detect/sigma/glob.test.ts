// The compiled glob (segments placed leftmost, found with indexOf) must answer exactly as the plain
// two-pointer globMatch the reference evaluator uses, on every pattern and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileGlob,
  globMatch,
  parseSigmaString,
  tokens,
  type PatternPart,
} from '../../../src/detect/sigma/pattern.js';

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('compiled globs agree with globMatch on 200,000 generated patterns and texts', () => {
  const next = random(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  // Few letters, so texts often match; a surrogate pair and a class make `?` and sets count.
  const letters = ['a', 'b', 'c', '\u{1F600}', '-', '/'];
  const pieces: PatternPart[] = [
    'a',
    'b',
    'ab',
    'ba',
    'c',
    '',
    '\u{1F600}',
    { any: true },
    { one: true },
    { oneOf: '-/' },
  ];
  let matched = 0;
  for (let i = 0; i < 200_000; i++) {
    const parts = Array.from({ length: Math.floor(next() * 6) }, () => pick(pieces));
    const text = Array.from({ length: Math.floor(next() * 9) }, () => pick(letters)).join('');
    const expected = globMatch(text, tokens(parts));
    assert.equal(compileGlob(parts)(text), expected, `${JSON.stringify(parts)} on ${JSON.stringify(text)}`);
    if (expected) matched++;
  }
  assert.ok(matched > 10_000, `only ${matched} matches: the cases do not exercise matching`);
});

test('compiled globs of rule values: stars between literals, ? and the ends', () => {
  const glob = (value: string) => compileGlob(parseSigmaString(value));
  assert.equal(glob('*ipconfig*|*find*')('cmd /c ipconfig /all | find "ipv4"'), true);
  assert.equal(glob('*ipconfig*|*find*')('find | ipconfig'), false);
  assert.equal(glob('*>?%temp%\\\\*')('echo x >"%temp%\\a.txt'), true);
  assert.equal(glob('*>?%temp%\\\\*')('echo x >%temp%\\a.txt'), false);
  assert.equal(glob('c:\\\\*\\x.exe')('c:\\a\\x.exe'), true);
  assert.equal(glob('c:\\\\*\\x.exe')('c:\\x.exe'), false);
  assert.equal(glob('a*a')('a'), false);
  assert.equal(glob('a*a')('aa'), true);
});
