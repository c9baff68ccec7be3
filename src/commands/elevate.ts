// Break Glass: Elevate — the editor's adapter of runElevation (src/core/session/run.ts): the questions
// (views/elevationWizard), the masked MFA box, a cancellable progress notification and the session terminal.
import * as vscode from 'vscode';
import { learnBaseFacts, runElevation, describeProblems, type BaseFacts } from '../core/session/run';
import { playbookArg } from '../core/playbooks';
import type { Session } from '../core/session/types';
import { askElevation, askMfaCode, askMfaSerial, playbookLabel, WizardStop, type WizardPreset } from '../views/elevationWizard';
import { readSettings } from '../views/settings';
import type { AccountsNode } from '../views/accountsTree';
import { approvalGateFor } from './approvals';
import type { CommandContext } from './context';

/** Pre-filled answers. `playbook`: a built-in name, `file:<path>` for a policy file, or `none` (role's full permissions). */
export interface ElevateArgs extends WizardPreset {
  tokenCode?: string;
  mfaSerial?: string;
  /** Use this approved request (approvals, issue 12). */
  requestId?: string;
}

export async function elevateCommand(ctx: CommandContext, arg?: AccountsNode | ElevateArgs | string): Promise<Session | undefined> {
  const args: ElevateArgs = typeof arg === 'string' ? { roleArn: arg } : arg && 'kind' in arg ? (arg.kind === 'role' ? { roleArn: arg.role.arn } : {}) : { ...(arg ?? {}) };
  const s = readSettings();
  const clientsReady = ctx.aws.clients(); // loads the SDK while the responder answers
  clientsReady.catch(() => undefined);
  const facts = new Map<string, Promise<BaseFacts>>();
  const factsFor = (roleArn: string, roleMax: boolean) => {
    if (!facts.has(roleArn)) facts.set(roleArn, clientsReady.then((c) => learnBaseFacts(c, roleArn, { roleMax })));
    facts.get(roleArn)!.catch(() => undefined);
    return facts.get(roleArn)!;
  };
  const pattern = s.incidentRegExp;
  let answers;
  try {
    answers = await askElevation(await ctx.configs.get(), args, { incidentPattern: pattern, incidentExample: s.incidentExample,
      limits: (r) => factsFor(r.arn, r.maxSessionDuration === undefined).then((f) => ({ roleMax: f.roleMaxSessionDuration, chained: f.isRoleSession }), () => ({})) });
  } catch (e) {
    if (e instanceof WizardStop) return void vscode.window.showWarningMessage(`Break Glass: ${e.message}`);
    throw e;
  }
  if (!answers) return undefined;
  const { role, account, playbook } = answers;
  // A repository's playbooks may be read and previewed in an untrusted workspace, never used to elevate.
  if (playbook.kind === 'workspace' && !vscode.workspace.isTrusted) {
    return void vscode.window.showErrorMessage('Break Glass: this workspace is not trusted, so its playbooks cannot be used to elevate. Trust the workspace, or pick a built-in playbook.');
  }
  const mfaSerial = args.mfaSerial ?? await ctx.aws.mfaSerial().catch(() => undefined) ?? await askMfaSerial((serial) => ctx.aws.rememberMfaSerial(serial));
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, cancellable: true, title: `Break Glass: ${role.name} for ${answers.incidentId}` }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    progress.report({ message: 'checking your credentials and the role…' });
    const clients = await clientsReady;
    // Roles and playbooks marked requiresApproval pass the approval gate before the MFA prompt (issue 12).
    const approval = await approvalGateFor(ctx, await ctx.configs.get(), clients, args.requestId);
    const outcome = await runElevation({
      roleArn: role.arn, playbook, incidentId: answers.incidentId, justification: answers.justification, durationSeconds: answers.durationSeconds,
      requester: s.requester || undefined, mfaSerial, tokenCode: args.tokenCode?.trim(), mfaRequired: role.mfaRequired,
      roleMaxSessionDuration: role.maxSessionDuration, region: account.regions[0] || s.region || (await ctx.aws.profile())?.region || undefined,
      incidentPattern: pattern, incidentExample: s.incidentExample,
    }, {
      clients, audit: ctx.audit(), store: ctx.sessions, abortSignal: abort.signal, gate: approval?.gate, baseFacts: factsFor(role.arn, role.maxSessionDuration === undefined),
      // The saved file: what is elevated with (and audited) is what is on disk, not an unsaved buffer.
      readPlaybookFile: async (f) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(f))),
      promptMfaCode: (ask) => askMfaCode(ask, token),
      onAssumeRole: (plan) => progress.report({ message: `assuming the role for ${plan.input.DurationSeconds / 60} min…` }),
      log: (line) => ctx.log.info(`elevation: ${line}`),
    });
    if (outcome.status === 'refused') {
      ctx.log.warn(`elevation pre-flight refused: ${outcome.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
      return void vscode.window.showErrorMessage(`Break Glass: cannot elevate — ${describeProblems(outcome.problems)}`);
    }
    if (outcome.status === 'cancelled') return undefined;
    if (outcome.status === 'failed') {
      ctx.log.error(`elevation failed: ${outcome.error.code}: ${outcome.error.message}`);
      if (outcome.error.code === 'Aborted' && !outcome.mayHaveIssued) return undefined;
      const retry: ElevateArgs = { roleArn: role.arn, playbook: playbookArg(playbook), incidentId: answers.incidentId, justification: answers.justification, durationSeconds: answers.durationSeconds, mfaSerial };
      void vscode.window.showErrorMessage(`Break Glass: ${outcome.error.title}. ${outcome.error.message}`, 'Try Again', 'Show Log').then((pick) => {
        if (pick === 'Try Again') void vscode.commands.executeCommand('breakglass.elevate', retry);
        if (pick === 'Show Log') ctx.log.channel.show(true);
      });
      return undefined;
    }
    const session = outcome.session;
    if (approval?.state.brokeGlass) ctx.accountsTree.approvals?.markBrokeGlass(session.id);
    for (const note of outcome.notes) ctx.log.info(`elevation note: ${note}`);
    ctx.log.info(`granted session ${session.id}: ${session.roleSessionName}, key ${session.accessKeyId}, token sha256 ${session.tokenHash}, expires ${session.expiresAt}`);
    // 'granted' and the SecretStorage copy land before 'terminal_opened', so the audit log reads in order.
    await outcome.durable.catch((e: unknown) => {
      ctx.log.error(`session ${session.id} is valid, but its audit record or stored copy failed: ${(e as Error).message}`);
      void vscode.window.showWarningMessage(`Break Glass: the session works, but recording it failed (${(e as Error).message}). Check the audit log path.`);
    });
    if (readSettings().openTerminalOnElevate) await ctx.openTerminal(session.id);
    const text = outcome.shortened ? `Break Glass: shorter session than asked — ${outcome.shortened}`
      : `Break Glass: ${session.roleName} for ${session.incidentId} (${playbookLabel(playbook)}) until ${new Date(session.expiresAt).toLocaleTimeString()}.${outcome.notes.length ? ` ${outcome.notes.join(' ')}` : ''}`
        + (approval?.state.brokeGlass ? ' BREAK GLASS ANYWAY: elevated WITHOUT approval; approvers were notified.' : '');
    void (outcome.shortened ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(text, 'Open Terminal', 'Preview Policy').then((pick) => {
      if (pick) void vscode.commands.executeCommand(pick === 'Open Terminal' ? 'breakglass.openTerminal' : 'breakglass.previewPolicy', session.id);
    });
    return session;
  });
}

/** Break Glass: Re-elevate — the same role, playbook and incident as a session, with a fresh MFA code. */
export async function reElevateCommand(ctx: CommandContext, arg?: string | { session?: { id: string } }): Promise<Session | undefined> {
  const s = (typeof arg === 'string' ? arg : arg?.session?.id) ? ctx.sessions.get((typeof arg === 'string' ? arg : arg?.session?.id)!) : undefined;
  if (!s) return elevateCommand(ctx);
  return elevateCommand(ctx, { roleArn: s.roleArn, playbook: s.playbookRef ? playbookArg(s.playbookRef) : s.playbook, incidentId: s.incidentId, justification: s.justification });
}
