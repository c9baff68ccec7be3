import * as vscode from 'vscode';
import { buildScopedSessionPolicy, invalidResourceArn, scopedPlaybookText, validateScopedPolicy, type ScopedPolicyRequest } from '../core/authoring/scopedPolicy';
import { loadCatalog } from '../core/policy/catalog';
import type { PolicyDocument } from '../core/policy/types';
import { parseCidr } from '../core/policy/conditions';
import { MultiStepInput } from '../views/multiStepInput';
import type { CommandContext } from './context';

/** Pre-filled answers (tests, links): every one given skips its step. */
export interface ScopedPlaybookArgs {
  actions?: string[];
  resources?: string[];
  regions?: string[];
  /** The Allow ends this many hours from now (DateLessThan aws:CurrentTime); 0 = no time window. */
  hours?: number;
  sourceIps?: string[];
  name?: string;
  /** 'save' (default when a name is given): a workspace playbook; 'once': used for one elevation, not saved. */
  use?: 'save' | 'once';
}

const TITLE = 'Break Glass: Create Scoped Playbook';
const TOTAL = 7;
const list = (v: string): string[] => v.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const FILE_NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * Break Glass: Create Scoped Playbook… — SEC10-BP05's create_scoped_session_policy: picked actions (searchable
 * multi-select from the catalog), resources (validated ARNs), conditions (regions, a time window, source IPs), always
 * with the explicit Deny of high-risk actions; saved as .breakglass/playbooks/<name>.json and opened, or used once for an elevation.
 */
export async function createScopedPlaybook(ctx: CommandContext, args: ScopedPlaybookArgs = {}): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Break Glass: open a folder first; the playbook is saved in its .breakglass/playbooks/.');
    return undefined;
  }
  const actions = args.actions ?? await pickActions();
  if (!actions?.length) return undefined;
  const a: Required<ScopedPlaybookArgs> = { actions, resources: args.resources ?? [], regions: args.regions ?? [], hours: args.hours ?? 0, sourceIps: args.sourceIps ?? [], name: args.name ?? '', use: args.use ?? 'save' };
  const askUse = args.use === undefined && args.name === undefined;
  const ask = <K extends keyof ScopedPlaybookArgs>(k: K) => args[k] === undefined;
  const ok = await MultiStepInput.run(async (input) => {
    if (ask('resources')) {
      a.resources = list(await input.input({ title: TITLE, step: 2, totalSteps: TOTAL, placeholder: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc…  (empty: "*")',
        prompt: 'Resources (ARNs, comma-separated; wildcards allowed). Empty for every resource.',
        validate: (v) => list(v).map(invalidResourceArn).find(Boolean) }));
    }
    if (ask('regions')) {
      a.regions = list(await input.input({ title: TITLE, step: 3, totalSteps: TOTAL, placeholder: 'us-east-1, us-west-2  (empty: any Region)',
        prompt: 'Regions the session may act in (aws:RequestedRegion). Empty for any.',
        validate: (v) => list(v).map((r) => (/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(r) ? undefined : `'${r}' is not a Region code such as us-east-1`)).find(Boolean) }));
    }
    if (ask('hours')) {
      const h = await input.input({ title: TITLE, step: 4, totalSteps: TOTAL, placeholder: '2  (empty: no time window)',
        prompt: 'Time window: the Allow ends this many hours from now (DateLessThan aws:CurrentTime). Empty for none.',
        validate: (v) => (!v.trim() || (/^\d+(\.\d+)?$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 12) ? undefined : 'Give a number of hours from 0.25 to 12, or leave it empty.') });
      a.hours = h ? Number(h) : 0;
    }
    if (ask('sourceIps')) {
      a.sourceIps = list(await input.input({ title: TITLE, step: 5, totalSteps: TOTAL, placeholder: '203.0.113.0/24  (empty: any source IP)',
        prompt: 'Source IP addresses or CIDR ranges (aws:SourceIp). Empty for any.',
        validate: (v) => list(v).map((ip) => (parseCidr(ip) ? undefined : `'${ip}' is not an IP address or CIDR range`)).find(Boolean) }));
    }
    if (askUse) {
      const how = await input.pick({ title: TITLE, step: 6, totalSteps: TOTAL, placeholder: 'Save it as a playbook, or use it once?', items: [
        { label: 'Save as a workspace playbook', detail: '.breakglass/playbooks/<name>.json, reviewed like any change', use: 'save' as const },
        { label: 'Use it once for an elevation', detail: 'Not saved in the workspace; Break Glass: Elevate… starts with it', use: 'once' as const },
      ] });
      a.use = how.use;
      if (a.use === 'once') return undefined;
    }
    if (ask('name')) {
      a.name = await input.input({ title: TITLE, step: 7, totalSteps: TOTAL, placeholder: 'isolate-instance', prompt: 'Playbook name (the file .breakglass/playbooks/<name>.json)',
        validate: (v) => (FILE_NAME.test(v.trim()) ? undefined : 'Use letters, digits, dot, dash and underscore (at most 64).') });
    }
    return undefined;
  });
  if (!ok) return undefined;
  const request: ScopedPolicyRequest = { actions: a.actions, resources: a.resources, regions: a.regions, sourceIps: a.sourceIps };
  if (a.hours > 0) request.notAfter = new Date(Date.now() + a.hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const problems = validateScopedPolicy(request);
  const badName = a.use === 'save' && !FILE_NAME.test(a.name);
  if (problems.length || badName) {
    void vscode.window.showErrorMessage(`Break Glass: cannot create the playbook: ${[...problems, ...(badName ? [`'${a.name}' is not a usable file name`] : [])].join('; ')}.`);
    return undefined;
  }
  const policy = buildScopedSessionPolicy(request);
  if (a.use === 'once') return elevateOnce(ctx, policy);
  const { text, size, limit } = scopedPlaybookText({ name: a.name, description: `Scoped session policy: ${a.actions.length} action(s)`, policy,
    maxDurationSeconds: a.hours > 0 ? Math.max(900, Math.min(43200, Math.round(a.hours * 3600))) : undefined });
  const dir = vscode.Uri.joinPath(folder.uri, '.breakglass', 'playbooks');
  const target = vscode.Uri.joinPath(dir, `${a.name}.json`);
  try {
    await vscode.workspace.fs.stat(target);
    void vscode.window.showErrorMessage(`Break Glass: ${vscode.workspace.asRelativePath(target)} already exists; choose another name (nothing was overwritten).`);
    return undefined;
  } catch { /* does not exist: good */ }
  await vscode.workspace.fs.createDirectory(dir);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target, { preview: false });
  if (size > limit) void vscode.window.showWarningMessage(`Break Glass: the session policy is ${size} characters; AWS accepts ${limit}. Use wildcards such as ec2:Describe* or fewer resources.`);
  return target;
}

/**
 * One elevation with the policy, not saved in the workspace: the bare policy document goes to the extension's own
 * storage (a session policy is no secret; it is what the audit log records anyway) and Elevate starts with it.
 */
async function elevateOnce(ctx: CommandContext, policy: PolicyDocument): Promise<vscode.Uri | undefined> {
  const dir = vscode.Uri.joinPath(ctx.extension.globalStorageUri, 'scoped-policies');
  await vscode.workspace.fs.createDirectory(dir);
  const file = vscode.Uri.joinPath(dir, `scoped-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(policy, null, 2) + '\n'));
  void vscode.commands.executeCommand('breakglass.elevate', { playbook: `file:${file.fsPath}` });
  return file;
}

function pickActions(): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
    qp.title = TITLE;
    qp.step = 1;
    qp.totalSteps = TOTAL;
    qp.canSelectMany = true;
    qp.matchOnDescription = true;
    qp.placeholder = 'Type to search the IAM action catalog (e.g. ec2:Stop, logs:FilterLogEvents); select the actions to allow';
    qp.ignoreFocusOut = true;
    qp.items = loadCatalog().actions.map((x) => ({ label: x.id, description: x.accessLevel }));
    let done = false;
    qp.onDidAccept(() => { done = true; resolve(qp.selectedItems.map((i) => i.label)); qp.dispose(); });
    qp.onDidHide(() => { if (!done) resolve(undefined); qp.dispose(); });
    qp.show();
  });
}
