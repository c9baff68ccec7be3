import * as vscode from 'vscode';
import { CONFIG_RELATIVE_PATH, configTemplate } from '../core/config';
import type { CommandContext } from './context';

/**
 * Break Glass: Create Workspace Configuration — writes `.breakglass/config.json` from a commented-by-example template
 * in the first workspace folder and opens it. An existing file is opened, never overwritten (nothing a user wrote is
 * lost). Returns the file's URI (used by tests).
 */
export async function createConfig(ctx: CommandContext): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Break Glass: open a folder first — the configuration lives in the workspace at ' +
      `${CONFIG_RELATIVE_PATH}. You can still use built-in playbooks and your AWS profiles without one.`);
    return undefined;
  }
  const uri = vscode.Uri.joinPath(folder.uri, ...CONFIG_RELATIVE_PATH.split('/'));
  let exists = false;
  try {
    await vscode.workspace.fs.stat(uri);
    exists = true;
  } catch {
    exists = false;
  }
  if (!exists) {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(configTemplate()));
    ctx.log.info(`created ${uri.fsPath}`);
    // Show the new accounts at once rather than waiting for the file watcher (which can lag or miss a creation).
    await ctx.configs.reload();
  } else {
    ctx.log.info(`${uri.fsPath} already exists; opening it`);
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
