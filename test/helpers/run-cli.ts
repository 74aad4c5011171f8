// Entry for tests that run the CLI in a child process, from source (node --import tsx test/helpers/run-cli.ts …).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
