// The subcommand table. Each subcommand is a small module over src/core; add new ones here.
import type { Subcommand } from '../io';

export const SUBCOMMANDS: Subcommand[] = [];
