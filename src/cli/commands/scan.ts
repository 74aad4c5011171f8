/** `vigil scan`: placeholder until its stage lands. */
import type { Command } from 'commander';
import type { SetExit } from '../exit.js';

export function registerScan(_program: Command, _setExit: SetExit): void {}
