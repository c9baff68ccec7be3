// The subcommand table. Each subcommand is a small module over src/core; add new ones here.
import type { Subcommand } from '../io';
import { simulate } from './simulate';
import { previewCommand } from './preview';
import { lintCommand } from './lint';

export const SUBCOMMANDS: Subcommand[] = [simulate, previewCommand, lintCommand];
