import * as vscode from 'vscode';
import type { Session } from '../core/session/types';
import type { CommandContext } from './context';

/** Break Glass: Open Terminal — a new integrated terminal holding a live session's credentials. */
export async function openTerminal(ctx: CommandContext, arg?: string | { session?: Session }): Promise<vscode.Terminal | undefined> {
  const id = typeof arg === 'string' ? arg : arg?.session?.id ?? (await pickLiveSession(ctx, 'Open a terminal for which session?'));
  if (!id) return undefined;
  return ctx.openTerminal(id);
}

export async function pickLiveSession(ctx: CommandContext, placeHolder: string): Promise<string | undefined> {
  const live = ctx.sessions.live();
  if (!live.length) {
    void vscode.window.showInformationMessage('Break Glass: no live session. Run "Break Glass: Elevate…" first.');
    return undefined;
  }
  if (live.length === 1) return live[0].id;
  const picked = await vscode.window.showQuickPick(live.map((s) => ({
    label: `${s.incidentId} · ${s.roleName}`, description: `until ${new Date(s.expiresAt).toLocaleTimeString()}`, detail: s.playbook, id: s.id,
  })), { placeHolder });
  return picked?.id;
}
