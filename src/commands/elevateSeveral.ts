// Break Glass: Elevate in Several Accounts… — accounts × role × playbook, ONE MFA code: the core (multiAccount.ts)
// calls sts:GetSessionToken once and sts:AssumeRole per account with those credentials. Roles assumed this way last at
// most 1 hour (AWS's cap); the picker says so. Re-elevating while the MFA session is valid needs no new code.
import * as os from 'os';
import * as vscode from 'vscode';
import type { AwsClients } from '../core/aws/clients';
import { BreakGlassError } from '../core/aws/errors';
import { elevateSeveral, type MultiAccountResult } from '../core/session/multiAccount';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import { readSettings } from '../views/settings';
import type { CommandContext } from './context';

export interface ElevateSeveralArgs {
  roleArns?: string[];
  playbook?: string;
  incidentId?: string;
  justification?: string;
  mfaSerial?: string;
  tokenCode?: string;
}

const ONE_HOUR_NOTE = 'Roles assumed with one MFA code last at most 1 hour: AWS caps roles assumed with GetSessionToken credentials (role chaining). For longer, elevate into one account.';

export async function elevateSeveralCommand(ctx: CommandContext, args: ElevateSeveralArgs = {}): Promise<MultiAccountResult | undefined> {
  const settings = readSettings();
  const title = 'Break Glass: Elevate in Several Accounts';
  const clientsReady = ctx.aws.clients();
  clientsReady.catch(() => undefined);
  const config = await ctx.configs.get();
  const roles = config.accounts.flatMap((a) => a.roles.map((r) => ({ account: a, role: r })));
  let roleArns = args.roleArns;
  if (!roleArns?.length) {
    if (!roles.length) {
      void vscode.window.showWarningMessage('Break Glass: no roles are configured. Run "Break Glass: Create Workspace Configuration" to list your accounts and roles.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(roles.map((x) => ({ label: x.role.name, description: `${x.account.name} (${x.account.id})`, detail: x.role.description, arn: x.role.arn })),
      { title, canPickMany: true, ignoreFocusOut: true, placeHolder: `Which accounts and roles? ${ONE_HOUR_NOTE}` });
    if (!picked?.length) return undefined;
    roleArns = picked.map((p) => p.arn);
  }
  const playbook = args.playbook ?? (await vscode.window.showQuickPick(Object.values(SESSION_POLICY_TEMPLATES).map((t) => ({ label: t.name, detail: t.description })),
    { title, ignoreFocusOut: true, placeHolder: `Which playbook scopes every session? (${ONE_HOUR_NOTE})` }))?.label;
  if (!playbook) return undefined;
  const pattern = settings.incidentRegExp;
  const incidentId = args.incidentId ?? (await vscode.window.showInputBox({
    title, prompt: 'Incident ID — tagged on every session and in the audit log', placeHolder: settings.incidentExample, ignoreFocusOut: true,
    validateInput: (v) => (pattern.test(v.trim()) ? undefined : `"${v.trim()}" does not match the incident ID format ${pattern.source}, e.g. ${settings.incidentExample}.`),
  }))?.trim();
  if (!incidentId) return undefined;
  const justification = args.justification ?? (await vscode.window.showInputBox({
    title, prompt: 'Why do you need this access in these accounts? Recorded in the audit log.', ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'A justification is required.'),
  }))?.trim();
  if (!justification) return undefined;
  const mfaSerial = args.mfaSerial ?? (await ctx.aws.mfaSerial().catch(() => undefined));
  if (!mfaSerial) {
    void vscode.window.showErrorMessage('Break Glass: no MFA device is known. Set mfa_serial in your source profile, or elevate once into one account to enter it.');
    return undefined;
  }
  const clients: AwsClients = await clientsReady;
  const made: AwsClients[] = [];
  const targets = roleArns.map((arn) => {
    const r = roles.find((x) => x.role.arn === arn);
    return { roleArn: arn, roleMaxSessionDuration: r?.role.maxSessionDuration, region: r?.account.regions[0] || settings.region || undefined };
  });
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, cancellable: true, title: `${title}: ${targets.length} account(s) for ${incidentId}…` },
      async (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const { AwsClients: Clients } = await import('../core/aws/clients');
        return elevateSeveral({
          targets, playbook, incidentId, justification, requester: settings.requester || os.userInfo().username, mfaSerial,
          incidentPattern: pattern, incidentExample: settings.incidentExample,
        }, {
          baseSts: clients.stsForMfa(),
          stsFor: (identity) => {
            const c = new Clients({ ...clients.options, credentials: identity });
            made.push(c);
            return c.sts();
          },
          mfaSessions: ctx.mfaSessions, store: ctx.sessions, audit: ctx.audit(), abortSignal: abort.signal,
          promptCode: async (serial) => {
            if (args.tokenCode) return args.tokenCode;
            const code = await vscode.window.showInputBox({
              title, prompt: `ONE MFA code from ${serial} for ${targets.length} account(s). ${ONE_HOUR_NOTE}`, placeHolder: '6 digits',
              password: true, ignoreFocusOut: true, validateInput: (v) => (/^\d{6}$/.test(v.trim()) ? undefined : 'An MFA code is exactly 6 digits.'),
            });
            if (!code) throw new BreakGlassError({ code: 'Aborted', title: 'Cancelled', retryable: false, message: 'No MFA code was entered; nothing was sent to AWS.' });
            return code;
          },
        });
      });
    if (!result.ok) {
      void vscode.window.showErrorMessage(`Break Glass: cannot elevate — ${result.problems.map((p) => (p.roleArn ? `${p.roleArn.split('/').pop()}: ${p.message}` : p.message)).join(' ')}`);
      return result;
    }
    for (const r of result.results) if (r.ok) ctx.chainedSessions.add(r.session.id);
    const ok = result.results.filter((r) => r.ok);
    const failed = result.results.filter((r) => !r.ok);
    ctx.log.info(`several accounts for ${incidentId}: ${ok.length} granted, ${failed.length} failed (MFA session ${result.mfaSession.id}${result.mfaSession.reused ? ', reused' : ''})`);
    const how = result.mfaSession.reused ? 'with your MFA session (no new code)' : 'with one MFA code';
    const failures = failed.map((r) => (r.ok ? '' : `${r.roleArn.split(':')[4]} — ${r.error.message}`)).join(' ');
    const msg = `Break Glass: ${incidentId} in ${ok.length} of ${result.results.length} account(s) ${how}, for at most 1 hour.${failed.length ? ` Not granted: ${failures}` : ''}`;
    if (failed.length) void vscode.window.showWarningMessage(msg);
    else void vscode.window.showInformationMessage(msg);
    return result;
  } catch (e) {
    const t = e instanceof BreakGlassError ? e.translated : undefined;
    if (t?.code === 'Aborted') return undefined;
    throw e;
  } finally {
    for (const c of made) c.destroy();
  }
}

