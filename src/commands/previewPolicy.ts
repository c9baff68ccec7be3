import * as path from 'path';
import * as vscode from 'vscode';
import type { RoleConfig } from '../core/config';
import { roleTemplateFor } from '../core/preview/model';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../core/templates';
import { MultiStepInput, type Step } from '../views/multiStepInput';
import { PreviewPanel, type PreviewDeps } from '../views/preview/panel';
import type { PreviewTarget } from '../views/preview/protocol';
import { formatDuration } from '../views/countdown';
import type { CommandContext } from './context';

const TITLE = 'Break Glass: Preview Policy';

/** What the command accepts: a role node of the accounts tree, a session id, or a session node ({ session: { id } }). */
export type PreviewPolicyArg = string | { kind?: string; role?: RoleConfig; session?: { id: string } } | undefined;

export function previewDeps(ctx: CommandContext): PreviewDeps {
  return { extensionUri: ctx.extension.extensionUri, log: ctx.log, sessions: ctx.sessions, configs: ctx.configs };
}


interface RolePick extends vscode.QuickPickItem {
  roleName?: string;
  template?: string;
}

interface PlaybookPick extends vscode.QuickPickItem {
  playbook?: string;
  custom?: boolean;
}

/** The four built-in playbooks with their descriptions and max durations, plus "Custom policy file…" when asked. */
export function playbookItems(withCustom: boolean): PlaybookPick[] {
  const items: PlaybookPick[] = Object.values(SESSION_POLICY_TEMPLATES).map((t) => ({
    label: t.name, description: `max ${formatDuration(t.maxDuration)}`, detail: t.description, playbook: t.name,
  }));
  if (withCustom) {
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(file) Custom policy file…', detail: 'A JSON session policy from disk', custom: true });
  }
  return items;
}

/** Asks for the session policy: a built-in playbook or a custom file. Returns the target's playbook part. */
async function pickPlaybook(input: MultiStepInput, step: number, totalSteps: number):
  Promise<{ playbook: string; policyFile?: string } | undefined> {
  const pick = await input.pick({
    title: TITLE, step, totalSteps, ignoreFocusOut: false, items: playbookItems(true),
    placeholder: 'Which session policy (playbook) should scope the session?',
  });
  if (!pick.custom) return { playbook: pick.playbook as string };
  const uris = await vscode.window.showOpenDialog({
    title: 'Session policy file', canSelectMany: false, openLabel: 'Preview', filters: { 'IAM policy (JSON)': ['json'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!uris?.length) return undefined;
  return { playbook: path.basename(uris[0].path), policyFile: uris[0].toString() };
}

/**
 * Break Glass: Preview Policy… — the policy preview for a role and a playbook, or for a live session. With a role node
 * (accounts tree) it asks only for the playbook; with a session id (or session node) it shows that session; without
 * arguments it asks for the role (configured roles and built-in role templates), then the playbook. Returns the panel.
 */
export async function previewPolicy(ctx: CommandContext, arg?: PreviewPolicyArg): Promise<PreviewPanel | undefined> {
  const sessionId = typeof arg === 'string' ? arg : arg?.session?.id;
  if (sessionId) {
    if (!ctx.sessions.get(sessionId)) {
      void vscode.window.showWarningMessage('Break Glass: that session is no longer known; pick a role and playbook instead.');
      return undefined;
    }
    return PreviewPanel.createOrShow(previewDeps(ctx), { kind: 'session', sessionId });
  }

  let target: PreviewTarget | undefined;
  const presetRole = typeof arg === 'object' && arg?.role ? arg.role : undefined;
  let roleName = presetRole?.name;
  let template = presetRole ? roleTemplateFor(presetRole) : undefined;
  const templateItems = (): RolePick[] => Object.values(ROLE_TEMPLATES).map((t) => ({
    label: t.name, description: `max ${formatDuration(t.maxSessionDuration)}${t.permissionsBoundary ? '' : ' · no boundary'}`,
    detail: t.description, roleName: t.name, template: t.name,
  }));

  const playbookStep = (step: number, total: number): Step => async (input) => {
    const pb = await pickPlaybook(input, step, total);
    if (pb && roleName && template) target = { kind: 'playbook', roleName, roleTemplate: template, ...pb };
    return undefined;
  };
  const templateStep = (step: number, total: number): Step => async (input) => {
    const pick = await input.pick({
      title: TITLE, step, totalSteps: total, ignoreFocusOut: false, items: templateItems(),
      placeholder: `The policies of ${roleName} are not known offline: model them with which built-in role template?`,
    });
    template = pick.template;
    return playbookStep(step + 1, total);
  };
  const roleStep: Step = async (input) => {
    const config = await ctx.configs.get();
    const items: RolePick[] = [];
    for (const account of config.accounts) {
      if (!account.roles.length) continue;
      items.push({ label: `${account.name} (${account.id})`, kind: vscode.QuickPickItemKind.Separator });
      for (const r of account.roles) {
        const t = roleTemplateFor(r);
        items.push({ label: `$(key) ${r.name}`, description: t ? `template ${t}` : 'policies unknown offline', detail: r.description, roleName: r.name, template: t });
      }
    }
    items.push({ label: 'Built-in role templates', kind: vscode.QuickPickItemKind.Separator }, ...templateItems());
    const pick = await input.pick({ title: TITLE, step: 1, totalSteps: 2, ignoreFocusOut: false, items, placeholder: 'Preview the session for which role?' });
    roleName = pick.roleName;
    template = pick.template;
    return template ? playbookStep(2, 2) : templateStep(2, 3);
  };

  const first: Step = presetRole ? (template ? playbookStep(1, 1) : templateStep(1, 2)) : roleStep;
  await MultiStepInput.run(first);
  return target ? PreviewPanel.createOrShow(previewDeps(ctx), target) : undefined;
}
