// The questions of Break Glass: Elevate, as a multi-step input with Back: account → role → playbook → incident →
// justification → duration. It only asks; the elevation (checks, MFA code, STS, audit) is runElevation in core.
// Answers given as arguments (re-elevate, Try Again, tests) are not asked again.
import * as path from 'path';
import * as vscode from 'vscode';
import type { AccountConfig, RoleConfig } from '../core/config';
import { PLAYBOOK_FILE_GLOB, parsePlaybookArg, playbookCatalog, type PlaybookRef } from '../core/playbooks';
import { MAX_JUSTIFICATION_LENGTH, maxSessionDuration } from '../core/session/elevate';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import type { WorkspaceConfig } from '../core/config';
import { formatDuration } from './countdown';
import { MultiStepInput, type Step } from './multiStepInput';

export interface ElevationAnswers {
  account: AccountConfig;
  role: RoleConfig;
  playbook: PlaybookRef;
  incidentId: string;
  justification: string;
  durationSeconds?: number;
}

export interface WizardPreset {
  roleArn?: string;
  playbook?: string;
  incidentId?: string;
  justification?: string;
  durationSeconds?: number;
}

/** A problem the responder must fix outside the wizard (no accounts configured…). */
export class WizardStop extends Error {}

const ELEVATE_TITLE = 'Break Glass: Elevate';
const TOTAL = 7;

/**
 * Asks what is missing. `limits` gives what AWS allows for the role (learned while the questions are answered);
 * undefined when the responder cancelled.
 */
export async function askElevation(config: WorkspaceConfig, preset: WizardPreset, opts: {
  incidentPattern: RegExp; incidentExample: string;
  /** Another title for the same questions (Break Glass: Request Access…, which stops before the MFA code). */
  title?: string;
  limits: (role: RoleConfig) => Promise<{ roleMax?: number; chained?: boolean }>;
}): Promise<ElevationAnswers | undefined> {
  const TITLE = opts.title ?? ELEVATE_TITLE;
  const a: Partial<ElevationAnswers> = { incidentId: preset.incidentId?.trim(), justification: preset.justification?.trim(), durationSeconds: preset.durationSeconds };
  if (preset.roleArn) {
    for (const acc of config.accounts) {
      const r = acc.roles.find((x) => x.arn === preset.roleArn);
      if (r) { a.account = acc; a.role = r; }
    }
    // A role that is not configured: enough to call AWS, without config metadata.
    const accountId = preset.roleArn.split(':')[4] ?? '';
    a.account ??= { id: accountId, name: accountId, partition: 'aws', regions: [], roles: [] };
    a.role ??= { name: preset.roleArn.split('/').pop() ?? preset.roleArn, arn: preset.roleArn };
  }
  if (preset.playbook) a.playbook = parsePlaybookArg(preset.playbook);

  const stepAccount: Step = async (input) => {
    if (preset.roleArn) return stepPlaybook;
    if (!config.accounts.length) throw new WizardStop('No accounts are configured. Run "Break Glass: Create Workspace Configuration" to list your accounts and incident-response roles.');
    if (config.accounts.length === 1) { a.account = config.accounts[0]; return stepRole; }
    const items = config.accounts.map((acc) => ({ label: acc.name, description: acc.id, detail: `${acc.roles.length} role(s)`, acc }));
    a.account = (await input.pick({ title: TITLE, step: 1, totalSteps: TOTAL, placeholder: 'Which AWS account?', items, activeItem: items.find((i) => i.acc === a.account) })).acc;
    return stepRole;
  };
  const stepRole: Step = async (input) => {
    const roles = a.account!.roles;
    if (!roles.length) throw new WizardStop(`Account ${a.account!.name} lists no incident-response roles in .breakglass/config.json.`);
    const items = roles.map((r) => ({ label: r.name, description: r.maxSessionDuration ? `max ${formatDuration(r.maxSessionDuration)}` : '', detail: r.description ?? r.arn, r }));
    a.role = (await input.pick({ title: TITLE, step: 2, totalSteps: TOTAL, placeholder: `Which role in ${a.account!.name}?`, items, activeItem: items.find((i) => i.r === a.role) })).r;
    return stepPlaybook;
  };
  const stepPlaybook: Step = async (input) => {
    if (preset.playbook) return stepIncident;
    type Item = vscode.QuickPickItem & { ref?: PlaybookRef; warn?: boolean; custom?: boolean };
    // Workspace playbooks only in a trusted workspace (they come from the repository).
    const files = vscode.workspace.isTrusted ? (await vscode.workspace.findFiles(PLAYBOOK_FILE_GLOB, undefined, 50)).map((u) => u.fsPath) : [];
    const items: Item[] = [];
    let group = '';
    for (const e of playbookCatalog(files, (f) => vscode.workspace.asRelativePath(f))) {
      if (e.group !== group) items.push({ label: (group = e.group), kind: vscode.QuickPickItemKind.Separator });
      if (e.warn) items.push({ label: '$(file) Custom policy file…', detail: 'A JSON session policy that scopes this session', custom: true });
      items.push({ label: e.warn ? '$(warning) Role\'s full permissions' : e.name, description: e.description, detail: e.detail, ref: e.ref, warn: e.warn });
    }
    const picked = await input.pick({ title: TITLE, step: 3, totalSteps: TOTAL, placeholder: `Which playbook scopes this session on ${a.role!.name}?`, items });
    if (picked.custom) {
      const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'IAM policy': ['json'] }, title: 'Session policy file' });
      if (!uri?.[0]) return stepPlaybook;
      a.playbook = parsePlaybookArg(`file:${uri[0].fsPath}`);
      return stepIncident;
    }
    if (picked.warn) {
      const ok = await vscode.window.showWarningMessage(`Elevate into ${a.role!.name} with its full permissions, without a session policy?`,
        { modal: true, detail: 'SEC10-BP05 asks for the least privilege the playbook needs. Every action the role allows will be available in this session.' }, 'Use Full Permissions');
      if (!ok) return stepPlaybook;
    }
    a.playbook = picked.ref;
    return stepIncident;
  };
  const stepIncident: Step = async (input) => {
    if (preset.incidentId?.trim()) return stepJustification;
    a.incidentId = await input.input({
      title: TITLE, step: 4, totalSteps: TOTAL, value: a.incidentId, placeholder: opts.incidentExample,
      prompt: `Incident ID (e.g. ${opts.incidentExample}) — tagged on the session and in the audit log`,
      validate: (v) => (opts.incidentPattern.test(v.trim()) ? undefined : `"${v.trim()}" does not match the incident ID format ${opts.incidentPattern.source}, e.g. ${opts.incidentExample}.`),
    });
    return stepJustification;
  };
  const stepJustification: Step = async (input) => {
    if (preset.justification?.trim()) return stepDuration;
    a.justification = await input.input({
      title: TITLE, step: 5, totalSteps: TOTAL, value: a.justification, placeholder: 'Isolate the compromised instance i-0abc…',
      prompt: 'Why do you need this access? Recorded in the audit log.',
      validate: (v) => (!v.trim() ? 'A justification is required.' : v.length > MAX_JUSTIFICATION_LENGTH ? `Keep it under ${MAX_JUSTIFICATION_LENGTH} characters.` : undefined),
    });
    return stepDuration;
  };
  const stepDuration: Step = async (input) => {
    if (preset.durationSeconds) return undefined;
    const known = await opts.limits(a.role!);
    const p = a.playbook!;
    const playbookMax = p.kind === 'builtin' ? SESSION_POLICY_TEMPLATES[p.name]?.maxDuration : undefined;
    const max = maxSessionDuration({ playbookMax, roleMax: a.role!.maxSessionDuration ?? known.roleMax ?? 3600, chained: known.chained });
    const choices = [...new Set([max, 900, 1800, 3600, 7200, 14400, 28800].filter((d) => d <= max))].sort((x, y) => x - y);
    const items = choices.map((d) => ({ label: formatDuration(d), description: d === max ? 'the most this playbook and role allow' : '', d }));
    a.durationSeconds = (await input.pick({ title: TITLE, step: 6, totalSteps: TOTAL, placeholder: 'For how long?', items, activeItem: items.find((i) => i.d === (a.durationSeconds ?? max)) })).d;
    return undefined;
  };
  if (!(await MultiStepInput.run(stepAccount))) return undefined;
  return a as ElevationAnswers;
}

/** The label of a playbook for messages. */
export function playbookLabel(ref: PlaybookRef): string {
  return ref.kind === 'full' ? 'role\'s full permissions' : ref.kind === 'builtin' ? ref.name : ref.kind === 'managed' ? ref.arn : path.basename(ref.file, '.json');
}

/** Asks for the MFA device when neither the profile nor IAM names one; `remember` keeps it (not a secret). */
export async function askMfaSerial(remember: (serial: string) => Promise<void>): Promise<string | undefined> {
  const serial = (await vscode.window.showInputBox({
    title: 'Break Glass: MFA device', placeHolder: 'arn:aws:iam::111122223333:mfa/alice', ignoreFocusOut: true,
    prompt: 'Your MFA device ARN (found neither in the profile\'s mfa_serial nor via iam:ListMFADevices). Remembered for next time.',
    validateInput: (v) => (/^(arn:aws[\w-]*:iam::\d{12}:mfa\/[\w+=,.@/-]+|[A-Z0-9]{9,256})$/.test(v.trim()) ? undefined : 'Enter the MFA device ARN, arn:aws:iam::ACCOUNT:mfa/NAME.'),
  }))?.trim();
  if (serial) await remember(serial);
  return serial;
}


/**
 * The MFA code, as the last step (7/7) of the same input: masked (`password`), kept open when focus moves, naming the
 * device and the role, six digits checked before anything is sent. Undefined when cancelled.
 */
export function askMfaCode(ask: { serial: string; roleName: string }, token?: vscode.CancellationToken): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    Object.assign(box, { title: ELEVATE_TITLE, step: TOTAL, totalSteps: TOTAL, password: true, ignoreFocusOut: true, placeholder: '6 digits',
      prompt: `MFA code from ${ask.serial} to assume ${ask.roleName}` });
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      subs.forEach((d) => d.dispose());
      box.dispose();
    };
    const subs = [
      box.onDidChangeValue((v) => { box.validationMessage = !v || /^\d{0,6}$/.test(v.trim()) ? undefined : 'An MFA code is exactly 6 digits.'; }),
      box.onDidAccept(() => { if (/^\d{6}$/.test(box.value.trim())) finish(box.value.trim()); else box.validationMessage = 'An MFA code is exactly 6 digits.'; }),
      box.onDidHide(() => finish(undefined)),
      ...(token ? [token.onCancellationRequested(() => finish(undefined))] : []),
    ];
    box.show();
  });
}
