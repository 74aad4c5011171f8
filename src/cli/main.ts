/** The `vigil` command line: a thin shell that wires stages together; no domain logic lives here. */
import { Command, CommanderError } from 'commander';
import { VigilError } from '../core/errors.js';

type Register = (program: Command, setExit: SetExit) => void;

/**
 * Each command's registration, in help order, loaded only for the command being run: loading every
 * command's modules (the server's alone) costs about 0.6 CPU s, more than `vigil scan` needs in all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  evtx: async () => (await import('./commands/evtx.js')).registerEvtx,
  ingest: async () => (await import('./commands/ingest.js')).registerIngest,
  scan: async () => (await import('./commands/scan.js')).registerScan,
  rules: async () => (await import('./commands/rules.js')).registerRules,
  report: async () => (await import('./commands/report.js')).registerReport,
  store: async () => (await import('./commands/store.js')).registerStore,
  feeds: async () => (await import('./commands/feeds.js')).registerFeeds,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  advisories: async () => (await import('./commands/advisories.js')).registerAdvisories,
};

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
  const named = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? argv[0] : undefined;
  // Help, a typo or no command at all: every command, so the listing and suggestions are whole.
  const loads = named === undefined ? Object.values(COMMANDS) : [COMMANDS[named]!];
  for (const register of await Promise.all(loads.map((load) => load()))) register(program, setExit);
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
