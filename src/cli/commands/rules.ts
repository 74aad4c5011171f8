/** `vigil rules`: placeholder until its stage lands. */
import type { Command } from 'commander';
import type { SetExit } from '../exit.js';

export function registerRules(_program: Command, _setExit: SetExit): void {}
