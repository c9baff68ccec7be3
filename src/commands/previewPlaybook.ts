import * as vscode from 'vscode';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import { PreviewPanel } from '../views/preview/panel';
import type { CommandContext } from './context';
import { playbookItems, previewDeps } from './previewPolicy';

/** The role a built-in playbook is previewed against offline: the incident_responder template (with its boundary). */
export const DEFAULT_PREVIEW_ROLE = 'incident_responder';

/**
 * Break Glass: Preview a Built-in Playbook… — offline, no configuration needed: what a built-in playbook leaves of the
 * built-in incident_responder role. A playbook name may be passed (tests, links); otherwise a quick pick asks.
 */
export async function previewPlaybook(ctx: CommandContext, playbook?: string): Promise<PreviewPanel | undefined> {
  let name = typeof playbook === 'string' && SESSION_POLICY_TEMPLATES[playbook] ? playbook : undefined;
  if (!name) {
    const pick = await vscode.window.showQuickPick(playbookItems(false), {
      title: 'Break Glass: Preview a Built-in Playbook', placeHolder: `Which playbook? It is previewed against the built-in ${DEFAULT_PREVIEW_ROLE} role`,
      matchOnDescription: true, matchOnDetail: true,
    });
    name = pick?.playbook;
  }
  if (!name) return undefined;
  return PreviewPanel.createOrShow(previewDeps(ctx), { kind: 'playbook', roleName: DEFAULT_PREVIEW_ROLE, roleTemplate: DEFAULT_PREVIEW_ROLE, playbook: name });
}
