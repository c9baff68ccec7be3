// `breakglass provision` and `breakglass check` in-process against the local AWS endpoint: the exact IAM inputs,
// idempotence, drift, broadening, partial failures, the CloudFormation export, the password shown once, and the
// issue's "done when" — provision, check passes, tamper, check names exactly that, elevate into the provisioned role.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AttachRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../../src/cli/main';
import { AwsClients } from '../../../src/core/aws/clients';
import { memoryIO } from '../helpers/io';
import { startFakeAws, type FakeAws, type RecordedRequest } from '../../support/fake-aws';
import { ALICE_ARN, BASE_SECRET, CONFIG, IR_ROLE_ARN, PROD, SEC, fakeOptions, workspace } from './fixture';

const WRITES = /^(Create|Update|Put|Delete|Tag|Untag|Attach|Detach)/;

describe('cli provision / check (local AWS endpoint)', () => {
  let fake: FakeAws;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (argv: string[], opts: { tty?: boolean } = {}) => {
    const io = memoryIO();
    io.env = env;
    io.cwd = dir;
    io.isTTY = opts.tty ?? true;
    const status = await runCli(argv, io);
    return { status, out: io.out(), err: io.err() };
  };
  const writes = () => fake.requests.filter((r) => r.service === 'iam' && WRITES.test(r.action));
  const iamAs = (accountKey: (r: RecordedRequest) => boolean) => fake.requests.filter((r) => r.service === 'iam' && accountKey(r));
  /** Plays the responder: enrols an MFA device, replaces the initial password, signs in. */
  const responderOnboards = () => {
    const u = fake.users.get('alice-BREAK-GLASS')!;
    u.mfaDevices = [`arn:aws:iam::${SEC}:mfa/alice`];
    u.loginProfile!.passwordResetRequired = false;
    u.passwordLastUsed = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const adminClients = () => new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: BASE_SECRET }, env: {}, maxAttempts: 1 });

  beforeEach(async () => {
    fake = await startFakeAws(fakeOptions());
    dir = workspace();
    env = {
      AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: BASE_SECRET, AWS_REGION: 'us-east-1',
      HOME: dir, BREAKGLASS_AUDIT_LOG: path.join(dir, 'audit.jsonl'), BREAKGLASS_REQUESTER: 'alice',
    };
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without --apply prints the plan and writes nothing', async () => {
    const r = await run(['provision']);
    assert.strictEqual(r.status, 0, r.err);
    assert.match(r.out, /\+ role:BREAK-GLASS-INCIDENT_RESPONDER: create arn:aws:iam::111122223333:role\/incident-response\/BREAK-GLASS-INCIDENT_RESPONDER from template incident_responder/);
    assert.match(r.out, /\+ role:BREAK-GLASS-FORENSICS_ANALYST-EC2: create arn:aws:iam::444455556666:role\/incident-response\//);
    assert.match(r.out, /\+ user:alice-BREAK-GLASS: create/);
    assert.match(r.out, /5 change\(s\) in 2 account\(s\)\./);
    assert.match(r.err, /Dry run: nothing was changed/);
    assert.deepStrictEqual(writes(), []);
  });

  it('--apply sends exactly the designed IAM inputs, in each account with that account\'s credentials', async () => {
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 0, r.err);
    // The production account was reached through its OrganizationAccountAccessRole session, the security one likewise.
    const assumes = fake.calls('AssumeRole').map((q) => q.params.RoleArn).sort();
    assert.deepStrictEqual(assumes, [`arn:aws:iam::${SEC}:role/OrganizationAccountAccessRole`, `arn:aws:iam::${PROD}:role/OrganizationAccountAccessRole`]);
    const prodKey = fake.issued.find((c) => c.roleArn.includes(PROD))!.accessKeyId;
    const prodWrites = writes().filter((q) => q.accessKeyId === prodKey).map((q) => `${q.action} ${q.params.RoleName}`);
    assert.deepStrictEqual(prodWrites, ['CreateRole BREAK-GLASS-FORENSICS_ANALYST-EC2', 'AttachRolePolicy BREAK-GLASS-FORENSICS_ANALYST-EC2', 'PutRolePolicy BREAK-GLASS-FORENSICS_ANALYST-EC2']);
    assert.ok(iamAs((q) => q.accessKeyId === 'AKIAIOSFODNN7EXAMPLE').length === 0, 'no IAM call with the base credentials');

    const create = fake.calls('CreateRole').find((q) => q.params.RoleName === 'BREAK-GLASS-INCIDENT_RESPONDER')!;
    const { AssumeRolePolicyDocument, ...rest } = create.params;
    assert.deepStrictEqual(rest, {
      RoleName: 'BREAK-GLASS-INCIDENT_RESPONDER', Path: '/incident-response/', Description: 'Full incident response and remediation role',
      MaxSessionDuration: '28800', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      'Tags.member.1.Key': 'Purpose', 'Tags.member.1.Value': 'IncidentResponse', 'Tags.member.2.Key': 'RoleType', 'Tags.member.2.Value': 'incident_responder',
      'Tags.member.3.Key': 'PlaybookName', 'Tags.member.3.Value': 'none', 'Tags.member.4.Key': 'CreatedBy', 'Tags.member.4.Value': 'BreakGlass',
    });
    assert.deepStrictEqual(JSON.parse(AssumeRolePolicyDocument), {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'BreakGlassRespondersWithMFA', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SEC}:root` },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Condition: {
          Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${SEC}:user/incident-response/*-BREAK-GLASS` },
        },
      }],
    });
    assert.strictEqual(fake.calls('CreateRole').find((q) => q.params.RoleName === 'BREAK-GLASS-FORENSICS_ANALYST-EC2')!.params['Tags.member.3.Value'], 'ec2');
    assert.deepStrictEqual(fake.calls('AttachRolePolicy').filter((q) => q.params.RoleName === 'BREAK-GLASS-SECURITY_INVESTIGATOR').map((q) => q.params.PolicyArn),
      ['arn:aws:iam::aws:policy/SecurityAudit', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    const put = fake.calls('PutRolePolicy').find((q) => q.params.RoleName === 'BREAK-GLASS-INCIDENT_RESPONDER')!;
    assert.strictEqual(put.params.PolicyName, 'IncidentResponsePolicy');
    assert.deepStrictEqual(JSON.parse(put.params.PolicyDocument).Statement[1], { Effect: 'Deny', Action: ['iam:CreateUser', 'iam:DeleteUser', 'iam:CreateRole', 'iam:DeleteRole'], Resource: '*' });

    assert.deepStrictEqual(fake.calls('CreateUser').map((q) => q.params), [{
      UserName: 'alice-BREAK-GLASS', Path: '/incident-response/',
      'Tags.member.1.Key': 'Purpose', 'Tags.member.1.Value': 'IncidentResponse', 'Tags.member.2.Key': 'ResponderName', 'Tags.member.2.Value': 'alice',
      'Tags.member.3.Key': 'ResponderEmail', 'Tags.member.3.Value': 'alice@example.com', 'Tags.member.4.Key': 'EmergencyContact', 'Tags.member.4.Value': '+1-555-0100',
      'Tags.member.5.Key': 'CreatedBy', 'Tags.member.5.Value': 'BreakGlass',
    }]);
    const userPolicies = Object.fromEntries(fake.calls('PutUserPolicy').map((q) => [q.params.PolicyName, JSON.parse(q.params.PolicyDocument)]));
    assert.deepStrictEqual(userPolicies.DenyAccessKeyCreation, { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['iam:CreateAccessKey', 'iam:UpdateAccessKey'], Resource: ALICE_ARN }] });
    assert.deepStrictEqual(userPolicies.AssumeIncidentResponseRoles.Statement, [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: 'arn:aws:iam::*:role/incident-response/BREAK-GLASS-*' }]);
    const login = fake.calls('CreateLoginProfile');
    assert.strictEqual(login.length, 1);
    assert.strictEqual(login[0].params.PasswordResetRequired, 'true');
    const pw = login[0].params.Password;
    assert.ok(pw.length >= 24 && /[A-Z]/.test(pw) && /[a-z]/.test(pw) && /\d/.test(pw) && /[^A-Za-z0-9]/.test(pw), 'strong password');
    assert.match(r.out, /Account Security \(111122223333\): 4 done, 0 failed, 0 skipped/);
    assert.match(r.out, /Account Production \(444455556666\): 1 done, 0 failed, 0 skipped/);
  });

  it('the console password is displayed once on the terminal and is nowhere else (stdout, JSON, audit, files)', async () => {
    const r = await run(['provision', '--apply']);
    const pw = fake.calls('CreateLoginProfile')[0].params.Password;
    assert.strictEqual(r.err.split(pw).length - 1, 1, 'shown exactly once');
    assert.match(r.err, /Next step: alice-BREAK-GLASS signs in, sets a new password and enrols an MFA device/);
    assert.ok(!r.out.includes(pw), 'not on stdout');
    const again = await run(['provision', '--apply', '--json']);
    assert.ok(!again.out.includes(pw) && !again.err.includes(pw));
    const check = await run(['check', '--json']);
    assert.ok(!check.out.includes(pw));
    const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
    for (const f of files(dir)) assert.ok(!fs.readFileSync(f, 'utf8').includes(pw), `not in ${f}`);
  });

  it('without a terminal the login profile is held back rather than the password printed into a log', async () => {
    const r = await run(['provision', '--apply'], { tty: false });
    assert.strictEqual(r.status, 1);
    assert.strictEqual(fake.calls('CreateLoginProfile').length, 0);
    assert.match(r.out, /skipped: user:alice-BREAK-GLASS: set a random console password .* only be shown on an interactive terminal/);
    assert.strictEqual(fake.calls('CreateUser').length, 1, 'the rest is applied');
  });

  it('is idempotent: a second apply plans nothing and writes nothing', async () => {
    assert.strictEqual((await run(['provision', '--apply'])).status, 0);
    fake.reset();
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 0, r.err);
    assert.match(r.out, /0 change\(s\) in 0 account\(s\)\./);
    assert.deepStrictEqual(writes(), []);
  });

  it('shows drift as a diff; restoring MFA and detaching an extra policy narrow, so they apply without --allow-broadening', async () => {
    await run(['provision', '--apply']);
    const role = fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!;
    const trust = JSON.parse(role.trustPolicy!);
    delete trust.Statement[0].Condition.Bool;
    role.trustPolicy = JSON.stringify(trust);
    role.managedPolicies!.push('arn:aws:iam::aws:policy/AdministratorAccess');
    fake.reset();
    const plan = await run(['provision']);
    assert.match(plan.out, /\+ role:BREAK-GLASS-INCIDENT_RESPONDER: update the trust policy\n/);
    assert.match(plan.out, /^ {6}\+ {9}"Bool": \{$/m);
    assert.match(plan.out, /^ {6}\+ {11}"aws:MultiFactorAuthPresent": "true"$/m);
    assert.match(plan.out, /\+ role:BREAK-GLASS-INCIDENT_RESPONDER: detach arn:aws:iam::aws:policy\/AdministratorAccess \(not in template incident_responder\)/);
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 0, r.out);
    assert.deepStrictEqual(writes().map((q) => q.action), ['UpdateAssumeRolePolicy', 'DetachRolePolicy']);
    assert.ok(/MultiFactorAuthPresent/.test(role.trustPolicy!));
  });

  it('a broadening change is called out and held back until --apply --allow-broadening', async () => {
    await run(['provision', '--apply']);
    const role = fake.roles.get('BREAK-GLASS-FORENSICS_ANALYST-EC2') ?? fake.roles.get(`${PROD}/BREAK-GLASS-FORENSICS_ANALYST-EC2`)!;
    const narrowed = JSON.parse(role.inlinePolicies!.ForensicsPolicy);
    narrowed.Statement[0].Action = ['ec2:DescribeSnapshots'];
    role.inlinePolicies!.ForensicsPolicy = JSON.stringify(narrowed);
    role.maxSessionDuration = 3600;
    fake.reset();
    const plan = await run(['provision']);
    assert.match(plan.out, /! role:BREAK-GLASS-FORENSICS_ANALYST-EC2: update inline policy ForensicsPolicy {2}\[broadens access: needs --allow-broadening\]/);
    assert.match(plan.out, /! role:BREAK-GLASS-FORENSICS_ANALYST-EC2: set MaxSessionDuration 3600 → 14400 s/);
    assert.match(plan.err, /and --allow-broadening for the changes marked !/);
    const held = await run(['provision', '--apply']);
    assert.strictEqual(held.status, 1);
    assert.deepStrictEqual(writes(), []);
    assert.match(held.out, /skipped: role:BREAK-GLASS-FORENSICS_ANALYST-EC2: update inline policy ForensicsPolicy — broadens trust or permissions; re-run with --allow-broadening/);
    const applied = await run(['provision', '--apply', '--allow-broadening']);
    assert.strictEqual(applied.status, 0, applied.out);
    assert.deepStrictEqual(writes().map((q) => q.action), ['UpdateRole', 'PutRolePolicy']);
    assert.strictEqual(role.maxSessionDuration, 14400);
  });

  it('partial failures: an unreachable account and an AccessDenied do not stop the others; the summary says what happened where', async () => {
    fake.roles.delete(`${PROD}/OrganizationAccountAccessRole`);
    fake.setBehaviour('CreateRole', 'accessDenied', { times: 1 });
    fake.setBehaviour('CreateUser', 'throttle', { times: 3 });
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 1);
    assert.match(r.out, /Account Production \(444455556666\):\n {2}unreachable — /);
    assert.match(r.out, /Account Security \(111122223333\): 1 done, 2 failed, 1 skipped/);
    assert.match(r.out, /failed: role:BREAK-GLASS-INCIDENT_RESPONDER: create .* — Access denied/i);
    assert.match(r.out, /failed: user:alice-BREAK-GLASS: create .* — .*throttl/i);
    assert.match(r.out, /skipped: user:alice-BREAK-GLASS: set a random console password .* — an earlier change to user:alice-BREAK-GLASS failed/);
    assert.strictEqual(fake.calls('CreateUser').length, 3, 'throttling was retried (3 attempts) before giving up');
    assert.ok(fake.roles.get('BREAK-GLASS-SECURITY_INVESTIGATOR'), 'the next role was still created');
    assert.ok(!/\n\s+at /.test(r.out + r.err), 'no stack trace');
  });

  it('refuses to provision an account with credentials of another account', async () => {
    const noRole = { ...CONFIG, provisioning: { ...CONFIG.provisioning, provisioningRoleName: undefined } };
    fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify(noRole));
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 1);
    assert.match(r.out, /Account Production \(444455556666\):\n {2}unreachable — Wrong account: The credentials reach account 111122223333, not 444455556666\. Set "provisioningRoleName"/);
    assert.ok(!fake.calls('CreateRole').some((q) => q.params.RoleName === 'BREAK-GLASS-FORENSICS_ANALYST-EC2'), 'nothing of production written into the security account');
  });

  it('a security account other than the caller\'s must be confirmed with --trust-account before anything is written', async () => {
    const other = { ...CONFIG, provisioning: { ...CONFIG.provisioning, securityAccountId: '999988887777', users: [] } };
    fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify(other));
    const r = await run(['provision', '--apply']);
    assert.strictEqual(r.status, 2);
    assert.match(r.err, /would trust security account 999988887777, which is not the account of your credentials \(111122223333\)\. Check it, then confirm with --trust-account 999988887777\. Nothing was changed\./);
    assert.deepStrictEqual(writes(), []);
    const ok = await run(['provision', '--apply', '--trust-account', '999988887777']);
    assert.strictEqual(ok.status, 0, ok.err + ok.out);
    assert.match(fake.calls('CreateRole')[0].params.AssumeRolePolicyDocument, /arn:aws:iam::999988887777:root/);
  });

  it('config problems stop it with exit 2 naming the file and field', async () => {
    const bad = { ...CONFIG, accounts: [{ ...CONFIG.accounts[0], roles: [{ name: 'IR', template: 'incident_responder' }, { name: 'BREAK-GLASS-X', template: 'nope' }] }] };
    fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify(bad));
    fs.writeFileSync(path.join(dir, '.breakglass', 'roles', 'broken.json'), '{ "description": "x", "maxSessionDuration": 100 }');
    const r = await run(['provision']);
    assert.strictEqual(r.status, 2);
    assert.match(r.err, /role IR: incident-response roles are named BREAK-GLASS-…/);
    assert.match(r.err, /role BREAK-GLASS-X: unknown template "nope"/);
    assert.match(r.err, /broken\.json maxSessionDuration: "maxSessionDuration" must be whole seconds from 3600 to 43200/);
    assert.deepStrictEqual(fake.requests, []);
  });

  it('--export-cloudformation writes templates that create exactly what --apply creates (except the password)', async () => {
    const out = path.join(dir, 'cfn');
    const exp = await run(['provision', '--export-cloudformation', out]);
    assert.strictEqual(exp.status, 0, exp.err);
    assert.deepStrictEqual(fake.requests, [], 'exporting needs no AWS call');
    assert.match(exp.err, /console passwords are not in the templates/);
    await run(['provision', '--apply']);
    const seen: string[] = [];
    for (const account of [SEC, PROD]) {
      const t = JSON.parse(fs.readFileSync(path.join(out, `breakglass-${account}.template.json`), 'utf8'));
      assert.strictEqual(t.AWSTemplateFormatVersion, '2010-09-09');
      for (const [id, res] of Object.entries(t.Resources) as Array<[string, { Type: string; Properties: Record<string, unknown> }]>) {
        const pr = res.Properties;
        const key = (n: string) => (account === SEC ? n : `${account}/${n}`);
        if (res.Type === 'AWS::IAM::Role') {
          const role = fake.roles.get(key(pr.RoleName as string))!;
          assert.ok(role, `${id} was created by --apply`);
          assert.deepStrictEqual({
            RoleName: role.name, Path: role.path, Description: role.description, AssumeRolePolicyDocument: JSON.parse(role.trustPolicy!),
            MaxSessionDuration: role.maxSessionDuration, ...(role.permissionsBoundary ? { PermissionsBoundary: role.permissionsBoundary } : {}),
            ManagedPolicyArns: role.managedPolicies, Policies: Object.entries(role.inlinePolicies!).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: JSON.parse(d) })),
            Tags: Object.entries(role.tags!).map(([Key, Value]) => ({ Key, Value })),
          }, pr);
          seen.push(`role ${account} ${role.name}`);
        } else if (res.Type === 'AWS::IAM::User') {
          const user = fake.users.get(key(pr.UserName as string))!;
          assert.deepStrictEqual({
            UserName: user.name, Path: user.path, Tags: Object.entries(user.tags!).map(([Key, Value]) => ({ Key, Value })),
            Policies: Object.entries(user.inlinePolicies!).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: JSON.parse(d) })),
          }, pr);
          assert.ok(!('LoginProfile' in pr), 'no password in a template');
          seen.push(`user ${account} ${user.name}`);
        } else assert.fail(`unexpected resource type ${res.Type}`);
      }
    }
    const created = [...fake.roles.values()].filter((r) => r.path === '/incident-response/').map((r) => `role ${r.accountId} ${r.name}`)
      .concat([...fake.users.values()].map((u) => `user ${u.accountId} ${u.name}`));
    assert.deepStrictEqual(seen.sort(), created.sort(), 'the templates hold every resource --apply created, and no other');
  });

  it('--export-cloudformation --alerting adds the break-glass alerting to every account (the one-click path of issue 11)', async () => {
    const out = path.join(dir, 'cfn-alerting');
    const exp = await run(['provision', '--export-cloudformation', out, '--alerting', '--alert-email', 'oncall@example.com', '--cloudtrail-log-group', 'ct-logs']);
    assert.strictEqual(exp.status, 0, exp.err);
    assert.deepStrictEqual(fake.requests, [], 'exporting needs no AWS call');
    for (const account of [SEC, PROD]) {
      const t = JSON.parse(fs.readFileSync(path.join(out, `breakglass-${account}.template.json`), 'utf8'));
      const types = Object.values(t.Resources as Record<string, { Type: string }>).map((r) => r.Type);
      for (const type of ['AWS::Events::Rule', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::Logs::MetricFilter', 'AWS::CloudWatch::Alarm']) {
        assert.ok(types.includes(type), `${account}: ${type} in ${types.join(', ')}`);
      }
      assert.strictEqual(types.filter((x) => x === 'AWS::Events::Rule').length, 2, 'AssumeRole and ConsoleLogin rules');
      assert.deepStrictEqual(t.Resources.BreakGlassAlertTopic.Properties.Subscription, [{ Protocol: 'email', Endpoint: 'oncall@example.com' }]);
      assert.ok(types.includes('AWS::IAM::Role'), 'the roles are still there');
    }
  });

  it('done when: provision --apply, check passes, tampering fails check naming exactly that, elevate works end to end', async () => {
    assert.strictEqual((await run(['provision', '--apply'])).status, 0);
    responderOnboards();
    const ok = await run(['check']);
    assert.strictEqual(ok.status, 0, ok.out);
    assert.match(ok.out, /\*\*ready\*\*/);
    // The fake's account is in no organisation: no SCPs remove anything.
    assert.match(ok.out, /\*\*PASS\*\* `role\.guardrails` — Playbook containment_actions: no SCPs apply \(the account is not in an organisation/);

    // Someone removes the MFA condition from one trust policy…
    const admin = adminClients();
    try {
      const role = fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!;
      const trust = JSON.parse(role.trustPolicy!);
      delete trust.Statement[0].Condition.Bool;
      await admin.iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: JSON.stringify(trust) }));
      const broken = await run(['check', '--json']);
      assert.strictEqual(broken.status, 2);
      const failing = (JSON.parse(broken.out).findings as Array<{ subject: string; check: string; status: string; reason: string }>).filter((f) => f.status === 'fail');
      assert.deepStrictEqual(failing.map((f) => `${f.subject} ${f.check}`), ['role BREAK-GLASS-INCIDENT_RESPONDER trust.mfa']);
      assert.match(failing[0].reason, /no aws:MultiFactorAuthPresent condition/);
      await run(['provision', '--apply']);

      // …or attaches AdministratorAccess to another.
      await admin.iam().send(new AttachRolePolicyCommand({ RoleName: 'BREAK-GLASS-SECURITY_INVESTIGATOR', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
      const admined = await run(['check']);
      assert.strictEqual(admined.status, 2);
      assert.match(admined.out, /\*\*FAIL\*\* `role\.managedPolicies` — Attached but not in template security_investigator: arn:aws:iam::aws:policy\/AdministratorAccess\./);
      assert.strictEqual((admined.out.match(/\*\*FAIL\*\*/g) ?? []).length, 1, 'exactly that one failure');
    } finally {
      admin.destroy();
    }

    // The provisioned role accepts Break Glass's tagged, SourceIdentity-carrying, MFA request.
    fake.reset();
    const el = await run(['elevate', '--role-arn', IR_ROLE_ARN, '--playbook', 'read_only_investigation', '--incident', 'INC-2024-001',
      '--justification', 'Investigate GuardDuty finding', '--mfa-serial', `arn:aws:iam::${SEC}:mfa/alice`, '--token-code', '123456', '--json']);
    assert.strictEqual(el.status, 0, el.err);
    assert.match(JSON.parse(el.out).AccessKeyId, /^ASIA/);
    const ar = fake.calls('AssumeRole')[0].params;
    assert.ok(ar.SourceIdentity && ar['Tags.member.1.Key'], 'the request carried a source identity and session tags');
  });

  it('a reference-style trust policy (sts:AssumeRole only) refuses the same elevation — and check says why', async () => {
    await run(['provision', '--apply']);
    responderOnboards();
    const role = fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!;
    const trust = JSON.parse(role.trustPolicy!);
    trust.Statement[0].Action = 'sts:AssumeRole';
    role.trustPolicy = JSON.stringify(trust);
    const el = await run(['elevate', '--role-arn', IR_ROLE_ARN, '--playbook', 'read_only_investigation', '--incident', 'INC-2024-001',
      '--justification', 'Investigate', '--mfa-serial', `arn:aws:iam::${SEC}:mfa/alice`, '--token-code', '123456', '--json']);
    assert.strictEqual(el.status, 1);
    const check = await run(['check']);
    assert.strictEqual(check.status, 2);
    assert.match(check.out, /\*\*FAIL\*\* `trust\.tagSession` — sts:TagSession is not allowed/);
    assert.match(check.out, /\*\*FAIL\*\* `trust\.sourceIdentity` — sts:SetSourceIdentity is not allowed/);
  });

  it('check --live elevates into each role with MFA and the read-only playbook, audited, revoking nothing', async () => {
    await run(['provision', '--apply']);
    responderOnboards();
    fake.reset();
    const r = await run(['check', '--live', '--mfa-serial', `arn:aws:iam::${SEC}:mfa/alice`, '--token-code', '111111', '--token-code', '222222', '--token-code', '333333'], { tty: false });
    assert.strictEqual(r.status, 0, r.out);
    assert.strictEqual((r.out.match(/\*\*PASS\*\* `role\.live` — Elevated with MFA and the read-only playbook; GetCallerIdentity is arn:aws:sts::\d{12}:assumed-role\/BREAK-GLASS-/g) ?? []).length, 3);
    const elevations = fake.calls('AssumeRole').filter((q) => q.params.RoleArn.includes('/incident-response/'));
    assert.deepStrictEqual(elevations.map((q) => q.params.TokenCode).sort(), ['111111', '222222', '333333']);
    assert.ok(elevations.every((q) => q.params.DurationSeconds === '900' && q.params.Policy?.includes('cloudtrail:LookupEvents')));
    assert.deepStrictEqual(fake.calls('PutRolePolicy'), [], 'nothing revoked');
    const audit = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    assert.deepStrictEqual(audit.filter((e) => e === 'granted').length, 3);
  });

  it('check with one account unreachable still checks the others (exit 2)', async () => {
    await run(['provision', '--apply']);
    responderOnboards();
    fake.roles.delete(`${PROD}/OrganizationAccountAccessRole`);
    const r = await run(['check', '--json']);
    assert.strictEqual(r.status, 2);
    const report = JSON.parse(r.out);
    assert.deepStrictEqual(report.accounts.map((a: { accountId: string; status: string }) => `${a.accountId} ${a.status}`), [`${SEC} pass`, `${PROD} fail`]);
    assert.deepStrictEqual(report.findings.filter((f: { status: string }) => f.status === 'fail').map((f: { check: string }) => f.check), ['account.reachable']);
  });
});
