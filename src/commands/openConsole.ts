// Break Glass: Open AWS Console — federation sign-in for a live session, opened in the browser. The sign-in URL is a
// credential: it goes from the core function straight to env.openExternal, never to a log, a setting, the webview or
// the clipboard, and the responder is told first that it grants access until the console session ends.
// Also: Copy Switch-Role Link — for break-glass IAM users who sign in to the console themselves (no access keys).
import * as vscode from 'vscode';
import { consoleSignIn, consoleWarning, SIGNIN_ENDPOINT_ENV, switchRoleUrl, type RiskLevel } from '../core/session/console';
import { sessionAuditFields } from '../core/session/flow';
import type { Session } from '../core/session/types';
import type { AccountsNode } from '../views/accountsTree';
import type { CommandContext } from './context';
import { pickLiveSession } from './openTerminal';

export interface OpenConsoleOptions {
  /** A console path (e.g. "s3/home") or a console URL of the session's partition; default: the playbook's service. */
  destination?: string;
  /** Skip the "this link grants access" confirmation (the CLI's request, tests). The notice is still shown. */
  confirmed?: boolean;
}

/**
 * Where sign-in goes for tests: a machine-scoped setting read from USER settings only (a workspace can never set it),
 * or the extension host's own environment. The core accepts only loopback addresses for it.
 */
export function signinEndpointOverride(): string | undefined {
  const fromSettings = vscode.workspace.getConfiguration('breakglass').inspect<string>('console.signinEndpoint')?.globalValue?.trim();
  return fromSettings || process.env[SIGNIN_ENDPOINT_ENV]?.trim() || undefined;
}

export async function openConsole(ctx: CommandContext, arg?: string | { session?: Session }, opts: OpenConsoleOptions = {}): Promise<boolean> {
  const id = typeof arg === 'string' ? arg : arg?.session?.id ?? (await pickLiveSession(ctx, 'Open the AWS console for which session?'));
  const session = id ? ctx.sessions.get(id) : undefined;
  const credentials = id ? ctx.sessions.credentials(id) : undefined;
  if (!session || !credentials || (session.state !== 'active' && session.state !== 'expiring')) {
    if (id) void vscode.window.showWarningMessage('Break Glass: that session has ended; elevate again to open the console.', 'Elevate…')
      .then((pick) => pick && vscode.commands.executeCommand('breakglass.elevate', session ? { roleArn: session.roleArn, incidentId: session.incidentId } : undefined));
    return false;
  }
  if (!opts.confirmed) {
    const ok = await vscode.window.showWarningMessage(`Open the AWS console as ${session.roleName} for ${session.incidentId}?`,
      { modal: true, detail: consoleWarning(session) }, 'Open Console');
    if (ok !== 'Open Console') return false;
  }
  const link = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, cancellable: true, title: 'Break Glass: signing in to the AWS console…' },
    (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return consoleSignIn({
        session, credentials, kind: ctx.chainedSessions.has(session.id) ? 'chained' : 'auto', destination: opts.destination,
        signinEndpoint: signinEndpointOverride(), issuer: `Break Glass (${session.incidentId})`, abortSignal: abort.signal,
      });
    });
  // A string, not a vscode.Uri: the extension host passes a string to the workbench verbatim (uriAsString), where a
  // Uri would be decoded and re-encoded — and the login URL's nested, percent-encoded Destination must arrive intact.
  const opened = await vscode.env.openExternal(link.url as unknown as vscode.Uri);
  await ctx.audit().append({ event: 'terminal_opened', ...sessionAuditFields(session), details: { delivery: 'console', destination: link.destination, ...(link.sessionDurationSeconds ? { consoleSessionSeconds: link.sessionDurationSeconds } : {}) } });
  ctx.log.info(`console opened for session ${session.id} (${session.incidentId}) at ${link.destination}${link.sessionDurationSeconds ? `, console session ${link.sessionDurationSeconds}s` : ''}`);
  const notes = link.notes.length ? ` ${link.notes.join(' ')}` : '';
  void vscode.window.showInformationMessage(`Break Glass: console ${opened ? 'opened' : 'not opened'} for ${session.incidentId}. It stays signed in until the console session ends, even if you revoke locally — revoke on AWS to end it.${notes}`);
  return opened;
}

/** Copy Switch-Role Link: the console's Switch Role page for a configured role, display name = incident, colour by risk. */
export async function copySwitchRoleLink(ctx: CommandContext, arg?: AccountsNode | { roleArn?: string; incidentId?: string; risk?: RiskLevel }): Promise<string | undefined> {
  let roleArn = arg && 'kind' in arg ? (arg.kind === 'role' ? arg.role.arn : arg.kind === 'session' ? arg.session.roleArn : undefined) : arg?.roleArn;
  if (!roleArn) {
    const config = await ctx.configs.get();
    const items = config.accounts.flatMap((a) => a.roles.map((r) => ({ label: r.name, description: `${a.name} (${a.id})`, arn: r.arn })));
    if (!items.length) {
      void vscode.window.showInformationMessage('Break Glass: no roles are configured. Run "Break Glass: Create Workspace Configuration" first.');
      return undefined;
    }
    roleArn = (await vscode.window.showQuickPick(items, { placeHolder: 'Switch-role link for which role?' }))?.arn;
    if (!roleArn) return undefined;
  }
  const given = arg && !('kind' in arg) ? arg.incidentId : undefined;
  const incidentId = given ?? (await vscode.window.showInputBox({
    title: 'Break Glass: switch-role link', prompt: 'Incident ID — the console shows it as the role\'s display name', placeHolder: 'INC-2024-001', ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the incident ID.'),
  }))?.trim();
  if (!incidentId) return undefined;
  const risk: RiskLevel = arg && !('kind' in arg) && arg.risk ? arg.risk : /ADMIN/i.test(roleArn) ? 'high' : /READ|INVESTIGAT|AUDIT/i.test(roleArn) ? 'low' : 'medium';
  const url = switchRoleUrl(roleArn, incidentId, risk);
  // Not a credential: it only fills in the console's Switch Role form; your own console sign-in authorises the switch.
  await vscode.env.clipboard.writeText(url);
  void vscode.window.showInformationMessage(`Break Glass: switch-role link for ${roleArn.split('/').pop()} copied. Sign in to the console as your break-glass IAM user, then open it.`);
  return url;
}
