/** The `vigil` command line: a thin shell that wires stages together; no domain logic lives here. */
import { Command, CommanderError } from 'commander';
import { VigilError } from '../core/errors.js';

type Register = (program: Command, setExit: SetExit) => void;

/**
 * Each module's registration and the top-level commands it adds, in help order; only the module of
 * the command being run is loaded: loading every command's modules (the server's alone) costs
 * about 0.6 CPU s, more than `vigil scan` needs in all.
 */
const COMMANDS: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ['evtx'], load: async () => (await import('./commands/evtx.js')).registerEvtx },
  { names: ['ingest'], load: async () => (await import('./commands/ingest.js')).registerIngest },
  { names: ['scan'], load: async () => (await import('./commands/scan.js')).registerScan },
  { names: ['rules'], load: async () => (await import('./commands/rules.js')).registerRules },
  { names: ['report'], load: async () => (await import('./commands/report.js')).registerReport },
  { names: ['events', 'hunt'], load: async () => (await import('./commands/store.js')).registerStore },
  { names: ['feeds'], load: async () => (await import('./commands/feeds.js')).registerFeeds },
  { names: ['serve'], load: async () => (await import('./commands/serve.js')).registerServe },
  {
    names: ['advisories'],
    load: async () => (await import('./commands/advisories.js')).registerAdvisories,
  },
];

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
  const named = COMMANDS.find((c) => argv[0] !== undefined && c.names.includes(argv[0]));
  // Help, a typo or no command at all: every command, so the listing and suggestions are whole.
  const modules = named === undefined ? COMMANDS : [named];
  for (const register of await Promise.all(modules.map((m) => m.load()))) register(program, setExit);
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
