// Imports must run one way (DESIGN.md): a module may import its own folder and lower layers only,
// and the module graph has no cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

const LAYER: Record<string, number> = {
  core: 0,
  ingest: 1,
  detect: 1,
  enrich: 1,
  investigate: 2,
  cases: 3,
  notify: 3,
  advisories: 3,
  intel: 3,
  report: 3,
  store: 4,
  scale: 4,
  server: 5,
  // The command line starts the server (`vigil serve`); the server never calls the command line.
  cli: 6,
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'web') sourceFiles(path, out);
    } else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec?.startsWith('.')) found.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return found;
}

function topFolder(file: string): string {
  return relative(SRC, file).split(/[\\/]/)[0] ?? '';
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, localImports(f)]));

test('every src folder has a layer', () => {
  for (const f of files) {
    const top = topFolder(f);
    if (top.endsWith('.ts')) continue;
    assert.ok(top in LAYER, `${relative(SRC, f)}: folder "${top}" has no layer in DESIGN.md`);
  }
});

test('imports go only to the same folder or a lower layer', () => {
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const a = topFolder(from);
    for (const to of targets) {
      const b = topFolder(to);
      if (a === b) continue;
      const la = LAYER[a];
      const lb = LAYER[b];
      if (la === undefined || lb === undefined || lb >= la) {
        wrong.push(`${relative(SRC, from)} → ${relative(SRC, to)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the module graph has no cycles', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === 'open') {
        const loop = stack.slice(stack.indexOf(next)).concat(next);
        cycles.push(loop.map((f) => relative(SRC, f)).join(' → '));
      } else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});
