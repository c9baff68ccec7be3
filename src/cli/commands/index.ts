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
import { consoleCommand } from './console';
import { credentialProcessCommand } from './credentialProcess';
import { activityCommand } from './activity';
import { alertingCommand } from './alerting';
import { approvalsAdminCommand, approveCommand, denyCommand, requestCommand, requestsCommand } from './approvals';

export const SUBCOMMANDS: Subcommand[] = [simulate, elevateCommand, revokeCommand, auditCommand, previewCommand, lintCommand,
  provisionCommand, checkCommand, consoleCommand, credentialProcessCommand, activityCommand, alertingCommand,
  requestCommand, requestsCommand, approveCommand, denyCommand, approvalsAdminCommand];
