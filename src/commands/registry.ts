// The one registration table: command id → handler. The ids are a union type, so a typo fails `tsc`, and an
// integration test checks that this table and package.json's `contributes.commands` list the same commands.
import * as vscode from 'vscode';
import { BreakGlassError } from '../core/aws/errors';
import type { CommandContext } from './context';
import { auditSummary, exportAudit } from './auditSummary';
import { provisionAlertingCommand, showActivity } from './activity';
import { createConfig } from './createConfig';
import { elevateCommand, reElevateCommand } from './elevate';
import { openTerminal } from './openTerminal';
import { previewPlaybook } from './previewPlaybook';
import { previewPlaybookFile } from './previewPlaybookFile';
import { previewPolicy } from './previewPolicy';
import { revokeSessionCommand } from './revokeSession';
import { refresh, revealSession, showMoreAccounts } from './sessionView';
import { showLog } from './showLog';
import { provisionCommand } from './provision';
import { readinessCheck } from './readinessCheck';
import { copySwitchRoleLink, openConsole } from './openConsole';
import { elevateSeveralCommand } from './elevateSeveral';
import { writeProfileCommand } from './writeProfile';
import { approveRequestCommand, denyRequestCommand, elevateApprovedCommand, requestAccessCommand } from './approvals';
// Playbooks as code (issue 13)
import { comparePlaybookWithHead } from './comparePlaybookWithHead';
import { copyBuiltinPlaybook } from './copyBuiltinPlaybook';
import { createScopedPlaybook } from './createScopedPlaybook';
import { elevateWithPlaybook } from './elevateWithPlaybook';
import { openBuiltinPlaybook } from './openBuiltinPlaybook';

type Handler = (ctx: CommandContext, ...args: never[]) => unknown;

export const COMMANDS = {
  'breakglass.showLog': showLog,
  'breakglass.createConfig': createConfig,
  'breakglass.openConfig': createConfig,
  'breakglass.refresh': refresh,
  'breakglass.elevate': elevateCommand,
  'breakglass.reElevate': reElevateCommand,
  'breakglass.openTerminal': openTerminal,
  'breakglass.revokeSession': revokeSessionCommand,
  'breakglass.revealSession': revealSession,
  'breakglass.showMoreAccounts': showMoreAccounts,
  'breakglass.auditSummary': auditSummary,
  'breakglass.exportAudit': exportAudit,
  'breakglass.previewPolicy': previewPolicy,
  'breakglass.previewPlaybook': previewPlaybook,
  'breakglass.previewPlaybookFile': previewPlaybookFile,
  'breakglass.provision': provisionCommand,
  'breakglass.readinessCheck': readinessCheck,
  'breakglass.openConsole': openConsole,
  'breakglass.copySwitchRoleLink': copySwitchRoleLink,
  'breakglass.elevateSeveral': elevateSeveralCommand,
  'breakglass.writeProfile': writeProfileCommand,
  'breakglass.showActivity': showActivity,
  'breakglass.provisionAlerting': provisionAlertingCommand,
  // approvals (issue 12)
  'breakglass.requestAccess': requestAccessCommand,
  'breakglass.approveRequest': approveRequestCommand,
  'breakglass.denyRequest': denyRequestCommand,
  'breakglass.elevateApproved': elevateApprovedCommand,
  // Playbooks as code (issue 13)
  'breakglass.openBuiltinPlaybook': openBuiltinPlaybook,
  'breakglass.copyBuiltinPlaybook': copyBuiltinPlaybook,
  'breakglass.comparePlaybookWithHead': comparePlaybookWithHead,
  'breakglass.elevateWithPlaybook': elevateWithPlaybook,
  'breakglass.createScopedPlaybook': createScopedPlaybook,
} satisfies Record<`breakglass.${string}`, Handler>;

export type CommandId = keyof typeof COMMANDS;

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.entries(COMMANDS) as Array<[CommandId, Handler]>).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...(args as never[]));
      } catch (e) {
        // Last line of defence: a readable message, never a stack trace in a notification; details go to the log.
        const message = e instanceof BreakGlassError ? `${e.translated.title}. ${e.translated.message}` : (e as Error).message || 'the command failed';
        ctx.log.error(`${id} failed: ${(e as Error).stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`Break Glass: ${message}`, 'Show Log')
          .then((pick) => pick && ctx.log.channel.show(true));
        return undefined;
      }
    }));
}
