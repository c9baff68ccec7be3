// `breakglass request | requests | approve | deny | approvals` and the gated `elevate`, in-process, against the local
// STS/IAM, dynalite and the local SNS endpoint: exit codes a script can rely on.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { runCli } from '../../../src/cli/main';
import { approvalsCloudFormation, createApprovalsTable } from '../../../src/core/approvals/table';
import { memoryIO } from '../helpers/io';
import { PEOPLE, ROLE, TOPIC, useWorld, type Person } from './world';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('cli approvals (dynalite, local STS/IAM/SNS)', () => {
  const w = useWorld();
  let dir: string;
  let code = 200000;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-cli-appr-'));
    fs.mkdirSync(path.join(dir, '.breakglass'));
    fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify({
      version: 1,
      accounts: [{ id: '111122223333', name: 'Production', roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', mfaRequired: true, requiresApproval: true }] }],
      approvals: { table: w.table(), topicArn: TOPIC, approvers: { principals: ['arn:aws:iam::111122223333:user/approvers/*'], groups: ['IncidentApprovers'] } },
    }));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(who: Person, ...argv: string[]) {
    const io = memoryIO();
    io.cwd = dir;
    io.env = { ...w.env, AWS_ACCESS_KEY_ID: PEOPLE[who].key, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1', HOME: dir, BREAKGLASS_AUDIT_LOG: path.join(dir, 'audit.jsonl') };
    const status = await runCli(argv, io);
    return { status, out: io.out(), err: io.err() };
  }
  const request = (who: Person = 'alice', ...extra: string[]) => run(who, 'request', '--role-arn', ROLE, '--playbook', 'containment_actions',
    '--incident', 'INC-2024-077', '--justification', 'Isolate i-0abc', '--requester', 'alice', ...extra);
  const elevate = (...extra: string[]) => run('alice', 'elevate', '--role-arn', ROLE, '--playbook', 'containment_actions', '--incident', 'INC-2024-077',
    '--justification', 'Isolate i-0abc', '--requester', 'alice', '--mfa-serial', 'arn:aws:iam::111122223333:mfa/alice', '--token-code', String(++code), '--json', ...extra);

  it('request → requests --pending → approve → elevate uses it once; exit codes for each refusal', async () => {
    const req = await request();
    assert.strictEqual(req.status, 0, req.err);
    const id = req.out.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(req.err, /waiting for 1 approver/);

    const before = await elevate();
    assert.strictEqual(before.status, 1);
    assert.match(before.err, /still waiting for approval/);

    const pending = await run('bob', 'requests', '--pending', '--json');
    assert.strictEqual(pending.status, 0, pending.err);
    assert.deepStrictEqual((JSON.parse(pending.out) as Array<{ id: string }>).map((r) => r.id), [id]);

    const self = await run('alice', 'approve', id);
    assert.strictEqual(self.status, 3);
    assert.match(self.err, /not an approver/);
    const nobody = await run('mallory', 'approve', id);
    assert.strictEqual(nobody.status, 3);

    const ok = await run('bob', 'approve', id, '--note', 'contain it');
    assert.strictEqual(ok.status, 0, ok.err);
    assert.strictEqual(ok.out.trim(), `${id} approved`);
    const late = await run('carol', 'deny', id, '--note', 'too late');
    assert.strictEqual(late.status, 4);
    assert.match(late.err, /already approved by arn:aws:iam::111122223333:user\/approvers\/bob/);

    const mine = await run('alice', 'requests');
    assert.match(mine.out, new RegExp(`${id}  approved`));

    const granted = await elevate();
    assert.strictEqual(granted.status, 0, granted.err);
    const creds = JSON.parse(granted.out) as { AccessKeyId: string };
    const used = await run('alice', 'requests', '--json');
    const item = (JSON.parse(used.out) as { mine: Array<{ id: string; status: string; accessKeyId?: string }> }).mine.find((r) => r.id === id)!;
    assert.strictEqual(item.status, 'used');
    assert.strictEqual(item.accessKeyId, creds.AccessKeyId);

    const again = await elevate();
    assert.strictEqual(again.status, 1);
    assert.match(again.err, /already used/);
    assert.strictEqual(w.fake.calls('AssumeRole').length, 1);

    const audit = fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8');
    for (const ev of ['approval_requested', 'approval_decided', 'approval_used', 'granted']) assert.ok(audit.includes(`"event":"${ev}"`), ev);
    assert.strictEqual(w.sns.published.length, 2, 'requested + approved');
  });

  it('--break-glass-anyway is refused unless config allows it; where allowed it is announced and elevates', async () => {
    const refused = await elevate('--break-glass-anyway', 'Approvers unreachable at 3am');
    assert.strictEqual(refused.status, 1);
    assert.match(refused.err, /needs a request approved/);
    const cfgFile = path.join(dir, '.breakglass', 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    cfg.approvals.allowBreakGlassAnyway = true;
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    const anyway = await elevate('--break-glass-anyway', 'Approvers unreachable at 3am');
    assert.strictEqual(anyway.status, 0, anyway.err);
    assert.match(anyway.err, /BREAK GLASS ANYWAY/);
    assert.match(w.sns.published.at(-1)!.subject!, /BREAK GLASS ANYWAY/);
    const listed = await run('alice', 'requests');
    assert.match(listed.out, /BREAK GLASS — used without approval/);
  });

  it('deny with a note; an unknown id is exit 4; a missing approvals block is exit 2', async () => {
    const id = (await request()).out.trim();
    const d = await run('carol', 'deny', id, '--note', 'use the read-only playbook');
    assert.strictEqual(d.status, 0, d.err);
    assert.strictEqual(d.out.trim(), `${id} denied`);
    const el = await elevate();
    assert.match(el.err, /was denied by arn:aws:iam::111122223333:user\/carol: "use the read-only playbook"/);
    assert.strictEqual((await run('bob', 'approve', '00000000-0000-0000-0000-000000000000')).status, 4);
    fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify({ version: 1, accounts: [] }));
    const nocfg = await run('bob', 'requests');
    assert.strictEqual(nocfg.status, 2);
    assert.match(nocfg.err, /no "approvals" block/);
  });

  it('approvals create-table against dynalite creates the table; cloudformation prints TTL and PITR', async () => {
    const r = await run('alice', 'approvals', 'create-table', '--table', 'bg-cli-table');
    assert.match(r.err, /Create table bg-cli-table \(on-demand billing, encrypted\): done\./);
    // dynalite does not implement UpdateTimeToLive/UpdateContinuousBackups: the command says so and exits 1.
    assert.strictEqual(r.status, 1);
    assert.match(r.err, /Time to live .*FAILED/);
    const again = await run('alice', 'approvals', 'create-table', '--table', 'bg-cli-table');
    assert.match(again.err, /already exists: kept/);
    const cf = await run('alice', 'approvals', 'cloudformation', '--topic-name', 'bg-approvals');
    const res = (JSON.parse(cf.out) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources;
    assert.deepStrictEqual(res.BreakGlassApprovalsTable.Properties.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
    assert.strictEqual(res.BreakGlassApprovalsTableTopic.Type, 'AWS::SNS::Topic');
  });
});

describe('approvals/table TTL and PITR requests (at the SDK wire)', () => {
  it('turns on TTL on "ttl" and point-in-time recovery once the table is ACTIVE', async () => {
    const ddb = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
    const mock = mockClient(ddb);
    mock.on(CreateTableCommand).resolves({});
    mock.on(DescribeTableCommand).resolvesOnce({ Table: { TableStatus: 'CREATING' } }).resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(UpdateTimeToLiveCommand).resolves({});
    mock.on(UpdateContinuousBackupsCommand).resolves({});
    const r = await createApprovalsTable(ddb, 'bg-approvals', { pollMs: 1 });
    assert.ok(r.ok, r.steps.join('\n'));
    assert.strictEqual(mock.commandCalls(CreateTableCommand)[0].args[0].input.BillingMode, 'PAY_PER_REQUEST');
    assert.deepStrictEqual(mock.commandCalls(UpdateTimeToLiveCommand)[0].args[0].input.TimeToLiveSpecification, { Enabled: true, AttributeName: 'ttl' });
    assert.deepStrictEqual(mock.commandCalls(UpdateContinuousBackupsCommand)[0].args[0].input.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.strictEqual(mock.commandCalls(DescribeTableCommand).length, 2);
    mock.restore();
  });

  it('the CloudFormation fragment is on-demand, retained, with TTL and PITR', () => {
    const t = approvalsCloudFormation({ table: 'bg' }).BreakGlassApprovalsTable as { DeletionPolicy: string; Properties: Record<string, unknown> };
    assert.strictEqual(t.DeletionPolicy, 'Retain');
    assert.strictEqual(t.Properties.BillingMode, 'PAY_PER_REQUEST');
    assert.deepStrictEqual(t.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  });
});
