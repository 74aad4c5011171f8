/** The `vigil` command line: a thin shell that wires stages together; no domain logic lives here. */
import { Command, CommanderError } from 'commander';
import { VigilError } from '../core/errors.js';
import { registerAdvisories } from './commands/advisories.js';
import { registerEvtx } from './commands/evtx.js';
import { registerIngest } from './commands/ingest.js';
import { registerRules } from './commands/rules.js';
import { registerReport } from './commands/report.js';
import { registerScan } from './commands/scan.js';
import { registerServe } from './commands/serve.js';
import { registerStore } from './commands/store.js';

/** Exit codes: 0 fine, 1 findings at or above the fail level / failed checks, 2 usage or fatal error. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('vigil')
    .description('Vigil: evidence ingest, Sigma detection and incident handling for CERTs')
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = Math.max(exitCode, code);
  };
  registerEvtx(program, setExit);
  registerIngest(program, setExit);
  registerScan(program, setExit);
  registerRules(program, setExit);
  registerReport(program, setExit);
  registerStore(program, setExit);
  registerServe(program, setExit);
  registerAdvisories(program, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof VigilError) {
      process.stderr.write(`vigil: ${error.message}\n`);
      return 2;
    }
    // A file that cannot be written, a store that cannot be opened: say what, without a stack trace.
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E') && error instanceof Error) {
      process.stderr.write(`vigil: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export type SetExit = (code: number) => void;
