import * as vscode from 'vscode';
import type { CommandContext } from './context';

/** Break Glass: Show Session — reveals a session (default: the soonest-expiring) in the Break Glass view. */
export async function revealSession(ctx: CommandContext, sessionId?: string): Promise<boolean> {
  const id = sessionId ?? ctx.sessions.live().sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))[0]?.id;
  if (!id) return false;
  await vscode.commands.executeCommand('workbench.view.extension.breakglass');
  const node = await ctx.accountsTree.findSession(id);
  if (!node) return false;
  await ctx.accountsView.reveal(node, { select: true, focus: true, expand: true });
  return true;
}

/** Break Glass: Refresh — reloads the workspace configuration and re-reads sessions. */
export async function refresh(ctx: CommandContext): Promise<void> {
  ctx.sessions.tick();
  await ctx.configs.reload();
}

/** Loads the next page of accounts in the tree (large organisations). */
export function showMoreAccounts(ctx: CommandContext): void {
  ctx.accountsTree.showMore();
}
