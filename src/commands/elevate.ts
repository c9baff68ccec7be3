// Break Glass: Elevate — account → role → playbook → incident → justification → duration → MFA code, then exactly one
// sts:AssumeRole (through the core flow, which audits it), then a scoped terminal. Every answer can be pre-filled by
// arguments (re-elevate, tests), and what is missing is asked with a multi-step input that has Back.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AccountConfig, RoleConfig } from '../core/config';
import { envIsRoleSession } from '../core/aws/profiles';
import { BreakGlassError, translateAwsError } from '../core/aws/errors';
import { parsePolicyFile } from '../core/policy/sources';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import { MAX_JUSTIFICATION_LENGTH, planElevation, type ElevationInput, type PlaybookRef } from '../core/session/elevate';
import { elevateAndRecord, recordRequest, type PendingRequest } from '../core/session/flow';
import type { Session } from '../core/session/types';
import { MultiStepInput, type Step } from '../views/multiStepInput';
import { formatDuration } from '../views/countdown';
import { readSettings } from '../views/settings';
import type { AccountsNode } from '../views/accountsTree';
import type { CommandContext } from './context';
import { approvalGateFor } from './approvals';

/** Pre-filled answers. `playbook`: a built-in name, `file:<path>` for a policy file, or `none` (role's full permissions). */
export interface ElevateArgs {
  roleArn?: string;
  playbook?: string;
  incidentId?: string;
  justification?: string;
  durationSeconds?: number;
  tokenCode?: string;
  mfaSerial?: string;
  /** Use this approved request (approvals, issue 12). */
  requestId?: string;
}

const TOTAL_STEPS = 7;
const FULL_PERMISSIONS = 'none';

export async function elevateCommand(ctx: CommandContext, arg?: AccountsNode | ElevateArgs | string): Promise<Session | undefined> {
  return elevateSteps(ctx, arg);
}

/**
 * The Elevate pickers. With `request` (Break Glass: Request Access…) they stop before the MFA step and hand the
 * answers over instead of elevating.
 */
export async function elevateSteps(ctx: CommandContext, arg?: AccountsNode | ElevateArgs | string,
  request?: (input: ElevationInput, playbookLabel: string) => Promise<void>): Promise<Session | undefined> {
  const args: ElevateArgs = typeof arg === 'string' ? { roleArn: arg }
    : arg && 'kind' in arg ? (arg.kind === 'role' ? { roleArn: arg.role.arn } : {})
      : { ...(arg ?? {}) };
  const settings = readSettings();
  // Start loading the AWS SDK now, while the responder answers the steps (it is not loaded at activation).
  const clientsReady = ctx.aws.clients();
  clientsReady.catch(() => undefined);
  const config = await ctx.configs.get();
  const title = request ? 'Break Glass: Request Access' : 'Break Glass: Elevate';
  const pattern = settings.incidentRegExp;

  // What the steps decide.
  let account: AccountConfig | undefined;
  let role: RoleConfig | undefined;
  if (args.roleArn) {
    for (const a of config.accounts) {
      const r = a.roles.find((x) => x.arn === args.roleArn);
      if (r) { account = a; role = r; }
    }
    if (!role) {
      // A role that is not configured (CLI-style use): enough to call AWS, without config metadata.
      const name = args.roleArn.split('/').pop() ?? args.roleArn;
      const accountId = args.roleArn.split(':')[4] ?? '';
      account = { id: accountId, name: accountId, partition: 'aws', regions: [], roles: [] };
      role = { name, arn: args.roleArn };
    }
  }
  let playbook: PlaybookRef | undefined;
  let playbookLabel = '';
  if (args.playbook) ({ ref: playbook, label: playbookLabel } = await resolvePlaybookArg(ctx, args.playbook));
  let incidentId = args.incidentId?.trim();
  let justification = args.justification?.trim();
  let durationSeconds = args.durationSeconds;
  let tokenCode = args.tokenCode?.trim();
  const profile = await ctx.aws.profile();
  let mfaSerial = args.mfaSerial;
  /** The 'requested' audit record, written while the MFA prompt is open (the code is not part of it). */
  let pending: PendingRequest | undefined;
  const elevationInput = (code: string | undefined): ElevationInput => ({
    roleArn: role!.arn,
    playbook: playbook!,
    incidentId: incidentId!,
    justification: justification!,
    requester: settings.requester || os.userInfo().username,
    durationSeconds,
    roleMaxSessionDuration: role!.maxSessionDuration,
    baseIsRoleSession: profile?.isRoleSession ?? (settings.sourceProfile ? undefined : envIsRoleSession(process.env)),
    mfaSerial,
    tokenCode: code,
    mfaRequired: role!.mfaRequired,
    region: account!.regions[0] || settings.region || profile?.region || undefined,
    incidentPattern: pattern,
    incidentExample: settings.incidentExample,
  });

  const stepAccount: Step = async (input) => {
    if (role && args.roleArn) return stepPlaybook;
    if (!config.accounts.length) {
      throw new UserFacingError('No accounts are configured. Run "Break Glass: Create Workspace Configuration" to list your accounts and incident-response roles.');
    }
    if (config.accounts.length === 1) { account = config.accounts[0]; return stepRole; }
    const items = config.accounts.map((a) => ({ label: a.name, description: a.id, detail: `${a.roles.length} role(s)`, a }));
    account = (await input.pick({ title, step: 1, totalSteps: TOTAL_STEPS, placeholder: 'Which AWS account?', items,
      activeItem: items.find((i) => i.a === account) })).a;
    return stepRole;
  };
  const stepRole: Step = async (input) => {
    const roles = account!.roles;
    if (!roles.length) throw new UserFacingError(`Account ${account!.name} lists no incident-response roles in .breakglass/config.json.`);
    const items = roles.map((r) => ({
      label: r.name, description: r.maxSessionDuration ? `max ${Math.round(r.maxSessionDuration / 3600)} h` : '',
      detail: r.description ?? r.arn, r,
    }));
    role = (await input.pick({ title, step: 2, totalSteps: TOTAL_STEPS, placeholder: `Which role in ${account!.name}?`, items,
      activeItem: items.find((i) => i.r === role) })).r;
    return stepPlaybook;
  };
  const stepPlaybook: Step = async (input) => {
    if (playbook && args.playbook) return stepIncident;
    type Item = vscode.QuickPickItem & { value?: string };
    const items: Item[] = [{ label: 'Built-in playbooks', kind: vscode.QuickPickItemKind.Separator }];
    for (const t of Object.values(SESSION_POLICY_TEMPLATES)) {
      items.push({ label: t.name, description: `max ${t.maxDuration / 3600} h`, detail: t.description, value: t.name });
    }
    const files = await vscode.workspace.findFiles('.breakglass/playbooks/*.json', undefined, 50);
    if (files.length && vscode.workspace.isTrusted) {
      items.push({ label: 'Workspace playbooks', kind: vscode.QuickPickItemKind.Separator });
      for (const f of files) items.push({ label: path.basename(f.fsPath, '.json'), description: vscode.workspace.asRelativePath(f), value: `file:${f.fsPath}` });
    }
    items.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '$(file) Custom policy file…', detail: 'A JSON session policy that scopes this session', value: 'pick-file' });
    items.push({ label: '$(warning) Role\'s full permissions', detail: 'No session policy: everything the role allows. Use only when no playbook fits.', value: FULL_PERMISSIONS });
    const picked = await input.pick({ title, step: 3, totalSteps: TOTAL_STEPS, placeholder: `Which playbook scopes this session on ${role!.name}?`, items });
    let value = picked.value!;
    if (value === 'pick-file') {
      const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'IAM policy': ['json'] }, title: 'Session policy file' });
      if (!uri?.[0]) return stepPlaybook;
      value = `file:${uri[0].fsPath}`;
    }
    if (value === FULL_PERMISSIONS) {
      const ok = await vscode.window.showWarningMessage(
        `Elevate into ${role!.name} with its full permissions, without a session policy?`,
        { modal: true, detail: 'SEC10-BP05 asks for the least privilege the playbook needs. Every action the role allows will be available in this session.' },
        'Use Full Permissions');
      if (!ok) return stepPlaybook;
    }
    ({ ref: playbook, label: playbookLabel } = await resolvePlaybookArg(ctx, value));
    return stepIncident;
  };
  const stepIncident: Step = async (input) => {
    if (incidentId && args.incidentId) return stepJustification;
    incidentId = await input.input({
      title, step: 4, totalSteps: TOTAL_STEPS, value: incidentId, placeholder: settings.incidentExample,
      prompt: `Incident ID (e.g. ${settings.incidentExample}) — tagged on the session and in the audit log`,
      validate: (v) => (pattern.test(v.trim()) ? undefined : `"${v.trim()}" does not match the incident ID format ${pattern.source}, e.g. ${settings.incidentExample}.`),
    });
    return stepJustification;
  };
  const stepJustification: Step = async (input) => {
    if (justification && args.justification) return stepDuration;
    justification = await input.input({
      title, step: 5, totalSteps: TOTAL_STEPS, value: justification, placeholder: 'Isolate the compromised instance i-0abc…',
      prompt: 'Why do you need this access? Recorded in the audit log.',
      validate: (v) => (!v.trim() ? 'A justification is required.' : v.length > MAX_JUSTIFICATION_LENGTH ? `Keep it under ${MAX_JUSTIFICATION_LENGTH} characters.` : undefined),
    });
    return stepDuration;
  };
  const stepDuration: Step = async (input) => {
    if (durationSeconds && args.durationSeconds) return request ? undefined : stepMfa;
    const chained = profile?.isRoleSession ?? (settings.sourceProfile ? false : envIsRoleSession(process.env) === true);
    const max = Math.min(playbookMax(playbook), role!.maxSessionDuration ?? 43200, chained ? 3600 : 43200);
    const choices = [...new Set([max, 900, 1800, 3600, 7200, 14400, 28800].filter((d) => d <= max))].sort((a, b) => a - b);
    const items = choices.map((d) => ({ label: formatDuration(d), description: d === max ? 'the most this playbook and role allow' : '', d }));
    durationSeconds = (await input.pick({ title, step: 6, totalSteps: TOTAL_STEPS, placeholder: 'For how long?', items,
      activeItem: items.find((i) => i.d === (durationSeconds ?? max)) })).d;
    return request ? undefined : stepMfa;
  };
  const stepMfa: Step = async (input) => {
    if (tokenCode && args.tokenCode) return undefined;
    mfaSerial ??= await ctx.aws.mfaSerial().catch(() => undefined);
    if (!mfaSerial) {
      const serial = await input.input({
        title, step: 7, totalSteps: TOTAL_STEPS, placeholder: 'arn:aws:iam::111122223333:mfa/alice',
        prompt: 'Your MFA device ARN (found neither in the profile\'s mfa_serial nor via iam:ListMFADevices). Remembered for next time.',
        validate: (v) => (/^(arn:aws[\w-]*:iam::\d{12}:mfa\/[\w+=,.@/-]+|[A-Z0-9]{9,256})$/.test(v.trim()) ? undefined : 'Enter the MFA device ARN, arn:aws:iam::ACCOUNT:mfa/NAME.'),
      });
      mfaSerial = serial;
      await ctx.aws.rememberMfaSerial(serial);
    }
    const pre = planElevation(elevationInput('000000'));
    if (pre.ok && !pending) pending = recordRequest(ctx.audit(), pre.plan);
    try {
      tokenCode = await input.input({
        title, step: 7, totalSteps: TOTAL_STEPS, placeholder: '6 digits', password: false,
        prompt: `MFA code from ${mfaSerial} to assume ${role!.name}`,
        validate: (v) => (/^\d{6}$/.test(v.trim()) ? undefined : 'An MFA code is exactly 6 digits.'),
      });
    } catch (e) {
      // Back or cancel: the request was abandoned before anything reached AWS.
      await pending?.abandon();
      pending = undefined;
      throw e;
    }
    return undefined;
  };

  try {
    if (!(await MultiStepInput.run(stepAccount))) return undefined;
  } catch (e) {
    if (e instanceof UserFacingError) {
      void vscode.window.showWarningMessage(`Break Glass: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  if (request) {
    // No MFA code for a request: only what the session would be is recorded (approvals, issue 12).
    await request({ ...elevationInput(undefined), mfaSerial: undefined, mfaRequired: false }, playbookLabel);
    return undefined;
  }

  const plan = planElevation(elevationInput(tokenCode));
  if (!plan.ok) {
    await pending?.abandon();
    const msg = plan.problems.map((p) => p.message).join(' ');
    ctx.log.warn(`elevation pre-flight refused: ${plan.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    void vscode.window.showErrorMessage(`Break Glass: cannot elevate — ${msg}`);
    return undefined;
  }
  for (const note of plan.plan.notes) ctx.log.info(`elevation note: ${note}`);
  ctx.log.info(`AssumeRole ${plan.plan.roleArn} as ${plan.plan.input.RoleSessionName} for ${plan.plan.input.DurationSeconds}s ` +
    `(playbook ${plan.plan.playbook}, incident ${plan.plan.incidentId}, policy ${plan.plan.policySize} chars)`);

  let approval: Awaited<ReturnType<typeof approvalGateFor>>;
  try {
    const result = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, cancellable: true,
      title: `Break Glass: assuming ${role!.name} for ${incidentId}…`,
    }, async (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const clients = await clientsReady;
      approval = await approvalGateFor(ctx, config, clients, args.requestId); // approvals (issue 12)
      return elevateAndRecord(plan.plan, {
        sts: clients.stsForMfa(), store: ctx.sessions, audit: ctx.audit(), abortSignal: abort.signal, requested: pending, gate: approval?.gate,
      });
    });
    const s = result.session;
    if (approval?.state.brokeGlass) ctx.accountsTree.approvals?.markBrokeGlass(s.id); // approvals (issue 12)
    ctx.log.info(`granted session ${s.id}: ${s.roleSessionName}, key ${s.accessKeyId}, token sha256 ${s.tokenHash}, expires ${s.expiresAt}`);
    // The 'granted' line (and the SecretStorage copy) land before the terminal's 'terminal_opened' line, so the audit
    // log reads in the order things happened; it is a millisecond or two, far less than a terminal takes to open.
    await result.durable.catch((e: unknown) => {
      ctx.log.error(`session ${s.id} is valid, but its audit record or stored copy failed: ${(e as Error).message}`);
      void vscode.window.showWarningMessage(`Break Glass: the session works, but recording it failed (${(e as Error).message}). Check the audit log path.`);
    });
    if (readSettings().openTerminalOnElevate) await ctx.openTerminal(s.id);
    const note = (approval?.state.brokeGlass ? ' BREAK GLASS ANYWAY: elevated WITHOUT approval; approvers were notified.' : '')
      + (plan.plan.notes.length ? ` ${plan.plan.notes.join(' ')}` : '');
    void vscode.window.showInformationMessage(
      `Break Glass: ${s.roleName} for ${s.incidentId} (${playbookLabel}) until ${new Date(s.expiresAt).toLocaleTimeString()}.${note}`,
      'Open Terminal', 'Preview Policy').then((pick) => {
      if (pick === 'Open Terminal') void vscode.commands.executeCommand('breakglass.openTerminal', s.id);
      if (pick === 'Preview Policy') void vscode.commands.executeCommand('breakglass.previewPolicy', s.id);
    });
    return s;
  } catch (e) {
    const t = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
    ctx.log.error(`elevation failed: ${t.code}: ${t.message}`);
    if (t.code === 'Aborted') return undefined;
    const retry = { ...args, roleArn: role!.arn, playbook: args.playbook ?? playbookArgOf(playbook!), incidentId, justification, durationSeconds, mfaSerial, tokenCode: undefined };
    void vscode.window.showErrorMessage(`Break Glass: ${t.title}. ${t.message}`, 'Try Again', 'Show Log').then((pick) => {
      if (pick === 'Try Again') void vscode.commands.executeCommand('breakglass.elevate', retry);
      if (pick === 'Show Log') ctx.log.channel.show(true);
    });
    return undefined;
  }
}

/** Break Glass: Re-elevate — the same role, playbook and incident as a session, with a fresh MFA code. */
export async function reElevateCommand(ctx: CommandContext, arg?: string | { session?: Session }): Promise<Session | undefined> {
  const id = typeof arg === 'string' ? arg : arg?.session?.id;
  const s = id ? ctx.sessions.get(id) : undefined;
  if (!s) return elevateCommand(ctx);
  return elevateCommand(ctx, { roleArn: s.roleArn, playbook: s.playbook, incidentId: s.incidentId, justification: s.justification });
}

class UserFacingError extends Error {}

async function resolvePlaybookArg(_ctx: CommandContext, value: string): Promise<{ ref: PlaybookRef; label: string }> {
  if (value === FULL_PERMISSIONS) return { ref: { name: 'role-full-permissions' }, label: 'role\'s full permissions' };
  if (SESSION_POLICY_TEMPLATES[value]) return { ref: value, label: value };
  const file = value.startsWith('file:') ? value.slice(5) : value;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  const policy = parsePolicyFile(text, vscode.workspace.asRelativePath(file));
  const name = path.basename(file, '.json');
  return { ref: { name: `file:${file}`, policy: policy.document }, label: name };
}

function playbookArgOf(p: PlaybookRef): string {
  return typeof p === 'string' ? p : p.name === 'role-full-permissions' ? FULL_PERMISSIONS : p.name;
}

function playbookMax(p: PlaybookRef | undefined): number {
  if (!p) return 3600;
  if (typeof p === 'string') return SESSION_POLICY_TEMPLATES[p]?.maxDuration ?? 3600;
  return p.maxDuration ?? 3600;
}

