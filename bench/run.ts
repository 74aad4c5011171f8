// `npm run bench`: runs every bench/*.bench.ts in its own process and rewrites docs/benchmarks.md from
// the Markdown sections they print on stdout. Each bench prints a `## Title` section with its command,
// its figures and the peer figures it measured in the same run. `npm run bench -- NAME…` runs only the
// benches whose file names contain NAME and replaces only their sections, each stamped with its own run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();

// The node flags the `vigil` command runs with (its shebang), so a bench measures what users run.
const vigilFlags = (readFileSync(join(root, 'bin', 'vigil.js'), 'utf8').split('\n', 1)[0] ?? '')
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

const sections: string[] = [];
for (const file of benches) {
  process.stderr.write(`bench: ${file}\n`);
  const run = spawnSync(process.execPath, [...vigilFlags, '--import', 'tsx', join('bench', file)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  sections.push(
    run.status === 0
      ? run.stdout.trim()
      : `## ${file}\n\nFailed (exit ${run.status}).\n\n${run.stdout.trim()}`,
  );
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmarks

Produced by \`npm run bench\` (each section names its own command) on ${new Date().toISOString().slice(0, 10)},
commit ${commit}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
Peer tools are measured in the same run on the same files. Figures are medians of the runs stated.
`;
const target = join(root, 'docs', 'benchmarks.md');
const titleOf = (section: string): string => /^## (.+)$/m.exec(section)?.[1]?.trim() ?? section;

if (only.length === 0 || !existsSync(target)) {
  writeFileSync(target, [header, ...sections].join('\n\n') + '\n');
} else {
  // A partial run keeps every other section as it was measured, and says when its own ones were.
  const stamp = `_Rerun alone on ${new Date().toISOString().slice(0, 10)} at commit ${commit}._`;
  const fresh = new Map(sections.map((s) => [titleOf(s), s.replace(/^(## .+\n)/, `$1\n${stamp}\n`)]));
  const [kept, ...old] = readFileSync(target, 'utf8').split(/\n(?=## )/);
  const merged = old.map((s) => fresh.get(titleOf(s))?.trimEnd() ?? s.trimEnd());
  for (const [title, s] of fresh) if (!old.some((o) => titleOf(o) === title)) merged.push(s);
  writeFileSync(target, [kept?.trimEnd() ?? header, ...merged].join('\n\n') + '\n');
}
process.stderr.write(`bench: wrote docs/benchmarks.md (${sections.length} sections)\n`);
