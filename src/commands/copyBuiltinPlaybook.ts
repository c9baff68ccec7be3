import * as vscode from 'vscode';
import { builtinPlaybookText } from '../core/playbookFormat';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import { builtinPlaybookName } from '../views/builtinPlaybooks';
import type { CommandContext } from './context';
import { pickBuiltinPlaybook } from './openBuiltinPlaybook';

/**
 * Break Glass: Copy Built-in Playbook to Workspace — an editable copy in .breakglass/playbooks/ of the first folder.
 * An existing file is never overwritten: the copy gets the next free name (name-2.json, …).
 */
export async function copyBuiltinPlaybook(_ctx: CommandContext, arg?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
  const fromUri = arg instanceof vscode.Uri ? builtinPlaybookName(arg) : undefined;
  const name = fromUri ?? await pickBuiltinPlaybook('Break Glass: Copy Built-in Playbook to Workspace', arg);
  if (!name) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Break Glass: open a folder first; the copy goes to its .breakglass/playbooks/.');
    return undefined;
  }
  const dir = vscode.Uri.joinPath(folder.uri, '.breakglass', 'playbooks');
  await vscode.workspace.fs.createDirectory(dir);
  let target = vscode.Uri.joinPath(dir, `${name}.json`);
  for (let n = 2; await exists(target); n++) target = vscode.Uri.joinPath(dir, `${name}-${n}.json`);
  const text = builtinPlaybookText(SESSION_POLICY_TEMPLATES[name])
    .replace(/^\/\/ Built-in.*\n\/\/ Read-only.*\n/, `// Copied from the built-in Break Glass playbook '${name}' (SEC10-BP05). Edit it to fit your runbook.\n`);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
