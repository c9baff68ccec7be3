// "Break Glass: Provision…": plan first (a Markdown document with every change and its diff), then a modal that
// names the trusted principals and asks to apply — broadening changes need their own, explicit choice. A new user's
// console password is shown once in a modal and kept nowhere (not in the log, the plan, the summary or a file).
import * as vscode from 'vscode';
import type { AccountResult } from '../core/provision/apply';
import type { CommandContext } from './context';
import { workspaceDesiredState } from './readinessCheck';

export async function provisionCommand(ctx: CommandContext): Promise<AccountResult[] | undefined> {
  const desired = await workspaceDesiredState(ctx);
  if (desired.problems.length) {
    const pick = await vscode.window.showErrorMessage(`Break Glass: cannot provision — ${desired.problems[0]}`, 'Open Config');
    if (pick) await vscode.commands.executeCommand('breakglass.openConfig');
    return undefined;
  }
  const [{ accountClientsFactory }, { planProvisioning, applyProvisioning, planCounts, renderPlan, renderResults }, clients] = await Promise.all([
    import('../core/provision/access'), import('../core/provision/provision'), ctx.aws.clients()]);
  const access = accountClientsFactory(clients, desired.provisioning.provisioningRoleName);
  try {
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Break Glass: planning provisioning…' },
      () => planProvisioning(desired, { clientsFor: access.clientsFor }));
    const text = renderPlan(plan, desired);
    const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: text });
    await vscode.window.showTextDocument(doc, { preview: false });
    const n = planCounts(plan);
    if (!n.changes) {
      void vscode.window.showInformationMessage(`Break Glass: everything is provisioned as designed${n.unreachable ? ` (${n.unreachable} account(s) unreachable — see the plan)` : ''}.`);
      return [];
    }
    const p = desired.provisioning;
    const apply = 'Apply';
    const applyAll = 'Apply Including Broadening Changes';
    const choice = await vscode.window.showWarningMessage(
      `Apply ${n.changes} change(s) to ${plan.accounts.filter((a) => a.changes.length).length} account(s)?`,
      {
        modal: true,
        detail: `The roles will trust ${p.trustedPrincipalArns.join(', ')} (security account ${p.securityAccountId}) with MFA younger than ${p.mfaMaxAgeSeconds} s.`
          + (n.broadening ? `\n\n${n.broadening} change(s) broaden trust or permissions of existing resources (marked ! in the plan); "${apply}" leaves them out.` : ''),
      },
      apply, ...(n.broadening ? [applyAll] : []));
    if (!choice) return undefined;
    const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Break Glass: provisioning…' },
      () => applyProvisioning(plan, { clientsFor: access.clientsFor }, {
        allowBroadening: choice === applyAll,
        showPassword: async (user, password, arn) => {
          await vscode.window.showInformationMessage(`Console password for ${user} — shown once`, {
            modal: true,
            detail: `${password}\n\nUser ${arn}. The password is not stored anywhere; the responder must change it at first sign-in.\n\nNext step: ${user} signs in, sets a new password and enrols an MFA device (IAM console → Security credentials → Assign MFA device).`,
          });
        },
      }));
    const summary = renderResults(results);
    ctx.log.info(`provisioning results:\n${summary}`);
    const bad = results.some((a) => a.error || a.results.some((r) => r.status !== 'done'));
    void (bad ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`Break Glass: ${summary.trim().split('\n').filter((l) => l.startsWith('Account')).join('; ')}`, 'Show Log')
      .then((pick) => pick && ctx.log.channel.show(true));
    return results;
  } finally {
    access.dispose();
  }
}
