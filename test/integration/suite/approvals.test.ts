// Two-person approval inside the real extension host: "Pending approvals" for an approver with Approve/Deny, "My
// requests" with Elevate once approved, and the gate on Elevate — against dynalite (a real DynamoDB on 127.0.0.1),
// the local STS/IAM endpoint and a local SNS endpoint.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AwsClients } from '../../../src/core/aws/clients';
import { approvalPorts } from '../../../src/core/approvals/services';
import { decideRequest, requestAccess } from '../../../src/core/approvals/requests';
import { createApprovalsTable } from '../../../src/core/approvals/table';
import type { ApprovalRequest } from '../../../src/core/approvals/types';
import type { ApprovalsConfig } from '../../../src/core/config';
import { planElevation } from '../../../src/core/session/elevate';
import { builtinPlaybook } from '../../../src/core/playbooks';
import type { Session } from '../../../src/core/session/types';
import type { AccountsNode } from '../../../src/views/accountsTree';
import type { BreakGlassApi } from '../../../src/extension';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { startFakeSns, type FakeSns } from '../../support/fake-sns';
import { activateExtension, waitFor } from './helpers';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:bg-approvals';
const SECRET = 'baseSecretKeyDoNotLeak0123456789ABCDEFGH';
const ERIN = { key: 'AKIAERINEXAMPLE00001', arn: 'arn:aws:iam::111122223333:user/approvers/erin', userId: 'AIDAERINEXAMPLE' };
const BOB = { key: 'AKIABOBEXAMPLE000001', arn: 'arn:aws:iam::111122223333:user/approvers/bob', userId: 'AIDABOBEXAMPLE' };

describe('approvals in the tree and on Elevate (dynalite, local STS/SNS)', function () {
  this.timeout(60_000);
  let api: BreakGlassApi;
  let fake: FakeAws;
  let ddb: LocalDynamo;
  let sns: FakeSns;
  let bob: AwsClients;
  let erin: AwsClients;
  let original: Uint8Array;
  const saved: Record<string, string | undefined> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-int-appr-'));
  const settings = () => vscode.workspace.getConfiguration('breakglass');
  const approvals: ApprovalsConfig = {
    table: 'bg-int-approvals', topicArn: TOPIC, approvers: { principals: ['arn:aws:iam::111122223333:user/approvers/*'], groups: [] },
    required: 1, expiresInMinutes: 60, retentionDays: 90, allowBreakGlassAnyway: false,
  };
  const subject = { roleArn: ROLE, playbook: 'containment_actions', incidentId: 'INC-2024-314', justification: 'Contain the crypto miner', durationSeconds: 3600 };
  const planFor = (requester: string) => {
    const r = planElevation({ ...subject, playbook: builtinPlaybook(subject.playbook), requester, region: 'us-east-1' });
    if (!r.ok) throw new Error(r.problems.map((p) => p.message).join(' '));
    return r.plan;
  };

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    fake = await startFakeAws({
      identities: { [ERIN.key]: { arn: ERIN.arn, userId: ERIN.userId }, [BOB.key]: { arn: BOB.arn, userId: BOB.userId } },
      mfaSerial: 'arn:aws:iam::111122223333:mfa/erin',
    });
    ddb = await startDynalite();
    sns = await startFakeSns([TOPIC]);
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SNS']) saved[k] = process.env[k];
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: ERIN.key, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL_DYNAMODB: ddb.url, AWS_ENDPOINT_URL_SNS: sns.url });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const env = { AWS_ENDPOINT_URL: fake.url, AWS_ENDPOINT_URL_DYNAMODB: ddb.url, AWS_ENDPOINT_URL_SNS: sns.url };
    bob = new AwsClients({ region: 'us-east-1', env, maxAttempts: 1, credentials: { accessKeyId: BOB.key, secretAccessKey: SECRET } });
    erin = new AwsClients({ region: 'us-east-1', env, maxAttempts: 1, credentials: { accessKeyId: ERIN.key, secretAccessKey: SECRET } });
    await createApprovalsTable(bob.dynamodb(), approvals.table, { pollMs: 5 });
    // Settings first (they rebuild the extension's AWS clients with the environment above), then the config.
    await settings().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
    await settings().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await settings().update('auditLogPath', path.join(tmp, 'audit.jsonl'), vscode.ConfigurationTarget.Global);
    await settings().update('requester', 'erin', vscode.ConfigurationTarget.Global);
    const uri = api.commands.configs.uri!;
    original = await vscode.workspace.fs.readFile(uri);
    const cfg = JSON.parse(new TextDecoder().decode(original));
    cfg.accounts[0].roles[0].requiresApproval = true;
    cfg.approvals = approvals;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(cfg, null, 2)));
    await api.commands.configs.reload();
    await vscode.commands.executeCommand('workbench.view.extension.breakglass');
    await waitFor(() => api.commands.accountsView.visible, 10_000, 'the view to show');
  });

  after(async () => {
    if (original) await vscode.workspace.fs.writeFile(api.commands.configs.uri!, original);
    await api.commands.configs.reload();
    for (const k of ['endpointUrl', 'region', 'auditLogPath', 'requester']) await settings().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    bob?.destroy();
    erin?.destroy();
    await Promise.all([fake?.close(), ddb?.close(), sns?.close()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const section = () => api.accountsTree.approvals!;
  async function group(id: 'pendingApprovals' | 'myRequests'): Promise<AccountsNode[]> {
    const top = await api.accountsTree.getChildren();
    const g = top.find((n) => n.id === id);
    return g ? api.accountsTree.getChildren(g) : [];
  }

  it('fetches while the view is visible and stops polling while it is hidden', async () => {
    assert.strictEqual(section().polling, true);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !api.commands.accountsView.visible, 10_000, 'the view to hide');
    assert.strictEqual(section().polling, false);
    const fetches = section().fetches;
    await vscode.commands.executeCommand('workbench.view.extension.breakglass');
    await waitFor(() => section().polling && section().fetches > fetches, 10_000, 'a fetch when shown again');
  });

  it('an approver sees another responder\'s request under "Pending approvals" and approves it with a note', async () => {
    const { request } = await requestAccess(planFor('bob'), approvalPorts(approvals, bob));
    await section().refresh();
    const pending = await group('pendingApprovals');
    const node = pending.find((n) => n.kind === 'request' && n.request.id === request.id);
    assert.ok(node, `request under Pending approvals: ${pending.map((n) => n.id).join(', ')}`);
    const item = api.accountsTree.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'request:pending');
    assert.match(String(item.description), /^pending · .* left · BREAK-GLASS-INCIDENT_RESPONDER · containment_actions · bob$/);
    assert.strictEqual(api.accountsTree.getParent(node)?.id, 'pendingApprovals');
    const { ext } = await activateExtension();
    const menus = ext.packageJSON.contributes.menus['view/item/context'] as Array<{ command: string; when: string; group: string }>;
    const inline = (cv: string) => menus.filter((m) => m.group.startsWith('inline') && m.when.endsWith(`viewItem == ${cv}`)).map((m) => m.command);
    assert.deepStrictEqual(inline('request:pending'), ['breakglass.approveRequest', 'breakglass.denyRequest']);
    assert.deepStrictEqual(inline('request:mine:approved'), ['breakglass.elevateApproved']);

    const decided = await vscode.commands.executeCommand<ApprovalRequest | undefined>('breakglass.approveRequest', node, 'ok, containment only');
    assert.strictEqual(decided?.status, 'approved');
    assert.strictEqual(decided?.decidedByArn, ERIN.arn);
    assert.strictEqual(decided?.note, 'ok, containment only');
    assert.ok(!(await group('pendingApprovals')).some((n) => n.kind === 'request' && n.request.id === request.id), 'gone from Pending approvals');
    assert.match(sns.published.at(-1)!.subject!, /Request approved/);
    // The loser of a race is told who decided.
    const again = await vscode.commands.executeCommand<ApprovalRequest | undefined>('breakglass.denyRequest', node, 'late');
    assert.strictEqual(again, undefined);
    assert.ok(api.commands.log.recent().some((l) => /already approved by arn:aws:iam::111122223333:user\/approvers\/erin/.test(l)));
  });

  it('Request Access records a request; Elevate is refused until it is approved, then offered and used once', async () => {
    const mine = await vscode.commands.executeCommand<ApprovalRequest | undefined>('breakglass.requestAccess', subject);
    assert.ok(mine, 'a request was recorded');
    assert.strictEqual(mine.requesterUserId, ERIN.userId);
    await section().refresh();
    let node = (await group('myRequests')).find((n) => n.kind === 'request' && n.request.id === mine.id)!;
    assert.strictEqual(api.accountsTree.getTreeItem(node).contextValue, 'request:mine:pending');

    fake.reset();
    const elevateArgs = { ...subject, mfaSerial: 'arn:aws:iam::111122223333:mfa/erin' };
    const refused = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', { ...elevateArgs, tokenCode: '314159' });
    assert.strictEqual(refused, undefined);
    assert.strictEqual(fake.calls('AssumeRole').length, 0, 'no AssumeRole without approval');

    let told: ApprovalRequest | undefined;
    const sub = section().onDidApprove((r) => { if (r.id === mine.id) told = r; });
    await decideRequest(mine.id, 'approve', undefined, approvalPorts(approvals, bob));
    await section().refresh();
    sub.dispose();
    assert.strictEqual(told?.decidedByArn, BOB.arn, 'the requester is told as soon as the request is approved');
    node = (await group('myRequests')).find((n) => n.kind === 'request' && n.request.id === mine.id)!;
    const item = api.accountsTree.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'request:mine:approved');
    assert.strictEqual(item.command?.command, 'breakglass.elevateApproved');

    const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', { ...elevateArgs, tokenCode: '271828', requestId: mine.id });
    assert.ok(s, 'elevated with the approval');
    assert.strictEqual(fake.calls('AssumeRole').length, 1);
    const used = await waitFor(async () => {
      const r = await approvalPorts(approvals, erin).store.get(mine.id);
      return r?.accessKeyId ? r : undefined;
    }, 10_000, 'the access key recorded on the request');
    assert.strictEqual(used.status, 'used');
    assert.strictEqual(used.accessKeyId, s.accessKeyId);

    const twice = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', { ...elevateArgs, tokenCode: '161803' });
    assert.strictEqual(twice, undefined);
    assert.strictEqual(fake.calls('AssumeRole').length, 1, 'an approval is used once');
    await vscode.commands.executeCommand('breakglass.revokeSession', s.id, { aws: false });
  });
});
