// A seeded generator of policy-evaluation cases (policies × requests) in the batch request shape, for the
// differential test against an independent evaluator and the batch/single agreement test. Deterministic: the same
// seed yields the same cases.

export interface GeneratedCase {
  id: string;
  principal: string;
  roleArn: string;
  action: string;
  resource: string;
  resourceAccount?: string;
  context: Record<string, string | string[]>;
  identityPolicies: unknown[];
  permissionsBoundary: unknown | null;
  sessionPolicy: unknown | null;
  serviceControlPolicies: unknown[][] | null;
  resourceControlPolicies: unknown[][] | null;
  resourcePolicy: unknown | null;
}

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/incident-response/BREAK-GLASS-IR`;
export const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/BREAK-GLASS-IR/INC-1`;

/** Actions with a resource each can be authorised on. */
const TARGETS: Array<[string, string[]]> = [
  ['s3:GetObject', ['arn:aws:s3:::evidence/disk.img', 'arn:aws:s3:::scratch/notes.txt']],
  ['s3:PutObject', ['arn:aws:s3:::evidence/disk.img', 'arn:aws:s3:::scratch/notes.txt']],
  ['s3:DeleteObject', ['arn:aws:s3:::evidence/disk.img']],
  ['s3:ListBucket', ['arn:aws:s3:::evidence']],
  ['ec2:StopInstances', [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0abc`, `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0def`]],
  ['ec2:DescribeInstances', ['*']],
  ['iam:CreateUser', [`arn:aws:iam::${ACCOUNT}:user/eve`]],
  ['iam:PassRole', [`arn:aws:iam::${ACCOUNT}:role/app`]],
  ['kms:Decrypt', [`arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`]],
  ['organizations:LeaveOrganization', ['*']],
  ['logs:DeleteLogGroup', [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/incident`]],
  ['sqs:SendMessage', [`arn:aws:sqs:us-east-1:${ACCOUNT}:alerts`]],
];

const ACTION_PATTERNS = ['*', 's3:*', 's3:Get*', 's3:GetObject', 's3:*Object', 'ec2:*', 'ec2:Describe*', 'ec2:StopInstances', 'iam:*',
  'iam:Create*', 'kms:*', 'organizations:*', 'logs:Delete*', 'sqs:*', 'iam:PassRole', 's3:ListBucket'];
const RESOURCE_PATTERNS = ['*', 'arn:aws:s3:::evidence/*', 'arn:aws:s3:::*', 'arn:aws:s3:::evidence', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
  `arn:aws:ec2:*:${ACCOUNT}:*`, `arn:aws:iam::${ACCOUNT}:*`, `arn:aws:kms:*:${ACCOUNT}:key/*`, 'arn:aws:*:*:*:*', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/in*`,
  `arn:aws:sqs:*:${ACCOUNT}:alerts`];

type Cond = Record<string, Record<string, unknown>>;
const CONDITIONS: Cond[] = [
  { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
  { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
  { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
  { StringLike: { 'aws:PrincipalTag/team': 'ir-*' } },
  { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'IR-BLUE' } },
  { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
  { NotIpAddress: { 'aws:SourceIp': '198.51.100.0/24' } },
  { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
  { DateLessThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } },
  { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['Incident', 'Owner'] } },
  { 'ForAllValues:StringLike': { 'aws:TagKeys': ['Inc*', 'Own*'] } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/incident-response/*` } },
  { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/BREAK-GLASS-IR` } },
  { Null: { 'aws:PrincipalTag/team': 'false' } },
  { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/owner}' } },
];

const CONTEXT: Array<[string, Array<string | string[]>]> = [
  ['aws:RequestedRegion', ['us-east-1', 'eu-west-1', 'us-west-2']],
  ['aws:MultiFactorAuthPresent', ['true', 'false']],
  ['aws:MultiFactorAuthAge', ['120', '7200']],
  ['aws:PrincipalTag/team', ['ir-blue', 'dev', 'IR-BLUE']],
  ['aws:PrincipalTag/owner', ['ir-blue', 'dev']],
  ['aws:SourceIp', ['203.0.113.7', '198.51.100.9', '2001:db8::1', '192.0.2.1']],
  ['aws:CurrentTime', ['2026-03-01T12:00:00Z', '2025-12-01T12:00:00Z', '2026-07-01T12:00:00Z']],
  ['aws:TagKeys', [['Incident'], ['Incident', 'Owner'], ['Other'], ['Owner', 'Other']]],
  ['aws:SourceVpce', ['vpce-1a2b3c4d', 'vpce-9999']],
];

export function generateCases(n: number, seed = 17): GeneratedCase[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => {
    const k = 1 + Math.floor(rnd() * max);
    return Array.from({ length: k }, () => pick(xs));
  };
  const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0] : [...new Set(xs)]);
  const statement = (opts: { principal?: 'resource' | 'rcp'; effect?: 'Allow' | 'Deny' } = {}): Record<string, unknown> => {
    const st: Record<string, unknown> = { Effect: opts.effect ?? (rnd() < 0.7 ? 'Allow' : 'Deny') };
    if (opts.principal === 'rcp') st.Principal = '*';
    if (opts.principal === 'resource') {
      st.Principal = pick<unknown>(['*', { AWS: SESSION_ARN }, { AWS: ROLE_ARN }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: ACCOUNT }, { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }]);
    }
    // RCPs: no NotAction and no bare "*" (not accepted in customer RCPs by the independent evaluator either).
    if (rnd() < 0.12 && opts.principal !== 'rcp') st.NotAction = one(some(ACTION_PATTERNS, 2));
    else st.Action = one(some(opts.principal === 'rcp' ? ACTION_PATTERNS.slice(1) : ACTION_PATTERNS, 3));
    if (rnd() < 0.1) st.NotResource = one(some(RESOURCE_PATTERNS.slice(1), 2));
    else st.Resource = one(some(RESOURCE_PATTERNS, 2));
    if (rnd() < 0.45) {
      const cond: Cond = {};
      for (const c of some(CONDITIONS, 2)) for (const [op, kv] of Object.entries(c)) cond[op] = { ...(cond[op] ?? {}), ...kv };
      st.Condition = cond;
    }
    return st;
  };
  const policy = (k: number, opts: { principal?: 'resource' | 'rcp'; effect?: 'Allow' | 'Deny' } = {}) =>
    ({ Version: '2012-10-17', Statement: Array.from({ length: k }, () => statement(opts)) });
  const levels = (kind: 'scp' | 'rcp'): unknown[][] => {
    const full = kind === 'scp' ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
      : { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
    return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const level: unknown[] = [];
      // Most levels keep the full-access policy AWS attaches by default (RCPFullAWSAccess always, as AWS does).
      if (kind === 'rcp' || rnd() < 0.8) level.push(full);
      if (rnd() < 0.5) level.push(policy(1 + Math.floor(rnd() * 2), kind === 'rcp' ? { principal: 'rcp', effect: 'Deny' } : {}));
      return level.length ? level : [full];
    });
  };
  const cases: GeneratedCase[] = [];
  for (let i = 0; i < n; i++) {
    const [action, resources] = pick(TARGETS);
    const context: Record<string, string | string[]> = {};
    for (const [k, vs] of CONTEXT) if (rnd() < 0.45) context[k] = pick(vs);
    const c: GeneratedCase = {
      id: `g${i}`,
      principal: SESSION_ARN,
      roleArn: ROLE_ARN,
      action,
      resource: pick(resources),
      context,
      identityPolicies: Array.from({ length: Math.floor(rnd() * 3) + (rnd() < 0.9 ? 1 : 0) }, () => policy(1 + Math.floor(rnd() * 3))),
      permissionsBoundary: rnd() < 0.3 ? policy(1 + Math.floor(rnd() * 2)) : null,
      sessionPolicy: rnd() < 0.3 ? policy(1 + Math.floor(rnd() * 2)) : null,
      serviceControlPolicies: rnd() < 0.35 ? levels('scp') : null,
      resourceControlPolicies: rnd() < 0.2 ? levels('rcp') : null,
      resourcePolicy: null,
    };
    // Resource policies and cross-account requests where AWS has them: S3 buckets and SQS queues.
    const withResourcePolicy = /^(s3|sqs):/.test(action);
    if (withResourcePolicy && rnd() < 0.5) c.resourcePolicy = policy(1 + Math.floor(rnd() * 2), { principal: 'resource' });
    if (action.startsWith('s3:') && rnd() < 0.25) c.resourceAccount = OTHER_ACCOUNT;
    cases.push(c);
  }
  return cases;
}
