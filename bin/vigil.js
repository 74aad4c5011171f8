#!/usr/bin/env -S node --max-semi-space-size=64
// The `vigil` command. Runs the compiled CLI (npm ci builds dist/ through `prepare`).
// A 64 MiB young generation (V8's default is 16): ingest makes a JSON text of each event that dies
// young while the batch's events live on, and the store bench took 11.1 µs an event with it against
// 12.6 without. `npm start` and the benches (bench/run.ts reads this line) run with the same flags.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  console.error('vigil: dist/ is missing; run `npm ci` (or `npm run build`) in the checkout first');
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
