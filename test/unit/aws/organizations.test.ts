// Fetching the account's SCPs / RCPs from Organizations (against the local AWS endpoint, which speaks the
// awsJson1_1 wire format), and evaluating with them: "which guardrail removes which playbook action".
import * as assert from 'assert';
import { fetchGuardrails, GuardrailCache, guardrailPolicies } from '../../../src/core/aws/organizations';
import { evaluate } from '../../../src/core/policy/evaluate';
import { decisionReasons } from '../../../src/core/policy/guardrails';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import { useFakeAws } from '../helpers/aws';

const V = '2012-10-17';
const full = { id: 'p-FullAWSAccess', name: 'FullAWSAccess', content: JSON.stringify({ Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) };
const denyLeave = { id: 'p-denyleave1', name: 'DenyLeaveOrganization', content: JSON.stringify({ Version: V, Statement: [{ Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] }) };
const protectEvidence = { id: 'p-rcpevidence', name: 'ProtectEvidence', content: JSON.stringify({ Version: V, Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject*', Resource: 'arn:aws:s3:::evidence/*' }] }) };

describe('aws/organizations guardrails', () => {
  const aws = useFakeAws({
    organization: [
      { id: 'r-ab12', type: 'ROOT', scps: [full] },
      { id: 'ou-ab12-security', type: 'ORGANIZATIONAL_UNIT', scps: [full, denyLeave], rcps: [protectEvidence] },
      { id: '111122223333', type: 'ACCOUNT', scps: [full] },
    ],
  });

  it('walks ListParents to the root and lists each level\'s SCPs root first, with their documents', async () => {
    const r = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: new GuardrailCache() });
    assert.ok(r.ok);
    assert.deepStrictEqual(r.levels.map((l) => [l.targetId, l.type, l.policies.length]), [['r-ab12', 'ROOT', 1], ['ou-ab12-security', 'ORGANIZATIONAL_UNIT', 2], ['111122223333', 'ACCOUNT', 1]]);
    assert.deepStrictEqual(aws.fake.calls('ListParents').map((c) => c.params.ChildId), ['111122223333', 'ou-ab12-security']);
    // Paginated: one policy per page on the OU level.
    assert.strictEqual(aws.fake.calls('ListPoliciesForTarget').filter((c) => c.params.TargetId === 'ou-ab12-security').length, 2);
    // FullAWSAccess is described once although attached at three levels.
    assert.deepStrictEqual(aws.fake.calls('DescribePolicy').map((c) => c.params.PolicyId).sort(), ['p-FullAWSAccess', 'p-denyleave1']);

    // The playbook action the guardrail removes, and why.
    const scps = guardrailPolicies(r);
    const allowAll = { name: 'AllowAll', document: { Version: V, Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] } };
    const leave = evaluate({ principal: 'arn:aws:sts::111122223333:assumed-role/IR/INC-1', action: 'organizations:LeaveOrganization', resource: '*', context: {} }, { identity: [allowAll], serviceControlPolicies: scps });
    assert.strictEqual(leave.decision, 'ExplicitDeny');
    assert.deepStrictEqual(decisionReasons(leave, { scp: 3 }), ['denied by SCP at level 1 (OU), scp:DenyLeaveOrganization (p-denyleave1) at ou-ab12-security statement 0 (DenyLeave)']);
    const stop = evaluate({ action: 'ec2:StopInstances', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' } },
      { identity: [allowAll], session: [{ name: 'containment_actions', document: SESSION_POLICY_TEMPLATES.containment_actions.policy }], serviceControlPolicies: scps });
    assert.strictEqual(stop.decision, 'Allowed');
  });

  it('fetches RCPs the same way (Filter RESOURCE_CONTROL_POLICY)', async () => {
    const r = await fetchGuardrails(aws.clients.organizations(), '111122223333', { type: 'RESOURCE_CONTROL_POLICY', cache: new GuardrailCache() });
    assert.ok(r.ok);
    assert.deepStrictEqual(r.levels.map((l) => l.policies.map((p) => p.kind)), [[], ['rcp'], []]);
    const e = evaluate({ principal: 'arn:aws:sts::111122223333:assumed-role/IR/INC-1', action: 's3:DeleteObject', resource: 'arn:aws:s3:::evidence/disk.img', context: {} },
      { identity: [{ name: 'a', document: { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }], resourceControlPolicies: guardrailPolicies(r) });
    assert.strictEqual(e.decision, 'ExplicitDeny');
  });

  it('caches per account and type; a failure is not cached', async () => {
    const cache = new GuardrailCache();
    await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache });
    await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache });
    assert.strictEqual(aws.fake.calls('ListParents').length, 2, 'second call served from the cache');
    aws.fake.reset();
    aws.fake.setBehaviour('ListParents', 'accessDenied', { times: 1 });
    const fresh = new GuardrailCache();
    const denied = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: fresh });
    assert.ok(!denied.ok);
    const again = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: fresh });
    assert.ok(again.ok, 'retried after the failure');
  });

  it('degrades to "guardrails not checked: <why>" and never throws', async () => {
    aws.fake.setBehaviour('ListPoliciesForTarget', { status: 400, code: 'AccessDeniedException', message: 'You don\'t have permissions to access this resource.' });
    const denied = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: new GuardrailCache() });
    assert.ok(!denied.ok);
    assert.match(denied.note, /^guardrails not checked: no permission to read the organisation's SCPs \(organizations:ListParents, ListPoliciesForTarget and DescribePolicy/);
    assert.strictEqual(guardrailPolicies(denied), null);
    aws.fake.reset();
    aws.fake.setBehaviour('ListParents', 'notInOrganization');
    const none = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: new GuardrailCache() });
    assert.deepStrictEqual(none, { ok: true, levels: [], note: 'the account is not in an organisation: no SCPs or RCPs apply' });
    aws.fake.reset();
    aws.fake.setBehaviour('ListParents', 'internalError');
    const broken = await fetchGuardrails(aws.clients.organizations(), '111122223333', { cache: new GuardrailCache() });
    assert.ok(!broken.ok);
    // Translated by aws/errors.ts (the operation and the AWS error code), not a stack trace.
    assert.match(broken.note, /^guardrails not checked: Organizations failed \(InternalFailure\)/);
    assert.doesNotMatch(broken.note, /\n|at .*\.js:/);
  });

  it('an unknown account is reported, not thrown', async () => {
    const r = await fetchGuardrails(aws.clients.organizations(), '999999999999', { cache: new GuardrailCache() });
    assert.ok(!r.ok);
    assert.match(r.note, /^guardrails not checked: /);
  });
});
