// Break Glass: Request Access… / Approve… / Deny… / Elevate with This Approval — thin adapters over the approval
// use-cases in src/core/approvals. Request Access asks the Elevate questions (views/elevationWizard) and stops before the MFA
// step. The gate for Elevate is built here from the workspace config, with "Break glass anyway" asked in a modal.
// The modules that talk to AWS (store, identity, SNS) are imported on first use, not at activation.
import * as vscode from 'vscode';
import type { AwsClients } from '../core/aws/clients';
import { BreakGlassError, translateAwsError } from '../core/aws/errors';
import type { WorkspaceConfig } from '../core/config';
import { approvalGate, approvalRequired, MIN_OVERRIDE_JUSTIFICATION, type ElevationGate } from '../core/approvals/gate';
import { playbookDisplayName } from '../core/approvals/hash';
import { ApprovalConflict } from '../core/approvals/errors';
import type { ApprovalRequest } from '../core/approvals/types';
import { planElevation } from '../core/session/elevate';
import { requesterFromArn, sessionSuffix } from '../core/session/run';
import { resolvePlaybook } from '../core/playbooks';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import type { AccountsNode } from '../views/accountsTree';
import type { CommandContext } from './context';
import { elevateCommand, type ElevateArgs } from './elevate';
import { askElevation, playbookLabel } from '../views/elevationWizard';
import { readSettings } from '../views/settings';

/** The gate for an elevation, or undefined when nothing in config requires approval. */
export async function approvalGateFor(ctx: CommandContext, config: WorkspaceConfig, clients: AwsClients, requestId?: string):
  Promise<{ gate: ElevationGate; state: { brokeGlass: boolean } } | undefined> {
  const gated = config.accounts.some((a) => a.roles.some((r) => r.requiresApproval)) || Object.values(config.playbooks ?? {}).some((p) => p.requiresApproval);
  if (!gated) return undefined;
  const state = { brokeGlass: false };
  const { approvalPorts } = await import('../core/approvals/services');
  const ports = config.approvals ? approvalPorts(config.approvals, clients, { audit: ctx.audit() }) : undefined;
  const gate = approvalGate({
    config, store: ports?.store, identity: ports?.identity ?? (async () => { throw new Error('no approvals block in the workspace config'); }),
    notifier: ports?.notifier, audit: ctx.audit(), requestId,
    onWarning: (m) => {
      ctx.log.warn(`approvals: ${m}`);
      void vscode.window.showWarningMessage(`Break Glass: ${m}`);
    },
    breakGlassAnyway: async (plan, why) => {
      const go = await vscode.window.showWarningMessage(`Break Glass: ${plan.roleName} requires approval. ${why}`, {
        modal: true,
        detail: 'Break glass anyway ONLY in a true emergency when no approver can be reached: you must justify it, it is written to the audit log and every approver is notified at once.',
      }, 'Break Glass Anyway');
      if (go !== 'Break Glass Anyway') return undefined;
      const justification = await vscode.window.showInputBox({
        title: 'Break Glass Anyway — without approval', ignoreFocusOut: true, placeHolder: 'Why no approver could be reached, and why it cannot wait',
        prompt: 'Mandatory. Recorded in the audit log and sent to the approvers.',
        validateInput: (v) => (v.trim().length < MIN_OVERRIDE_JUSTIFICATION ? `At least ${MIN_OVERRIDE_JUSTIFICATION} characters.` : undefined),
      });
      if (justification?.trim()) {
        state.brokeGlass = true;
        ctx.log.warn(`BREAK GLASS ANYWAY on ${plan.roleArn} for ${plan.incidentId}: ${why}`);
      }
      return justification;
    },
  });
  return { gate, state };
}

async function portsFor(ctx: CommandContext) {
  const config = await ctx.configs.get();
  if (!config.approvals) {
    throw new BreakGlassError({ code: 'Unknown', title: 'No approvals configured', retryable: false,
      message: 'This workspace\'s .breakglass/config.json has no "approvals" block (table, approvers); add one to request or decide access.' });
  }
  const [{ approvalPorts }, clients] = await Promise.all([import('../core/approvals/services'), ctx.aws.clients()]);
  return approvalPorts(config.approvals, clients, { audit: ctx.audit() });
}

/** Break Glass: Request Access… — the Elevate questions without the MFA code, then a pending request. */
export async function requestAccessCommand(ctx: CommandContext, arg?: AccountsNode | ElevateArgs | string): Promise<ApprovalRequest | undefined> {
  const preset: ElevateArgs = typeof arg === 'string' ? { roleArn: arg } : arg && 'kind' in arg ? (arg.kind === 'role' ? { roleArn: arg.role.arn } : {}) : { ...(arg ?? {}) };
  const s = readSettings();
  const config = await ctx.configs.get();
  const answers = await askElevation(config, preset, { incidentPattern: s.incidentRegExp, incidentExample: s.incidentExample, title: 'Break Glass: Request Access', limits: async () => ({}) });
  if (!answers) return undefined;
  const ports = await portsFor(ctx);
  // The same resolver and pre-flight as Elevate (src/core), so the policy hash approved is the one Elevate sends.
  const playbook = await resolvePlaybook(answers.playbook, async (f) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(f))));
  const requester = s.requester || requesterFromArn((await ports.identity()).arn);
  const planned = planElevation({
    roleArn: answers.role.arn, playbook, incidentId: answers.incidentId, justification: answers.justification, durationSeconds: answers.durationSeconds,
    requester, incidentPattern: s.incidentRegExp, incidentExample: s.incidentExample, roleMaxSessionDuration: answers.role.maxSessionDuration,
    region: answers.account.regions[0] || s.region || undefined, sessionSuffix: sessionSuffix(), codeFollows: true,
  });
  if (!planned.ok) {
    void vscode.window.showErrorMessage(`Break Glass: cannot request — ${planned.problems.map((p) => p.message).join(' ')}`);
    return undefined;
  }
  const { requestAccess } = await import('../core/approvals/requests');
  if (!approvalRequired(config, planned.plan)) ctx.log.info(`request for ${planned.plan.roleArn}: this role/playbook does not require approval`);
  const o = await vscode.window.withProgress({ location: { viewId: 'breakglass.accounts' }, title: 'Requesting approval…' }, () => requestAccess(planned.plan, ports));
  ctx.log.info(`approval requested: ${o.request.id} for ${o.request.roleArn} (${o.request.incidentId}, policy ${o.request.policyHash.slice(0, 16)})`);
  if (!o.notified.ok) void vscode.window.showWarningMessage(`Break Glass: request ${o.request.id} recorded, but ${o.notified.message}`);
  void vscode.window.showInformationMessage(`Break Glass: requested ${planned.plan.roleName} for ${o.request.incidentId} (${playbookLabel(answers.playbook)}); waiting for ${ports.approvals.required} approver(s) until ${new Date(o.request.expiresAt).toLocaleTimeString()}.`);
  await ctx.accountsTree.approvals?.refresh();
  return o.request;
}

function requestOf(arg: unknown): ApprovalRequest | undefined {
  const n = arg as AccountsNode | undefined;
  return n && typeof n === 'object' && n.kind === 'request' ? n.request : undefined;
}

async function decide(ctx: CommandContext, arg: AccountsNode | string | undefined, decision: 'approve' | 'deny', givenNote?: string): Promise<ApprovalRequest | undefined> {
  const id = typeof arg === 'string' ? arg : requestOf(arg)?.id;
  if (!id) {
    void vscode.window.showWarningMessage('Break Glass: choose a request under "Pending approvals" to approve or deny.');
    return undefined;
  }
  const r = requestOf(arg);
  const note = typeof givenNote === 'string' ? givenNote : await vscode.window.showInputBox({
    title: `Break Glass: ${decision === 'approve' ? 'Approve' : 'Deny'} request`,
    prompt: r ? `${r.requester} asks for ${r.roleArn.split('/').pop()} (${playbookDisplayName(r.playbook)}) for ${r.incidentId}: "${r.justification}". Note (optional):` : 'Note (optional)',
    placeHolder: decision === 'approve' ? 'e.g. OK for containment only' : 'Why — the requester sees this',
    ignoreFocusOut: true,
  });
  if (note === undefined) return undefined;
  try {
    const { decideRequest } = await import('../core/approvals/requests');
    const o = await decideRequest(id, decision, note, await portsFor(ctx));
    ctx.log.info(`request ${id}: ${decision} → ${o.request.status}`);
    if (!o.notified.ok) void vscode.window.showWarningMessage(`Break Glass: decision recorded, but ${o.notified.message}`);
    const state = o.request.status === 'pending' ? `approved by you; ${o.request.approvals.length} of the required approvals so far` : o.request.status;
    void vscode.window.showInformationMessage(`Break Glass: request ${o.request.incidentId} from ${o.request.requester} — ${state}.`);
    return o.request;
  } catch (e) {
    const t = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
    ctx.log.warn(`request ${id}: ${decision} refused: ${t.message}`);
    if (e instanceof ApprovalConflict) void vscode.window.showWarningMessage(`Break Glass: ${t.message}`);
    else void vscode.window.showErrorMessage(`Break Glass: ${t.title}. ${t.message}`);
    return undefined;
  } finally {
    await ctx.accountsTree.approvals?.refresh();
  }
}

/** `note`: given by a caller (tests, scripts); otherwise asked. */
export function approveRequestCommand(ctx: CommandContext, arg?: AccountsNode | string, note?: string): Promise<ApprovalRequest | undefined> {
  return decide(ctx, arg, 'approve', note);
}

export function denyRequestCommand(ctx: CommandContext, arg?: AccountsNode | string, note?: string): Promise<ApprovalRequest | undefined> {
  return decide(ctx, arg, 'deny', note);
}

/** Elevate with the answers of an approved request (and only that request). */
export async function elevateApprovedCommand(ctx: CommandContext, arg?: AccountsNode) {
  const r = requestOf(arg);
  if (!r) return elevateCommand(ctx);
  const playbook = r.playbook === 'role-full-permissions' ? 'none'
    : SESSION_POLICY_TEMPLATES[r.playbook] || r.playbook.startsWith('file:') ? r.playbook : undefined;
  const session = await elevateCommand(ctx, {
    roleArn: r.roleArn, ...(playbook ? { playbook } : {}), incidentId: r.incidentId, justification: r.justification.replace(/^BREAK GLASS ANYWAY: /, ''),
    durationSeconds: r.durationSeconds, requestId: r.id,
  });
  await ctx.accountsTree.approvals?.refresh();
  return session;
}
