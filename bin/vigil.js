#!/usr/bin/env node
// The `vigil` command. Runs the compiled CLI (npm ci builds dist/ through `prepare`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  console.error('vigil: dist/ is missing; run `npm ci` (or `npm run build`) in the checkout first');
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
