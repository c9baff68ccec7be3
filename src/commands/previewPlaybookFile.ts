import * as path from 'path';
import * as vscode from 'vscode';
import { PreviewPanel } from '../views/preview/panel';
import type { CommandContext } from './context';
import { DEFAULT_PREVIEW_ROLE } from './previewPlaybook';
import { previewDeps } from './previewPolicy';

/**
 * Break Glass: Preview This Playbook — the policy preview of a playbook file (the active editor's, or the one clicked
 * in the explorer), against the built-in incident_responder role. The preview follows edits as they are typed.
 */
export async function previewPlaybookFile(ctx: CommandContext, uri?: vscode.Uri): Promise<PreviewPanel | undefined> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage('Break Glass: open a playbook file (a JSON session policy) first, then preview it.');
    return undefined;
  }
  return PreviewPanel.createOrShow(previewDeps(ctx), {
    kind: 'playbook', roleName: DEFAULT_PREVIEW_ROLE, roleTemplate: DEFAULT_PREVIEW_ROLE,
    playbook: path.basename(target.path), policyFile: target.toString(),
  });
}
