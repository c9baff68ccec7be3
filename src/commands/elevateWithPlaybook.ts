import * as vscode from 'vscode';
import { formatElevationSummary, playbookElevationSummary } from '../core/authoring/elevationSummary';
import { PlaybookFormatError } from '../core/playbookFormat';
import type { CommandContext } from './context';

/**
 * "Elevate with this playbook" (CodeLens): refused in an untrusted workspace (a repository's playbook is read and
 * previewed there, never used); otherwise shows the playbook's effective-permission summary, risks and what changed
 * since the last commit, and on confirmation runs Break Glass: Elevate with the file as its playbook.
 */
export async function elevateWithPlaybook(_ctx: CommandContext, uri?: vscode.Uri): Promise<unknown> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showInformationMessage('Break Glass: open a workspace playbook file first.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Break Glass: this workspace is not trusted, so its playbooks can be read and previewed but not used to elevate. Trust the workspace first.', 'Manage Workspace Trust')
      .then((pick) => pick && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open?.isDirty) {
    void vscode.window.showWarningMessage('Break Glass: save the playbook first; an elevation uses the file as saved.');
    return undefined;
  }
  let summary;
  try {
    summary = await playbookElevationSummary(target.fsPath, 'HEAD');
  } catch (e) {
    if (e instanceof PlaybookFormatError) {
      void vscode.window.showErrorMessage(`Break Glass: ${e.message.split('\n').slice(0, 2).join(' ')}`);
      return undefined;
    }
    throw e;
  }
  const go = await vscode.window.showWarningMessage(`Elevate with ${vscode.workspace.asRelativePath(target)}?`,
    { modal: true, detail: formatElevationSummary(summary) }, 'Continue');
  if (go !== 'Continue') return undefined;
  return vscode.commands.executeCommand('breakglass.elevate', { playbook: `file:${target.fsPath}` });
}
