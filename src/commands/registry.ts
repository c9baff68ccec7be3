// The one registration table: command id → handler. The ids are a union type, so a typo fails `tsc`, and an
// integration test checks that this table and package.json's `contributes.commands` list the same commands.
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { createConfig } from './createConfig';
import { showLog } from './showLog';

type Handler = (ctx: CommandContext, ...args: never[]) => unknown;

export const COMMANDS = {
  'breakglass.showLog': showLog,
  'breakglass.createConfig': createConfig,
} satisfies Record<`breakglass.${string}`, Handler>;

export type CommandId = keyof typeof COMMANDS;

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.entries(COMMANDS) as Array<[CommandId, Handler]>).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...(args as never[]));
      } catch (e) {
        // Last line of defence: a readable message, never a stack trace in a notification; details go to the log.
        ctx.log.error(`${id} failed: ${(e as Error).stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`Break Glass: ${(e as Error).message || 'the command failed'}. See the log for details.`, 'Show Log')
          .then((pick) => pick && ctx.log.channel.show(true));
        return undefined;
      }
    }));
}
