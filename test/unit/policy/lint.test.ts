import * as assert from 'assert';
import { lintPolicy, sessionPolicySize, type LintFinding } from '../../../src/core/policy/lint';

/** Pretty-printed policy text, so findings have distinct lines. */
const text = (doc: unknown): string => JSON.stringify(doc, null, 2);
const policy = (...Statement: unknown[]): string => text({ Version: '2012-10-17', Statement });
const codes = (f: LintFinding[]): string[] => f.map((x) => x.code);
const find = (f: LintFinding[], code: string): LintFinding => {
  const hit = f.find((x) => x.code === code);
  assert.ok(hit, `expected ${code} in ${JSON.stringify(f.map((x) => `${x.code}: ${x.message}`), null, 1)}`);
  return hit;
};
/** The text at a finding's position. */
const at = (src: string, f: LintFinding): string => src.slice(f.position?.offset, (f.position?.offset ?? 0) + (f.position?.length ?? 0));

describe('policy/lint', () => {
  it('a tidy policy has no findings', () => {
    assert.deepStrictEqual(lintPolicy(policy({ Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:ListBucket'], Resource: '*' })), []);
  });

  it('reports grammar problems and missing or old Version with positions', () => {
    const src = '{\n  "Statement": [{ "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*" }]\n}';
    const f = lintPolicy(src);
    assert.strictEqual(find(f, 'version-missing').severity, 'warning');
    const old = lintPolicy(text({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }));
    assert.strictEqual(find(old, 'version-old').position?.line, 1);
    const broken = lintPolicy('{ "Version": "2012-10-17", "Statement": [ }');
    assert.ok(broken.some((x) => x.code === 'grammar' && x.severity === 'error' && x.position));
  });

  it('session policies: the 2,048-character plaintext limit (minified document + ARNs), ARN count and charset', () => {
    const many = Array.from({ length: 150 }, (_, i) => `ec2:Describe${'X'.repeat(5)}${i}`);
    const big = policy({ Effect: 'Allow', Action: many, Resource: '*' });
    const f = lintPolicy(big, { kind: 'session' });
    assert.match(find(f, 'session-size').message, /characters .* AWS allows 2048/);
    assert.strictEqual(find(f, 'session-size').severity, 'error');
    assert.ok(!lintPolicy(big).some((x) => x.code === 'session-size'), 'only for session policies');
    const small = policy({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' });
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::111122223333:policy/p${i}`);
    assert.strictEqual(find(lintPolicy(small, { kind: 'session', managedPolicyArns: arns }), 'session-arn-count').severity, 'error');
    const size = sessionPolicySize(JSON.parse(small), ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    assert.strictEqual(size.chars, JSON.stringify(JSON.parse(small)).length + 'arn:aws:iam::aws:policy/ReadOnlyAccess'.length);
    assert.deepStrictEqual([size.limit, size.arnCount, size.maxArns], [2048, 1, 10]);
    const emoji = policy({ Sid: 'A', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b\u{1F600}' });
    const c = find(lintPolicy(emoji, { kind: 'session' }), 'session-charset');
    assert.strictEqual(c.position?.line, 7);
  });

  it('unknown services and actions, with did-you-mean and positions', () => {
    const src = policy({ Effect: 'Allow', Action: ['s3:GetObjekt', 'ecc2:StopInstances'], Resource: '*' });
    const f = lintPolicy(src);
    const action = find(f, 'unknown-action');
    assert.match(action.message, /did you mean 's3:GetObject'/);
    assert.strictEqual(at(src, action), '"s3:GetObjekt"');
    const svc = find(f, 'unknown-service');
    assert.strictEqual(svc.severity, 'error');
    assert.match(svc.message, /did you mean 'ec2:StopInstances'/);
    assert.strictEqual(svc.position?.line, 7);
  });

  it('Allow with NotAction / NotResource, and broad wildcards on Resource "*"', () => {
    const src = policy(
      { Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' },
      { Effect: 'Allow', Action: ['s3:*', '*'], Resource: '*' },
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' },
    );
    const f = lintPolicy(src);
    assert.strictEqual(at(src, find(f, 'allow-not-action')), '"NotAction"');
    assert.strictEqual(at(src, find(f, 'allow-not-resource')), '"NotResource"');
    const wild = f.filter((x) => x.code === 'wildcard-action');
    assert.deepStrictEqual(wild.map((x) => at(src, x)), ['"s3:*"', '"*"']);
    // Deny with NotAction is a normal guardrail pattern.
    assert.ok(!codes(lintPolicy(policy({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }))).includes('allow-not-action'));
  });

  it('privilege escalation and data exfiltration risks (reusing risk.ts), not for boundaries', () => {
    const src = policy({ Effect: 'Allow', Action: ['ec2:DescribeInstances', 'iam:PutRolePolicy', 'secretsmanager:GetSecretValue'], Resource: '*' });
    const f = lintPolicy(src);
    const esc = find(f, 'privilege-escalation');
    assert.strictEqual(at(src, esc), '"iam:PutRolePolicy"');
    assert.strictEqual(find(f, 'data-exfiltration').severity, 'info');
    const combo = lintPolicy(policy({ Effect: 'Allow', Action: ['ec2:RunInstances', 'iam:PassRole'], Resource: '*' }));
    assert.match(find(combo, 'privilege-escalation').message, /ec2:RunInstances \+ iam:PassRole/);
    find(combo, 'pass-role');
    assert.ok(!codes(lintPolicy(src, { kind: 'boundary' })).includes('privilege-escalation'));
  });

  it('statements that can never match', () => {
    const src = policy(
      { Effect: 'Allow', Action: 'ec2:Frobnicate*', Resource: '*' },
      { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: 'arn:aws:s3:::bucket' },
      { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: 'arn:aws:s3:::bucket' },
      { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:requestedregion': 'eu-west-1' } } },
      { Effect: 'Allow', Action: 'ec2:StartInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
      { Effect: 'Allow', Action: 'ec2:RebootInstances', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '100' }, NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } } },
    );
    const never = lintPolicy(src).filter((x) => x.code === 'never-matches');
    assert.strictEqual(never.length, 6, JSON.stringify(never.map((x) => x.message)));
    assert.strictEqual(at(src, never[0]), '"ec2:Frobnicate*"');
    assert.strictEqual(at(src, never[1]), '"arn:aws:s3:::bucket"');
    assert.match(never[2].message, /only supports Resource "\*"/);
    assert.match(never[3].message, /contradict/);
    assert.match(never[5].message, /empty range/);
    // Different values under a set operator or IfExists are not provably contradictory.
    assert.ok(!codes(lintPolicy(policy({ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } }))).includes('never-matches'));
  });

  it('condition operators applied to keys of the wrong type, and unknown service keys', () => {
    const src = policy({
      Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*',
      Condition: {
        NumericLessThan: { 'aws:SourceIp': '10' },
        Bool: { 'aws:RequestedRegion': 'true' },
        DateGreaterThan: { 'aws:MultiFactorAuthAge': '2020-01-01T00:00:00Z' },
        StringLike: { 'ec2:InstanceTyp': 't3.*', 'aws:ResourceTag/Team': 'ir' },
        NumericGreaterThan: { 'aws:EpochTime': '1700000000' },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BREAK-GLASS-*' },
        Null: { 'aws:TokenIssueTime': 'false' },
      },
    });
    const f = lintPolicy(src);
    const types = f.filter((x) => x.code === 'condition-type');
    assert.deepStrictEqual(types.map((x) => at(src, x)), ['"aws:SourceIp"', '"aws:RequestedRegion"', '"aws:MultiFactorAuthAge"']);
    assert.ok(types.every((x) => x.severity === 'error'));
    assert.match(find(f, 'unknown-condition-key').message, /did you mean 'ec2:InstanceType'/);
  });

  it('MFA anti-patterns, explaining the safer form', () => {
    const src = policy(
      { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
    );
    const f = lintPolicy(src);
    assert.match(find(f, 'mfa-bool-if-exists').message, /long-term access keys.*use "Bool"/);
    assert.match(find(f, 'mfa-deny-bool').message, /use "BoolIfExists"/);
    assert.strictEqual(at(src, find(f, 'mfa-deny-bool')), '"aws:MultiFactorAuthPresent"');
    const safe = policy(
      { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    );
    assert.deepStrictEqual(codes(lintPolicy(safe)).filter((c) => c.startsWith('mfa')), []);
  });

  it('findings are sorted by position and never throw on garbage', () => {
    const f = lintPolicy(policy({ Effect: 'Allow', Action: ['s3:Nope', 'iam:PutUserPolicy'], Resource: '*' }));
    const offsets = f.map((x) => x.position?.offset ?? -1);
    assert.deepStrictEqual(offsets, [...offsets].sort((a, b) => a - b));
    assert.ok(lintPolicy('not json').length > 0);
    assert.ok(lintPolicy('[]').length > 0);
  });
});
