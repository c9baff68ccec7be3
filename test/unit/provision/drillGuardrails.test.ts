// The readiness drill's guardrail check: are the playbooks' key actions, allowed by the role and the playbook's session
// policy, removed by the account's SCPs? SCPs are read from the local Organizations endpoint (ListParents,
// ListPoliciesForTarget, DescribePolicy in the awsJson1_1 wire format). AWS's SCP semantics, from "SCP evaluation"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html): "For a
// permission to be allowed for a specific account, there must be an explicit Allow statement at every level from the
// root through each OU in the direct path to the account (including the target account itself)", and an explicit
// Deny at any level of that path removes the permission. The Organizations calls work only from the management
// account or a delegated administrator
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html).
import * as assert from 'assert';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { desiredState } from '../../../src/core/provision/desired';
import { GUARDRAIL_NOTE, keyActions, playbooksFor, runDrill, type Finding } from '../../../src/core/readiness/drill';
import { ROLE_TEMPLATES } from '../../../src/core/templates';
import type { FakeOrgPolicy } from '../../support/fake-aws';
import { useFakeAws } from '../helpers/aws';

const V = '2012-10-17';
const SEC = '111122223333';
const ROLE = 'BREAK-GLASS-INCIDENT_RESPONDER';
const full: FakeOrgPolicy = { id: 'p-FullAWSAccess', name: 'FullAWSAccess', content: JSON.stringify({ Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) };
const denyStop: FakeOrgPolicy = {
  id: 'p-denystop01', name: 'ProtectFleet',
  content: JSON.stringify({ Version: V, Statement: [{ Sid: 'NoStopping', Effect: 'Deny', Action: ['ec2:StopInstances', 'ec2:TerminateInstances'], Resource: '*' }] }),
};
const describeOnly: FakeOrgPolicy = { id: 'p-describe01', name: 'DescribeOnly', content: JSON.stringify({ Version: V, Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'cloudtrail:*', 'logs:*', 'guardduty:*', 'securityhub:*', 'config:*', 'detective:*', 'iam:*', 's3:*'], Resource: '*' }] }) };

const desired = desiredState(parseWorkspaceConfig(JSON.stringify({
  version: 1,
  accounts: [{ id: SEC, name: 'Security', regions: ['us-east-1'], roles: [{ name: ROLE, template: 'incident_responder', path: '/incident-response/' }] }],
  provisioning: { securityAccountId: SEC, users: [] },
})).config, ROLE_TEMPLATES);

const guardrailFindings = (fs: Finding[]) => fs.filter((f) => f.check.endsWith('.guardrails'));

describe('readiness/drill guardrails (SCPs)', () => {
  const org: Array<{ id: string; type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT'; scps: FakeOrgPolicy[] }> = [
    { id: 'r-ab12', type: 'ROOT', scps: [full] },
    { id: 'ou-ab12-workloads', type: 'ORGANIZATIONAL_UNIT', scps: [full] },
    { id: SEC, type: 'ACCOUNT', scps: [full] },
  ];
  const aws = useFakeAws({ accountId: SEC, organization: org });
  const drill = (withOrg = true) => runDrill(desired, {
    clientsFor: async () => aws.clients,
    ...(withOrg ? { organizations: async () => aws.clients.organizations() } : {}),
    now: () => Date.parse('2026-06-01T00:00:00Z'),
  });
  afterEach(() => {
    org[1].scps = [full];
  });

  it('the incident responder is meant for read-only investigation and containment; key actions are the explicit ones', () => {
    assert.deepStrictEqual(playbooksFor(desired.accounts[0].roles[0]), ['read_only_investigation', 'containment_actions']);
    assert.deepStrictEqual(playbooksFor({ template: 'incident_responder', playbook: 'containment_actions' }), ['containment_actions']);
    assert.deepStrictEqual(playbooksFor({ template: 'custom_team', playbook: 'ec2' }), []);
    const ro = keyActions('read_only_investigation');
    assert.deepStrictEqual(ro.wildcards, ['detective:*', 'ec2:Describe*', 'iam:Get*', 'iam:List*']);
    assert.ok(ro.requests.some((r) => r.action === 'cloudtrail:LookupEvents' && r.resource === '*'));
    assert.ok(!ro.requests.some((r) => /\*/.test(r.action)));
    assert.deepStrictEqual(keyActions('forensics_collection').requests.find((r) => r.action === 's3:PutObject'), { action: 's3:PutObject', resource: 'arn:aws:s3:::forensic-evidence-*' });
  });

  it('an SCP at the OU denying ec2:StopInstances removes containment\'s key actions: fail naming them, the level and the statement', async () => {
    org[1].scps = [full, denyStop];
    const report = await drill();
    const f = guardrailFindings(report.findings);
    assert.deepStrictEqual(f.map((x) => `${x.subject} ${x.status}`), [`role ${ROLE} pass`, `role ${ROLE} fail`]);
    const fail = f[1];
    assert.match(fail.reason, /^Playbook containment_actions: the account's SCPs remove 2 key actions — /);
    assert.match(fail.reason, /ec2:StopInstances: denied by SCP at level 1 \(OU\), scp:ProtectFleet \(p-denystop01\) at ou-ab12-workloads statement 0 \(NoStopping\)/);
    assert.match(fail.reason, /ec2:TerminateInstances: denied by SCP at level 1 \(OU\)/);
    assert.doesNotMatch(fail.reason, /ec2:RevokeSecurityGroupIngress:/, 'actions the SCP leaves alone are not named');
    assert.match(fail.fix!, /exempt the incident-response roles/);
    assert.match(f[0].reason, /^Playbook read_only_investigation: no key action is removed by the 3 SCP levels \(r-ab12 → ou-ab12-workloads → 111122223333\)/);
    assert.strictEqual(report.exitCode, 2);
    // The SCPs were read through the Organizations client, from the account up to the root.
    assert.deepStrictEqual(aws.fake.calls('ListParents').map((c) => c.params.ChildId), [SEC, 'ou-ab12-workloads']);
  });

  it('SCPs allowing everything at every level: pass for each playbook', async () => {
    const f = guardrailFindings((await drill()).findings);
    assert.deepStrictEqual(f.map((x) => `${x.check} ${x.status}`), ['role.guardrails pass', 'role.guardrails pass']);
    assert.match(f[1].reason, /^Playbook containment_actions: no key action is removed by the 3 SCP levels/);
    // The template's PowerUserAccess boundary keeps containment's IAM actions out; the report says so rather than
    // pretending they were checked against the SCPs.
    assert.match(f[1].reason, /4 of 11 key actions are not allowed by the role and playbook themselves in us-east-1/);
  });

  it('a level without an Allow for the action removes it ("explicit Allow at every level"): fail naming the level', async () => {
    org[1].scps = [describeOnly];
    const f = guardrailFindings((await drill()).findings);
    const fail = f.find((x) => x.status === 'fail')!;
    assert.match(fail.reason, /ec2:StopInstances: no SCP at level 1 \(OU\) allows it/);
    assert.strictEqual(f.find((x) => x.reason.startsWith('Playbook read_only_investigation'))!.status, 'pass');
  });

  it('Organizations AccessDenied (not the management account): one warning for the account with the reason and a fix', async () => {
    aws.fake.setBehaviour('ListParents', 'accessDenied');
    const report = await drill();
    const f = guardrailFindings(report.findings);
    assert.deepStrictEqual(f.map((x) => `${x.subject} ${x.check} ${x.status}`), ['account account.guardrails warn']);
    assert.match(f[0].reason, /^Guardrails not checked: no permission to read the organisation's SCPs \(organizations:ListParents, ListPoliciesForTarget and DescribePolicy work only from the management account or a delegated administrator\); whether they remove the playbooks' key actions for BREAK-GLASS-INCIDENT_RESPONDER is unknown\.$/);
    assert.match(f[0].fix!, /management account or a delegated administrator/);
    assert.match(f[0].fix!, /no SCP removes cloudtrail:LookupEvents/);
    assert.notStrictEqual(report.accounts[0].status, 'pass');
  });

  it('an account in no organisation has no SCPs: pass, saying so', async () => {
    aws.fake.setBehaviour('ListParents', 'notInOrganization');
    const f = guardrailFindings((await drill()).findings);
    assert.deepStrictEqual(f.map((x) => x.status), ['pass', 'pass']);
    assert.match(f[0].reason, /^Playbook read_only_investigation: no SCPs apply \(the account is not in an organisation: no SCPs or RCPs apply\)/);
  });

  it('without an Organizations port the check is reported as not checked, once per role', async () => {
    const f = guardrailFindings((await drill(false)).findings);
    assert.deepStrictEqual(f.map((x) => [x.status, x.reason]), [['skip', GUARDRAIL_NOTE]]);
    assert.strictEqual(aws.fake.calls('ListParents').length, 0);
  });
});
