// The subcommand table. Each subcommand is a small module over src/core; add new ones here.
import type { Subcommand } from '../io';
import { simulate } from './simulate';
import { previewCommand } from './preview';
import { lintCommand } from './lint';
import { elevateCommand } from './elevate';
import { revokeCommand } from './revoke';
import { auditCommand } from './audit';
import { provisionCommand } from './provision';
import { checkCommand } from './check';
import { diffCommand } from './diff';

export const SUBCOMMANDS: Subcommand[] = [simulate, elevateCommand, revokeCommand, auditCommand, previewCommand, lintCommand, provisionCommand, checkCommand, diffCommand];
