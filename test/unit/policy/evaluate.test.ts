import * as assert from 'assert';
import { evaluate, type PolicySet, type RequestContext } from '../../../src/core/policy/evaluate';
import { compilePolicy } from '../../../src/core/policy/compile';
import { SESSION_POLICY_TEMPLATES, ROLE_TEMPLATES } from '../../../src/core/templates';
import type { NamedPolicy, PolicyDocument } from '../../../src/core/policy/types';

const named = (name: string, document: PolicyDocument | Record<string, unknown>): NamedPolicy =>
  ({ name, document: document as PolicyDocument });
const request = (action: string, resource = '*', context: Record<string, string | string[]> = {}, principal?: string): RequestContext =>
  ({ principal, action, resource, context });
const decision = (r: RequestContext, p: PolicySet) => evaluate(r, p).decision;
const template = (name: string) => named(name, SESSION_POLICY_TEMPLATES[name].policy);
const allowAll = named('AllowAll', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });

describe('policy/evaluate', () => {
  describe('AWS documentation examples', () => {
    // "Policy evaluation for requests within a single account", example identity-based policy evaluation:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
    const carlos = named('carlossalazar', {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
        { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*', 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar'] },
        { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
      ],
    });

    it('Carlos may not save a file to the …-logs bucket: DenyS3Logs explicitly denies it', () => {
      const e = evaluate(request('s3:PutObject', 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/report.txt'), { identity: [carlos] });
      assert.strictEqual(e.decision, 'ExplicitDeny');
      assert.deepStrictEqual(e.deciding, [{ policy: 'carlossalazar', statementIndex: 2, sid: 'DenyS3Logs', effect: 'Deny', layer: 'identity' }]);
    });

    it('Carlos may use his own bucket and list buckets; anything else is implicitly denied', () => {
      const own = evaluate(request('s3:PutObject', 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/report.txt'), { identity: [carlos] });
      assert.strictEqual(own.decision, 'Allowed');
      assert.deepStrictEqual(own.deciding.map((d) => d.sid), ['AllowS3Self']);
      assert.strictEqual(decision(request('s3:GetBucketLocation', 'arn:aws:s3:::any-bucket'), { identity: [carlos] }), 'Allowed');
      const other = evaluate(request('s3:GetObject', 'arn:aws:s3:::someone-else/x'), { identity: [carlos] });
      assert.deepStrictEqual([other.decision, other.missingAllow], ['ImplicitDeny', ['identity']]);
    });

    // "Permissions boundaries for IAM entities": the boundary allows S3, CloudWatch and EC2; the identity policy allows
    // iam:CreateUser, which the boundary does not: the user cannot create users.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    const boundary = named('BoundaryS3CloudWatchEC2', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' }],
    });
    const createUser = named('CreateUser', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' } });

    it('effective permissions are the intersection of the identity policies and the permissions boundary', () => {
      const e = evaluate(request('iam:CreateUser', 'arn:aws:iam::111122223333:user/x'), { identity: [createUser], boundary });
      assert.deepStrictEqual([e.decision, e.missingAllow], ['ImplicitDeny', ['boundary']]);
      const s3 = evaluate(request('s3:ListBucket', 'arn:aws:s3:::b'), { identity: [createUser], boundary });
      assert.deepStrictEqual([s3.decision, s3.missingAllow], ['ImplicitDeny', ['identity']]);
      assert.strictEqual(decision(request('ec2:StopInstances'), { identity: [allowAll], boundary }), 'Allowed');
    });

    // "Session policies": the session's permissions are the intersection of the role's identity-based policies and
    // the session policies. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    it('session policies limit a role session to the intersection', () => {
      const session = [template('read_only_investigation')];
      assert.strictEqual(decision(request('guardduty:GetFindings'), { identity: [allowAll], session }), 'Allowed');
      const e = evaluate(request('ec2:TerminateInstances'), { identity: [allowAll], session });
      assert.deepStrictEqual([e.decision, e.missingAllow], ['ImplicitDeny', ['session']]);
      const none = evaluate(request('guardduty:GetFindings'), { identity: [], session });
      assert.deepStrictEqual(none.missingAllow, ['identity']);
    });

    // "IAM JSON policy elements: NotAction": allow everything except IAM.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    it('NotAction with Allow grants everything except the listed actions', () => {
      const p = named('NotIAM', { Version: '2012-10-17', Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } });
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('iam:CreateUser'), { identity: [p] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('IAM:createuser'), { identity: [p] }), 'ImplicitDeny');
    });

    it('NotAction with Deny and BoolIfExists: deny all but IAM when the user is not signed in with MFA', () => {
      const p = named('DenyAllButIAMWithoutMFA', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Sid: 'DenyAllUsersNotUsingMFA', Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
        ],
      });
      assert.strictEqual(decision(request('s3:ListBucket', 'arn:aws:s3:::b'), { identity: [p] }), 'ExplicitDeny');
      assert.strictEqual(decision(request('s3:ListBucket', 'arn:aws:s3:::b', { 'aws:MultiFactorAuthPresent': 'true' }), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('iam:ChangePassword'), { identity: [p] }), 'Allowed');
    });

    // "IAM JSON policy elements: NotResource": deny S3 on everything except the listed buckets.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    it('NotResource with Deny denies every resource except the listed ones', () => {
      const p = named('OnlyHRBucket', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] },
        ],
      });
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::HRBucket/Payroll/jan.csv'), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::HRBucket/Other/x'), { identity: [p] }), 'ExplicitDeny');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::hrbucket/Payroll/jan.csv'), { identity: [p] }), 'ExplicitDeny');
    });
  });

  describe('layers', () => {
    const denyS3 = named('DenyS3', { Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:*', Resource: '*' } });

    it('an explicit Deny in any layer wins over Allows in every layer', () => {
      for (const set of [
        { identity: [allowAll, denyS3] },
        { identity: [allowAll], boundary: denyS3 },
        { identity: [allowAll], session: [allowAll, denyS3] },
      ] as PolicySet[]) {
        const e = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), set);
        assert.strictEqual(e.decision, 'ExplicitDeny');
        assert.strictEqual(e.deciding.length, 1);
        assert.strictEqual(e.deciding[0].policy, 'DenyS3');
      }
    });

    it('a Deny in a permissions boundary applies even though boundaries only limit', () => {
      const e = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [allowAll], boundary: denyS3 });
      assert.strictEqual(e.deciding[0].layer, 'boundary');
    });

    it('with several session policies (inline + managed), any of them allowing satisfies the session layer', () => {
      const session = [template('read_only_investigation'), template('forensics_collection')];
      assert.strictEqual(decision(request('ec2:CreateSnapshot'), { identity: [allowAll], session }), 'Allowed');
      assert.strictEqual(decision(request('detective:ListGraphs'), { identity: [allowAll], session }), 'Allowed');
      assert.strictEqual(decision(request('kms:Decrypt'), { identity: [allowAll], session }), 'ImplicitDeny');
    });

    it('null/undefined/empty boundary or session means no such layer', () => {
      for (const set of [{ identity: [allowAll], boundary: null, session: null }, { identity: [allowAll], session: [] }, { identity: [allowAll] }]) {
        assert.strictEqual(decision(request('kms:Decrypt'), set), 'Allowed');
      }
    });

    it('reports every layer that failed to allow, and the allows that did apply', () => {
      const e = evaluate(request('kms:Decrypt'), { identity: [allowAll], boundary: template('read_only_investigation'), session: [template('containment_actions')] });
      assert.deepStrictEqual(e.missingAllow, ['boundary', 'session']);
      assert.deepStrictEqual(e.deciding.map((d) => [d.policy, d.layer]), [['AllowAll', 'identity']]);
      const ok = evaluate(request('guardduty:GetFindings'), { identity: [allowAll], boundary: template('read_only_investigation') });
      assert.deepStrictEqual(ok.deciding.map((d) => d.layer), ['identity', 'boundary']);
      assert.deepStrictEqual(ok.missingAllow, []);
    });

    it('no identity policies at all: implicit deny', () => {
      assert.deepStrictEqual(evaluate(request('s3:GetObject'), { identity: [] }), { decision: 'ImplicitDeny', deciding: [], missingAllow: ['identity'], missingLevels: [], uncertain: [] });
    });
  });

  describe('seed templates (src/core/templates.ts)', () => {
    const containment = template('containment_actions');
    const ctx = (region: string) => ({ 'aws:RequestedRegion': region });
    it('containment_actions allows ec2:StopInstances only in us-east-1 and us-west-2 (aws:RequestedRegion)', () => {
      const i = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc';
      assert.strictEqual(decision(request('ec2:StopInstances', i, ctx('us-east-1')), { identity: [containment] }), 'Allowed');
      assert.strictEqual(decision(request('ec2:StopInstances', i, ctx('us-west-2')), { identity: [containment] }), 'Allowed');
      assert.strictEqual(decision(request('ec2:StopInstances', i, ctx('eu-west-1')), { identity: [containment] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('ec2:StopInstances', i), { identity: [containment] }), 'ImplicitDeny', 'no region in the context: the condition fails');
    });

    it('containment_actions denies organizations:* and IAM user/role lifecycle, even with AllowAll identity', () => {
      for (const a of ['organizations:LeaveOrganization', 'organizations:CloseAccount', 'iam:CreateUser', 'iam:DeleteRole']) {
        const e = evaluate(request(a, '*', ctx('us-east-1')), { identity: [allowAll], session: [containment] });
        assert.strictEqual(e.decision, 'ExplicitDeny', a);
        assert.strictEqual(e.deciding[0].statementIndex, 1);
        assert.strictEqual(e.deciding[0].layer, 'session');
      }
      assert.strictEqual(decision(request('iam:UpdateAccessKey', 'arn:aws:iam::1:user/u', ctx('us-east-1')), { identity: [allowAll], session: [containment] }), 'Allowed');
    });

    it('emergency_admin allows everything but closing accounts and deleting roles/users', () => {
      const admin = template('emergency_admin');
      assert.strictEqual(decision(request('kms:ScheduleKeyDeletion'), { identity: [admin] }), 'Allowed');
      assert.strictEqual(decision(request('organizations:CloseAccount'), { identity: [admin] }), 'ExplicitDeny');
      assert.strictEqual(decision(request('account:CloseAccount'), { identity: [admin] }), 'ExplicitDeny');
      assert.strictEqual(decision(request('iam:DeleteUser'), { identity: [admin] }), 'ExplicitDeny');
    });

    it('forensics_collection limits S3 to the forensic-evidence-* buckets', () => {
      const f = template('forensics_collection');
      assert.strictEqual(decision(request('s3:PutObject', 'arn:aws:s3:::forensic-evidence-inc1/disk.img'), { identity: [allowAll], session: [f] }), 'Allowed');
      assert.strictEqual(decision(request('s3:PutObject', 'arn:aws:s3:::prod-data/disk.img'), { identity: [allowAll], session: [f] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('ec2:CreateSnapshot'), { identity: [allowAll], session: [f] }), 'Allowed');
    });

    it('read_only_investigation allows ec2:Describe* and iam:Get*/List* but no writes', () => {
      const r = template('read_only_investigation');
      assert.strictEqual(decision(request('ec2:DescribeInstances'), { identity: [r] }), 'Allowed');
      assert.strictEqual(decision(request('iam:ListRoles'), { identity: [r] }), 'Allowed');
      assert.strictEqual(decision(request('iam:PutRolePolicy'), { identity: [r] }), 'ImplicitDeny');
    });

    it('incident_responder inline policy: ec2:* allowed, IAM user/role lifecycle denied', () => {
      const inline = named('IncidentResponsePolicy', ROLE_TEMPLATES.incident_responder.inlinePolicies.IncidentResponsePolicy);
      assert.strictEqual(decision(request('ec2:RunInstances'), { identity: [inline] }), 'Allowed');
      assert.strictEqual(decision(request('iam:CreateRole'), { identity: [inline] }), 'ExplicitDeny');
    });
  });

  describe('resources and policy variables', () => {
    const home = (version: string) => named('Home', {
      Version: version,
      Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home-bucket/${aws:username}/*' },
    });
    const user = 'arn:aws:iam::111122223333:user/division/alice';

    it('substitutes ${aws:username} (derived from an IAM user principal) in Resource', () => {
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/alice/x', {}, user), { identity: [home('2012-10-17')] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/bob/x', {}, user), { identity: [home('2012-10-17')] }), 'ImplicitDeny');
    });

    it('a variable that cannot be resolved makes the resource not match (an assumed role has no aws:username)', () => {
      const role = 'arn:aws:sts::111122223333:assumed-role/IR/INC-1';
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/alice/x', {}, role), { identity: [home('2012-10-17')] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/alice/x', { 'aws:username': 'alice' }, role), { identity: [home('2012-10-17')] }), 'Allowed');
    });

    it('with Version 2008-10-17 (or none) the variable is literal text', () => {
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/alice/x', {}, user), { identity: [home('2008-10-17')] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::home-bucket/${aws:username}/x', {}, user), { identity: [home('2008-10-17')] }), 'Allowed');
    });

    it('substitutes ${aws:PrincipalTag/...} and defaults in Resource', () => {
      const p = named('Team', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::team-${aws:PrincipalTag/team, 'none'}/*" } });
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::team-blue/k', { 'aws:PrincipalTag/team': 'blue' }), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::team-none/k'), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::team-blue/k'), { identity: [p] }), 'ImplicitDeny');
    });

    it('resource ARNs are case-sensitive, actions are not', () => {
      const p = named('P', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'S3:getobject', Resource: 'arn:aws:s3:::Evidence/*' } });
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::Evidence/a'), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::evidence/a'), { identity: [p] }), 'ImplicitDeny');
    });
  });

  describe('malformed policies', () => {
    it('a broken statement never matches, the others still do, and evaluate does not throw', () => {
      const p = named('Broken', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: 's3:*' }, // no Resource: broken
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEqualz: { 'a:b': 'c' } } },
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' },
          'not a statement',
        ],
      });
      const compiled = compilePolicy(p);
      assert.deepStrictEqual(compiled.statements.map((s) => s.broken), [true, true, false, true]);
      assert.ok(compiled.problems.some((x) => x.severity === 'error'));
      assert.strictEqual(decision(request('s3:ListBucket', 'arn:aws:s3:::b'), { identity: [p] }), 'Allowed');
      assert.strictEqual(decision(request('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [p] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('s3:GetObject'), { identity: [named('Junk', { nonsense: true })] }), 'ImplicitDeny');
      assert.strictEqual(decision(request('s3:GetObject'), { identity: [named('Null', null as unknown as PolicyDocument)] }), 'ImplicitDeny');
    });
  });

  describe('compilePolicy', () => {
    it('caches by object identity and exposes statement facts', () => {
      const p = named('Facts', {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'All', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
          { Effect: 'Deny', NotAction: 'iam:Get*', NotResource: 'arn:aws:iam::*:role/x', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      });
      const c = compilePolicy(p);
      assert.strictEqual(compilePolicy(p), c);
      assert.notStrictEqual(compilePolicy({ ...p }), c);
      const [a, b] = c.statements;
      assert.deepStrictEqual([a.sid, a.effect, a.resourceIsAll, a.hasCondition, a.notAction, a.notResource, a.index, a.policy],
        ['All', 'Allow', true, false, false, false, 0, 'Facts']);
      assert.deepStrictEqual([b.effect, b.resourceIsAll, b.hasCondition, b.notAction, b.notResource], ['Deny', false, true, true, true]);
      assert.ok(a.matchesAction('EC2:RunInstances'));
      assert.ok(!b.matchesAction('iam:GetRole'));
      assert.ok(b.matchesAction('s3:GetObject'));
      const r = request('s3:GetObject', 'arn:aws:s3:::b', { 'aws:SecureTransport': 'false' });
      assert.ok(b.matchesResource('arn:aws:s3:::b', r));
      assert.ok(!b.matchesResource('arn:aws:iam::1:role/x', r));
      assert.ok(b.conditionsMatch(r));
      assert.ok(!b.conditionsMatch(request('s3:GetObject', '*', { 'aws:SecureTransport': 'true' })));
    });
  });
});
