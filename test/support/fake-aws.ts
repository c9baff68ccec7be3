// A local fake of the AWS APIs Break Glass uses, for unit tests, the VS Code integration tests and the benchmark.
//
// One HTTP server on 127.0.0.1 (random port) answers:
//   STS  (awsQuery, XML): AssumeRole, GetCallerIdentity, GetSessionToken
//   IAM  (awsQuery, XML): ListRoles, ListRoleTags, GetRole, GetRolePolicy, PutRolePolicy, ListMFADevices, and the
//        provisioning calls (CreateRole, UpdateRole, UpdateAssumeRolePolicy, Put/DeleteRolePermissionsBoundary,
//        Tag/UntagRole, Attach/Detach/ListAttachedRolePolicies, ListRolePolicies, DeleteRolePolicy, CreateUser,
//        GetUser, TagUser, Put/Get/ListUserPolicy(ies), ListAttachedUserPolicies, Create/GetLoginProfile,
//        ListAccessKeys, GetAccountPasswordPolicy) — see the "IAM provisioning" block; ListGroupsForUser, GetGroup
//        (approvals)
//   Organizations (awsJson1_1): ListAccounts, ListParents, ListPoliciesForTarget, DescribePolicy (the `organization`
//   option: the path from the root to the account, with each level's SCPs and RCPs)
// The service is taken from the SigV4 credential scope (…/<region>/<service>/aws4_request), so one URL serves as
// AWS_ENDPOINT_URL for all of them. Responses and errors are shaped like AWS's (ErrorResponse/Error/Type,Code,Message
// and the HTTP statuses AWS uses), including the real error texts, and an HTTP Date header from the fake's clock
// (`now`), as AWS sends its own. Signatures are not verified.
//
// Every request is recorded ({ service, action, params, accessKeyId }) so a test can assert the exact AssumeRole
// input and that it was the only call. Behaviours can be switched per action (wrong MFA code, trust refusal,
// throttling, PackedPolicyTooLarge, expired token, ...), for a number of requests or until reset.
//
// Standalone: `npx tsx test/support/fake-aws.ts` prints the URL and serves until killed.
import * as http from 'http';
import { randomBytes, randomUUID } from 'crypto';
import type { AddressInfo } from 'net';

export interface FakeRole {
  name: string;
  accountId?: string;
  path?: string;
  maxSessionDuration?: number;
  tags?: Record<string, string>;
  mfaRequired?: boolean;
  description?: string;
  /** Inline policies by name (JSON text). */
  inlinePolicies?: Record<string, string>;
  /**
   * The actions its trust policy allows. Default: sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity. Without
   * sts:TagSession an AssumeRole with Tags is refused, without sts:SetSourceIdentity one with SourceIdentity, as AWS
   * does (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required).
   */
  trustActions?: string[];
  /** The trust policy (JSON text). When set, AssumeRole evaluates it (principal, actions, MFA conditions). */
  trustPolicy?: string;
  permissionsBoundary?: string;
  /** Attached managed policy ARNs. */
  managedPolicies?: string[];
}

export interface FakeUser {
  name: string;
  accountId?: string;
  path?: string;
  tags?: Record<string, string>;
  inlinePolicies?: Record<string, string>;
  managedPolicies?: string[];
  accessKeys?: Array<{ id: string; status: 'Active' | 'Inactive' }>;
  mfaDevices?: string[];
  loginProfile?: { password: string; passwordResetRequired: boolean; createDate: string };
  passwordLastUsed?: string;
}

export interface FakePasswordPolicy {
  minimumPasswordLength?: number;
  requireSymbols?: boolean;
  requireNumbers?: boolean;
  requireUppercase?: boolean;
  requireLowercase?: boolean;
  allowUsersToChangePassword?: boolean;
  maxPasswordAge?: number;
  passwordReusePrevention?: number;
}

export interface FakeAccount {
  id: string;
  name: string;
  status?: string;
}

export type Behaviour =
  | 'ok'
  | 'wrongMfa'
  | 'reusedMfa'
  | 'mfaMissing'
  | 'trustRefused'
  | 'throttle'
  | 'packedPolicyTooLarge'
  | 'expiredToken'
  | 'invalidClientToken'
  | 'signatureExpired'
  | 'durationTooLong'
  | 'roleChaining'
  | 'regionDisabled'
  | 'accessDenied'
  | 'notInOrganization'
  | 'internalError'
  | { status: number; code: string; message: string }
  /** Answer with this body instead (e.g. an HTML page, a wrong XML namespace): what a non-AWS server might send. */
  | { raw: string; status?: number; contentType?: string; noDate?: boolean };

export interface RecordedRequest {
  service: string;
  action: string;
  params: Record<string, string>;
  accessKeyId?: string;
  region?: string;
  time: number;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  roleArn: string;
  roleSessionName: string;
}

/** One organisation policy attached to a level. */
export interface FakeOrgPolicy {
  id: string;
  name: string;
  /** The policy document (JSON text). */
  content: string;
}

/** One level of the organisation path, root first: its ID, type and attached policies. */
export interface FakeOrgLevel {
  id: string;
  type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';
  scps?: FakeOrgPolicy[];
  rcps?: FakeOrgPolicy[];
}

export interface FakeAwsOptions {
  /**
   * The organisation path (root first, the account last) for ListParents / ListPoliciesForTarget / DescribePolicy;
   * further ACCOUNT entries at the end are sibling accounts under the same parent. Unset: the account is in no
   * organisation (AWSOrganizationsNotInUseException).
   */
  organization?: FakeOrgLevel[];
  accountId?: string;
  /** The base identity's ARN returned by GetCallerIdentity for non-session keys. */
  callerArn?: string;
  roles?: FakeRole[];
  accounts?: FakeAccount[];
  mfaSerial?: string;
  /** Reject AssumeRole without TokenCode on roles with mfaRequired (as a trust policy with MFA would). Default true. */
  enforceMfa?: boolean;
  /** Reject a TokenCode used twice, as STS does. Default true. */
  singleUseCodes?: boolean;
  /** Clock for Expiration and for the Date header of every answer (AWS's clock); default Date.now. */
  now?: () => number;
  /** Largest IAM list page the fake returns (to exercise pagination); default 100. */
  pageSize?: number;
  /** IAM users that exist from the start. */
  users?: FakeUser[];
  /** Account password policies by account id (none: GetAccountPasswordPolicy answers NoSuchEntity). */
  passwordPolicies?: Record<string, FakePasswordPolicy>;
  // ---- approvals (issue 12) ----
  /** GetCallerIdentity per base access key id: several people against one endpoint. */
  identities?: Record<string, { arn: string; userId: string }>;
  /** IAM groups → member user names (ListGroupsForUser, GetGroup). */
  groups?: Record<string, string[]>;
  // ---- end approvals ----
}

const DEFAULT_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

export interface FakeAws {
  url: string;
  port: number;
  requests: RecordedRequest[];
  issued: IssuedCredentials[];
  roles: Map<string, FakeRole>;
  /** IAM users, keyed like roles (name in the default account, `<account>/<name>` elsewhere). */
  users: Map<string, FakeUser>;
  passwordPolicies: Map<string, FakePasswordPolicy>;
  /** Apply a behaviour to an action (e.g. 'AssumeRole'); `times` limits it to the next N requests. */
  setBehaviour(action: string, behaviour: Behaviour, opts?: { times?: number; delayMs?: number }): void;
  /** The identity GetCallerIdentity reports for the base keys (an IAM user, an SSO or instance role session…). */
  setCaller(arn: string): void;
  /** Issue AssumeRole credentials that live this many seconds, whatever was asked (negative: already expired). */
  setIssuedLifetime(seconds: number | undefined): void;
  /** Remove all behaviours and recorded requests; restore the caller and the issued lifetime. */
  reset(): void;
  /** Requests for one action. */
  calls(action: string): RecordedRequest[];
  close(): Promise<void>;
}

const NS: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

const ERRORS: Record<Exclude<Behaviour, 'ok' | object>, { status: number; code: string; message: string; type?: string }> = {
  wrongMfa: { status: 403, code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ' },
  reusedMfa: { status: 403, code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ' },
  mfaMissing: { status: 403, code: 'AccessDenied', message: 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.' },
  trustRefused: { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER' },
  throttle: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
  packedPolicyTooLarge: { status: 400, code: 'PackedPolicyTooLarge', message: 'Packed policy consumes 112% of allotted space, please use smaller policy.' },
  expiredToken: { status: 400, code: 'ExpiredToken', message: 'The security token included in the request is expired' },
  invalidClientToken: { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
  signatureExpired: { status: 403, code: 'SignatureDoesNotMatch', message: 'Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)' },
  durationTooLong: { status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' },
  roleChaining: { status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' },
  regionDisabled: { status: 403, code: 'RegionDisabledException', message: 'STS is not activated in this region for account:111122223333. Your account administrator can activate STS in this region using the IAM Console.' },
  accessDenied: { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:PutRolePolicy on resource: role BREAK-GLASS-INCIDENT_RESPONDER because no identity-based policy allows the iam:PutRolePolicy action' },
  notInOrganization: { status: 400, code: 'AWSOrganizationsNotInUseException', message: 'Your account is not a member of an organization.' },
  internalError: { status: 500, code: 'InternalFailure', message: 'An internal error occurred.', type: 'Receiver' },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKeyId(prefix: string): string {
  const b = randomBytes(16);
  return prefix + Array.from(b, (x) => ALNUM[x % 32]).join('');
}

function randomSecret(): string {
  // 40 characters of the base64 alphabet, always with upper, lower and digit (as real secrets practically are).
  for (;;) {
    const s = randomBytes(30).toString('base64').slice(0, 40);
    if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s)) return s;
  }
}

function randomSessionToken(): string {
  return 'IQoJb3JpZ2luX2VjE' + randomBytes(600).toString('base64');
}

function roleXml(r: FakeRole, accountId: string): string {
  const acct = r.accountId ?? accountId;
  const trust = r.trustPolicy ?? JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: r.trustActions ?? DEFAULT_TRUST_ACTIONS,
      ...(r.mfaRequired ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}),
    }],
  });
  return `<Path>${esc(r.path ?? '/')}</Path><RoleName>${esc(r.name)}</RoleName><RoleId>AROA${r.name.length}EXAMPLE${acct.slice(-4)}</RoleId>`
    + `<Arn>arn:aws:iam::${acct}:role${esc(r.path ?? '/')}${esc(r.name)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>`
    + `<AssumeRolePolicyDocument>${esc(encodeURIComponent(trust))}</AssumeRolePolicyDocument>`
    + (r.description ? `<Description>${esc(r.description)}</Description>` : '')
    + `<MaxSessionDuration>${r.maxSessionDuration ?? 3600}</MaxSessionDuration>`
    + (r.permissionsBoundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${esc(r.permissionsBoundary)}</PermissionsBoundaryArn></PermissionsBoundary>` : '');
}

/** Roles and users of the default account are keyed by name; those of other accounts by `<account>/<name>`. */
export function entityKey(defaultAccount: string, account: string, name: string): string {
  return account === defaultAccount ? name : `${account}/${name}`;
}

/** IAM's PasswordPolicyViolation text for the first rule a password breaks (the default policy: 8 characters). */
function passwordViolation(pw: string, pol: FakePasswordPolicy | undefined): string | undefined {
  const min = pol?.minimumPasswordLength ?? 8;
  if (pw.length < min) return `Password should have a minimum length of ${min}`;
  if (pol?.requireUppercase && !/[A-Z]/.test(pw)) return 'Password should have at least one uppercase letter';
  if (pol?.requireLowercase && !/[a-z]/.test(pw)) return 'Password should have at least one lowercase letter';
  if (pol?.requireNumbers && !/\d/.test(pw)) return 'Password should have at least one number';
  if (pol?.requireSymbols && !/[^A-Za-z0-9]/.test(pw)) return 'Password should have at least one symbol';
  return undefined;
}

const wildcard = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((x) => x.split('?').map((y) => y.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.')).join('.*')}$`, 'i').test(value);

/**
 * Evaluates a role's trust policy for an AssumeRole request the way STS does for what Break Glass sends: every
 * requested action (sts:AssumeRole, plus sts:TagSession when tags are passed and sts:SetSourceIdentity when a source
 * identity is) needs an Allow whose Principal matches the caller and whose conditions hold, and no Deny may match.
 * Conditions understood: Bool/BoolIfExists aws:MultiFactorAuthPresent, Numeric*(IfExists) aws:MultiFactorAuthAge,
 * ArnLike/ArnEquals/StringLike/StringEquals aws:PrincipalArn. Anything else does not match (deny, never allow).
 * Returns the first refused action, or undefined when allowed.
 */
function trustRefusal(policyText: string, p: Record<string, string>, caller: string, callerAcct: string): string | undefined {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return 'sts:AssumeRole';
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<Record<string, unknown>>;
  const mfa = Boolean(p.TokenCode && p.SerialNumber);
  const ctx: Record<string, string | undefined> = {
    'aws:multifactorauthpresent': mfa ? 'true' : undefined,
    'aws:multifactorauthage': mfa ? '0' : undefined,
    'aws:principalarn': caller.includes(':assumed-role/') ? caller.replace(':sts::', ':iam::').replace(/:assumed-role\/([^/]+)\/.*$/, ':role/$1') : caller,
  };
  const arr = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const principalMatches = (pr: unknown): boolean => {
    if (pr === '*') return true;
    const aws = arr((pr as { AWS?: unknown } | undefined)?.AWS);
    return aws.some((a) => a === '*' || a === callerAcct || a === `arn:aws:iam::${callerAcct}:root` || a === ctx['aws:principalarn']);
  };
  const conditionsHold = (cond: unknown): boolean => {
    for (const [op, block] of Object.entries((cond ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [k, v] of Object.entries(block)) {
        const actual = ctx[k.toLowerCase()];
        const ifExists = op.endsWith('IfExists');
        const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
        if (actual === undefined) {
          if (ifExists) continue;
          return false;
        }
        const vals = arr(v);
        const okay = base === 'Bool' ? vals.some((x) => x.toLowerCase() === actual)
          : base === 'NumericLessThan' ? vals.some((x) => Number(actual) < Number(x))
          : base === 'NumericLessThanEquals' ? vals.some((x) => Number(actual) <= Number(x))
          : base === 'ArnLike' || base === 'StringLike' ? vals.some((x) => wildcard(x, actual))
          : base === 'ArnEquals' || base === 'StringEquals' ? vals.some((x) => x === actual)
          : false;
        if (!okay) return false;
      }
    }
    return true;
  };
  const actionMatches = (s: Record<string, unknown>, action: string) => arr(s.Action).some((a) => wildcard(a, action));
  const wanted = ['sts:AssumeRole',
    ...(Object.keys(p).some((k) => /^Tags\.member\.\d+\.Key$/.test(k)) ? ['sts:TagSession'] : []),
    ...(p.SourceIdentity ? ['sts:SetSourceIdentity'] : [])];
  for (const action of wanted) {
    const applies = (s: Record<string, unknown>) => actionMatches(s, action) && principalMatches(s.Principal) && conditionsHold(s.Condition);
    if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return action;
    if (!statements.some((s) => s.Effect === 'Allow' && applies(s))) return action;
  }
  return undefined;
}

function scope(auth: string | undefined): { accessKeyId?: string; region?: string; service?: string } {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth ?? '');
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

export async function startFakeAws(opts: FakeAwsOptions = {}): Promise<FakeAws> {
  const accountId = opts.accountId ?? '111122223333';
  const defaultCaller = opts.callerArn ?? `arn:aws:iam::${accountId}:user/alice`;
  let callerArn = defaultCaller;
  let issuedLifetime: number | undefined;
  const now = opts.now ?? Date.now;
  const roles = new Map<string, FakeRole>();
  for (const r of opts.roles ?? [
    { name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 28800, mfaRequired: true, tags: { Purpose: 'IncidentResponse' } },
    { name: 'BREAK-GLASS-SECURITY_INVESTIGATOR', maxSessionDuration: 14400, mfaRequired: true },
    { name: 'ir-forensics', maxSessionDuration: 14400, mfaRequired: true, tags: { Purpose: 'IncidentResponse' } },
    { name: 'app-deployer', tags: { Team: 'platform' } },
  ]) roles.set(entityKey(accountId, r.accountId ?? accountId, r.name), { ...r, inlinePolicies: { ...(r.inlinePolicies ?? {}) } });
  const requests: RecordedRequest[] = [];
  const issued: IssuedCredentials[] = [];
  const usedCodes = new Set<string>();
  /** GetSessionToken credentials by access key id (issue 14). */
  const mfaSessions = new Map<string, { mfa: boolean; expiration: string }>();
  const behaviours = new Map<string, { behaviour: Behaviour; times?: number; delayMs?: number }>();
  const users = new Map<string, FakeUser>();
  for (const u of opts.users ?? []) users.set(entityKey(accountId, u.accountId ?? accountId, u.name), { ...u });
  const passwordPolicies = new Map<string, FakePasswordPolicy>(Object.entries(opts.passwordPolicies ?? {}));

  const xml = (service: string, action: string, result: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS[service]}">\n`
    + (result ? `  <${action}Result>${result}</${action}Result>\n` : '')
    + `  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>\n</${action}Response>\n`;

  const xmlError = (service: string, e: { code: string; message: string; type?: string }) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NS[service] ?? NS.sts}">\n  <Error>\n    <Type>${e.type ?? 'Sender'}</Type>\n`
    + `    <Code>${esc(e.code)}</Code>\n    <Message>${esc(e.message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`;

  type Reply = { status: number; body: string; json?: boolean };
  const fail = (service: string, e: { status: number; code: string; message: string; type?: string }): Reply =>
    service === 'organizations'
      ? { status: e.status, json: true, body: JSON.stringify({ __type: e.code, Message: e.message }) }
      : { status: e.status, body: xmlError(service, e) };

  // ===== IAM provisioning (issue 10): roles, users, login profiles, password policy =====================================
  // awsQuery wire format as IAM answers it: results in <ActionResult>, lists as <member>, errors as ErrorResponse with
  // EntityAlreadyExists (409), NoSuchEntity (404), MalformedPolicyDocument / ValidationError / PasswordPolicyViolation
  // (400) and IAM's own message texts. Every entity lives in the account of the caller's access key.
  const tagsXml = (t: Record<string, string> | undefined) =>
    Object.entries(t ?? {}).map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`).join('');
  const tagsOf = (p: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const k of Object.keys(p)) {
      const m = /^Tags\.member\.(\d+)\.Key$/.exec(k);
      if (m) out[p[k]] = p[`Tags.member.${m[1]}.Value`] ?? '';
    }
    return out;
  };
  const listOf = (p: Record<string, string>, prefix: string): string[] =>
    Object.keys(p).filter((k) => k.startsWith(`${prefix}.member.`)).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).map((k) => p[k]);
  const ok = (action: string, result = ''): Reply => ({ status: 200, body: xml('iam', action, result) });
  const err = (status: number, code: string, message: string): Reply => fail('iam', { status, code, message });
  const malformed = (doc: string | undefined): Reply | undefined => {
    try {
      const v = JSON.parse(doc ?? '') as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return undefined;
    } catch {
      return err(400, 'MalformedPolicyDocument', 'This policy contains invalid Json');
    }
  };
  const policyArnOk = (arn: string) => /^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/.test(arn);
  const userXml = (u: FakeUser, acct: string) =>
    `<Path>${esc(u.path ?? '/')}</Path><UserName>${esc(u.name)}</UserName><UserId>AIDA${u.name.length}EXAMPLE${acct.slice(-4)}</UserId>`
    + `<Arn>arn:aws:iam::${acct}:user${esc(u.path ?? '/')}${esc(u.name)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>`
    + (u.passwordLastUsed ? `<PasswordLastUsed>${u.passwordLastUsed}</PasswordLastUsed>` : '');
  const isoNow = () => new Date(Math.floor(now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  function provisioningIam(action: string, p: Record<string, string>, acct: string): Reply | undefined {
    const key = (n: string) => entityKey(accountId, acct, n);
    const role = roles.get(key(p.RoleName ?? ''));
    const user = users.get(key(p.UserName ?? ''));
    const noRole = () => err(404, 'NoSuchEntity', `The role with name ${p.RoleName} cannot be found.`);
    const noUser = () => err(404, 'NoSuchEntity', `The user with name ${p.UserName} cannot be found.`);
    const checkDuration = (v: string | undefined): Reply | undefined => {
      if (v === undefined) return undefined;
      const d = Number(v);
      if (d < 3600) return err(400, 'ValidationError', `1 validation error detected: Value '${v}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600`);
      if (d > 43200) return err(400, 'ValidationError', `1 validation error detected: Value '${v}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200`);
      return undefined;
    };
    switch (action) {
      case 'CreateRole': {
        if (!/^[\w+=,.@-]{1,64}$/.test(p.RoleName ?? '')) return err(400, 'ValidationError', `1 validation error detected: Value '${p.RoleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
        if (role) return err(409, 'EntityAlreadyExists', `Role with name ${p.RoleName} already exists.`);
        const bad = malformed(p.AssumeRolePolicyDocument) ?? checkDuration(p.MaxSessionDuration);
        if (bad) return bad;
        if (p.PermissionsBoundary && !policyArnOk(p.PermissionsBoundary)) return err(400, 'InvalidInput', `ARN ${p.PermissionsBoundary} is not valid.`);
        const r: FakeRole = {
          name: p.RoleName, accountId: acct, path: p.Path ?? '/', trustPolicy: p.AssumeRolePolicyDocument,
          maxSessionDuration: p.MaxSessionDuration ? Number(p.MaxSessionDuration) : 3600, description: p.Description,
          permissionsBoundary: p.PermissionsBoundary, tags: tagsOf(p), inlinePolicies: {}, managedPolicies: [],
        };
        roles.set(key(r.name), r);
        return ok(action, `<Role>${roleXml(r, acct)}${Object.keys(r.tags ?? {}).length ? `<Tags>${tagsXml(r.tags)}</Tags>` : ''}</Role>`);
      }
      case 'UpdateRole': {
        if (!role) return noRole();
        const bad = checkDuration(p.MaxSessionDuration);
        if (bad) return bad;
        if (p.MaxSessionDuration) role.maxSessionDuration = Number(p.MaxSessionDuration);
        if (p.Description !== undefined) role.description = p.Description;
        // IAM answers UpdateRole with an empty <UpdateRoleResult/> element (the other writes have none).
        return { status: 200, body: xml('iam', action, '').replace('  <ResponseMetadata>', '  <UpdateRoleResult/>\n  <ResponseMetadata>') };
      }
      case 'UpdateAssumeRolePolicy': {
        if (!role) return noRole();
        const bad = malformed(p.PolicyDocument);
        if (bad) return bad;
        role.trustPolicy = p.PolicyDocument;
        return ok(action);
      }
      case 'PutRolePermissionsBoundary':
        if (!role) return noRole();
        if (!policyArnOk(p.PermissionsBoundary ?? '')) return err(400, 'InvalidInput', `ARN ${p.PermissionsBoundary} is not valid.`);
        role.permissionsBoundary = p.PermissionsBoundary;
        return ok(action);
      case 'DeleteRolePermissionsBoundary':
        if (!role) return noRole();
        delete role.permissionsBoundary;
        return ok(action);
      case 'TagRole':
        if (!role) return noRole();
        role.tags = { ...(role.tags ?? {}), ...tagsOf(p) };
        return ok(action);
      case 'UntagRole':
        if (!role) return noRole();
        for (const k of listOf(p, 'TagKeys')) delete role.tags?.[k];
        return ok(action);
      case 'AttachRolePolicy':
        if (!role) return noRole();
        if (!policyArnOk(p.PolicyArn ?? '')) return err(400, 'InvalidInput', `ARN ${p.PolicyArn} is not valid.`);
        if (!(role.managedPolicies ??= []).includes(p.PolicyArn)) role.managedPolicies.push(p.PolicyArn);
        return ok(action);
      case 'DetachRolePolicy': {
        if (!role) return noRole();
        const i = (role.managedPolicies ?? []).indexOf(p.PolicyArn);
        if (i < 0) return err(404, 'NoSuchEntity', `Policy ${p.PolicyArn} was not found.`);
        role.managedPolicies!.splice(i, 1);
        return ok(action);
      }
      case 'ListAttachedRolePolicies':
        if (!role) return noRole();
        return ok(action, `<AttachedPolicies>${(role.managedPolicies ?? []).map((a) => `<member><PolicyName>${esc(a.split('/').pop() ?? a)}</PolicyName><PolicyArn>${esc(a)}</PolicyArn></member>`).join('')}</AttachedPolicies><IsTruncated>false</IsTruncated>`);
      case 'ListRolePolicies':
        if (!role) return noRole();
        return ok(action, `<PolicyNames>${Object.keys(role.inlinePolicies ?? {}).map((n) => `<member>${esc(n)}</member>`).join('')}</PolicyNames><IsTruncated>false</IsTruncated>`);
      case 'DeleteRolePolicy':
        if (!role) return noRole();
        if (role.inlinePolicies?.[p.PolicyName] === undefined) return err(404, 'NoSuchEntity', `The role policy with name ${p.PolicyName} cannot be found.`);
        delete role.inlinePolicies[p.PolicyName];
        return ok(action);
      case 'CreateUser': {
        if (!/^[\w+=,.@-]{1,64}$/.test(p.UserName ?? '')) return err(400, 'ValidationError', `1 validation error detected: Value '${p.UserName}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
        if (user) return err(409, 'EntityAlreadyExists', `User with name ${p.UserName} already exists.`);
        const u: FakeUser = { name: p.UserName, accountId: acct, path: p.Path ?? '/', tags: tagsOf(p), inlinePolicies: {}, managedPolicies: [], accessKeys: [], mfaDevices: [] };
        users.set(key(u.name), u);
        return ok(action, `<User>${userXml(u, acct)}${Object.keys(u.tags ?? {}).length ? `<Tags>${tagsXml(u.tags)}</Tags>` : ''}</User>`);
      }
      case 'GetUser':
        if (!user) return noUser();
        return ok(action, `<User>${userXml(user, acct)}${Object.keys(user.tags ?? {}).length ? `<Tags>${tagsXml(user.tags)}</Tags>` : ''}</User>`);
      case 'TagUser':
        if (!user) return noUser();
        user.tags = { ...(user.tags ?? {}), ...tagsOf(p) };
        return ok(action);
      case 'PutUserPolicy': {
        if (!user) return noUser();
        const bad = malformed(p.PolicyDocument);
        if (bad) return bad;
        (user.inlinePolicies ??= {})[p.PolicyName] = p.PolicyDocument;
        return ok(action);
      }
      case 'GetUserPolicy': {
        if (!user) return noUser();
        const doc = user.inlinePolicies?.[p.PolicyName];
        if (doc === undefined) return err(404, 'NoSuchEntity', `The user policy with name ${p.PolicyName} cannot be found.`);
        return ok(action, `<UserName>${esc(user.name)}</UserName><PolicyName>${esc(p.PolicyName)}</PolicyName><PolicyDocument>${esc(encodeURIComponent(doc))}</PolicyDocument>`);
      }
      case 'ListUserPolicies':
        if (!user) return noUser();
        return ok(action, `<PolicyNames>${Object.keys(user.inlinePolicies ?? {}).map((n) => `<member>${esc(n)}</member>`).join('')}</PolicyNames><IsTruncated>false</IsTruncated>`);
      case 'ListAttachedUserPolicies':
        if (!user) return noUser();
        return ok(action, `<AttachedPolicies>${(user.managedPolicies ?? []).map((a) => `<member><PolicyName>${esc(a.split('/').pop() ?? a)}</PolicyName><PolicyArn>${esc(a)}</PolicyArn></member>`).join('')}</AttachedPolicies><IsTruncated>false</IsTruncated>`);
      case 'CreateLoginProfile': {
        if (!user) return noUser();
        if (user.loginProfile) return err(409, 'EntityAlreadyExists', `Login Profile for user ${user.name} already exists.`);
        const violation = passwordViolation(p.Password ?? '', passwordPolicies.get(acct));
        if (violation) return err(400, 'PasswordPolicyViolation', violation);
        user.loginProfile = { password: p.Password, passwordResetRequired: p.PasswordResetRequired === 'true', createDate: isoNow() };
        return ok(action, `<LoginProfile><UserName>${esc(user.name)}</UserName><CreateDate>${user.loginProfile.createDate}</CreateDate><PasswordResetRequired>${user.loginProfile.passwordResetRequired}</PasswordResetRequired></LoginProfile>`);
      }
      case 'GetLoginProfile':
        if (!user) return noUser();
        if (!user.loginProfile) return err(404, 'NoSuchEntity', `Login Profile for User ${user.name} cannot be found.`);
        return ok(action, `<LoginProfile><UserName>${esc(user.name)}</UserName><CreateDate>${user.loginProfile.createDate}</CreateDate><PasswordResetRequired>${user.loginProfile.passwordResetRequired}</PasswordResetRequired></LoginProfile>`);
      case 'ListAccessKeys':
        if (!user) return noUser();
        return ok(action, `<UserName>${esc(user.name)}</UserName><AccessKeyMetadata>${(user.accessKeys ?? []).map((k) => `<member><UserName>${esc(user.name)}</UserName><AccessKeyId>${k.id}</AccessKeyId><Status>${k.status}</Status><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>`).join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
      case 'GetAccountPasswordPolicy': {
        const pol = passwordPolicies.get(acct);
        if (!pol) return err(404, 'NoSuchEntity', `The Password Policy with domain name ${acct} cannot be found.`);
        const b = (v: boolean | undefined) => String(Boolean(v));
        return ok(action, `<PasswordPolicy><MinimumPasswordLength>${pol.minimumPasswordLength ?? 8}</MinimumPasswordLength>`
          + `<RequireSymbols>${b(pol.requireSymbols)}</RequireSymbols><RequireNumbers>${b(pol.requireNumbers)}</RequireNumbers>`
          + `<RequireUppercaseCharacters>${b(pol.requireUppercase)}</RequireUppercaseCharacters><RequireLowercaseCharacters>${b(pol.requireLowercase)}</RequireLowercaseCharacters>`
          + `<AllowUsersToChangePassword>${b(pol.allowUsersToChangePassword ?? true)}</AllowUsersToChangePassword><ExpirePasswords>${b(pol.maxPasswordAge !== undefined)}</ExpirePasswords>`
          + (pol.maxPasswordAge !== undefined ? `<MaxPasswordAge>${pol.maxPasswordAge}</MaxPasswordAge>` : '')
          + (pol.passwordReusePrevention !== undefined ? `<PasswordReusePrevention>${pol.passwordReusePrevention}</PasswordReusePrevention>` : '')
          + `</PasswordPolicy>`);
      }
      default:
        return undefined;
    }
  }
  // ===== end IAM provisioning =========================================================================================

  function handleSts(action: string, p: Record<string, string>, keyId: string | undefined): Reply {
    if (action === 'GetCallerIdentity') {
      const known = keyId ? opts.identities?.[keyId] : undefined; // approvals (issue 12)
      if (known) return { status: 200, body: xml('sts', action, `<Arn>${esc(known.arn)}</Arn><UserId>${esc(known.userId)}</UserId><Account>${accountId}</Account>`) };
      const session = issued.find((c) => c.accessKeyId === keyId);
      const arn = session
        ? session.roleArn.replace(':iam::', ':sts::').replace(/:role\/(?:.*\/)?([^/]+)$/, `:assumed-role/$1/${session.roleSessionName}`)
        : callerArn;
      const account = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? callerAccount(keyId);
      return { status: 200, body: xml('sts', action, `<Arn>${esc(arn)}</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>${account}</Account>`) };
    }
    // --- GetSessionToken (issue 14: one MFA code, several accounts) -------------------------------------------------
    // awsQuery wire format of https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html: DurationSeconds
    // 900–129600 (default 43200), SerialNumber + TokenCode; only an IAM user's long-term keys may call it. Credentials it
    // issues carry MFA (when a code was given): AssumeRole signed with them needs no TokenCode and is role chaining.
    if (action === 'GetSessionToken') {
      if (keyId && (issued.some((c) => c.accessKeyId === keyId) || mfaSessions.has(keyId))) {
        return fail('sts', { status: 403, code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
      }
      const d = Number(p.DurationSeconds ?? 43200);
      if (!Number.isInteger(d) || d < 900 || d > 129600) {
        return fail('sts', { status: 400, code: 'ValidationError', message: `1 validation error detected: Value '${p.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600` });
      }
      if (p.TokenCode !== undefined || p.SerialNumber !== undefined) {
        if (!p.TokenCode || !p.SerialNumber) return fail('sts', ERRORS.mfaMissing);
        if (!/^\d{6}$/.test(p.TokenCode)) return fail('sts', ERRORS.wrongMfa);
        if (opts.singleUseCodes !== false) {
          if (usedCodes.has(p.TokenCode)) return fail('sts', ERRORS.reusedMfa);
          usedCodes.add(p.TokenCode);
        }
      }
      const c = { accessKeyId: randomKeyId('ASIA'), secretAccessKey: randomSecret(), sessionToken: randomSessionToken(),
        expiration: new Date(Math.floor(now() / 1000) * 1000 + d * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      mfaSessions.set(c.accessKeyId, { mfa: Boolean(p.TokenCode), expiration: c.expiration });
      return {
        status: 200,
        body: xml('sts', action, `<Credentials><SessionToken>${esc(c.sessionToken)}</SessionToken><SecretAccessKey>${esc(c.secretAccessKey)}</SecretAccessKey>`
          + `<Expiration>${c.expiration}</Expiration><AccessKeyId>${c.accessKeyId}</AccessKeyId></Credentials>`),
      };
    }
    const mfaSession = keyId ? mfaSessions.get(keyId) : undefined;
    // --- end GetSessionToken ------------------------------------------------------------------------------------------
    if (action !== 'AssumeRole') return fail('sts', { status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version 2011-06-15` });
    const arn = p.RoleArn ?? '';
    const name = arn.split('/').pop() ?? '';
    const targetAccount = /^arn:[\w-]+:iam::(\d{12}):role\//.exec(arn)?.[1] ?? '';
    const role = roles.get(entityKey(accountId, targetAccount, name));
    if (!role || !arn.includes(`:${role.accountId ?? accountId}:`)) {
      return fail('sts', { status: 403, code: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${arn}` });
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(p.RoleSessionName ?? '')) {
      return fail('sts', { status: 400, code: 'ValidationError', message: `1 validation error detected: Value '${p.RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*` });
    }
    const trust = role.trustActions ?? DEFAULT_TRUST_ACTIONS;
    const who = issued.find((c) => c.accessKeyId === keyId)?.roleArn ?? callerArn;
    for (const [present, needed] of [[Object.keys(p).some((k) => k.startsWith('Tags.member.')), 'sts:TagSession'], [Boolean(p.SourceIdentity), 'sts:SetSourceIdentity']] as const) {
      if (present && !trust.includes(needed)) {
        return fail('sts', { status: 403, code: 'AccessDenied', message: `User: ${who} is not authorized to perform: ${needed} on resource: ${arn}` });
      }
    }
    if (role.trustPolicy !== undefined) {
      const refusal = trustRefusal(role.trustPolicy, p, callerIdentityArn(keyId), callerAccount(keyId));
      if (refusal) return fail('sts', { status: 403, code: 'AccessDenied', message: `User: ${callerIdentityArn(keyId)} is not authorized to perform: ${refusal} on resource: ${arn}` });
    }
    const duration = Number(p.DurationSeconds ?? 3600);
    // Role chaining: a session of this endpoint, an MFA session (GetSessionToken), or base credentials whose caller is
    // a role session (SSO, instance role).
    const chained = issued.some((c) => c.accessKeyId === keyId) || mfaSession !== undefined || /:assumed-role\//.test(callerArn);
    if (chained && duration > 3600) return fail('sts', ERRORS.roleChaining);
    if (duration > (role.maxSessionDuration ?? 3600)) return fail('sts', ERRORS.durationTooLong);
    // Credentials of an MFA session (GetSessionToken with a code) carry MFA into AssumeRole: no code needed again.
    if (opts.enforceMfa !== false && (role.mfaRequired || (role.trustPolicy !== undefined && /MultiFactorAuthPresent/i.test(role.trustPolicy))) && !mfaSession?.mfa) {
      if (!p.TokenCode && !p.SerialNumber) return fail('sts', { status: 403, code: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${arn}` });
      if (!p.TokenCode || !p.SerialNumber) return fail('sts', ERRORS.mfaMissing);
      if (!/^\d{6}$/.test(p.TokenCode)) return fail('sts', ERRORS.wrongMfa);
      if (opts.singleUseCodes !== false) {
        if (usedCodes.has(p.TokenCode)) return fail('sts', ERRORS.reusedMfa);
        usedCodes.add(p.TokenCode);
      }
    }
    const creds: IssuedCredentials = {
      accessKeyId: randomKeyId('ASIA'),
      secretAccessKey: randomSecret(),
      sessionToken: randomSessionToken(),
      expiration: new Date(Math.floor(now() / 1000) * 1000 + (issuedLifetime ?? duration) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      roleArn: arn,
      roleSessionName: p.RoleSessionName,
    };
    issued.push(creds);
    const tags = Object.keys(p).filter((k) => /^Tags\.member\.\d+\.Key$/.test(k)).length;
    const packed = Math.min(99, Math.ceil(((p.Policy?.length ?? 0) + tags * 40) / 40));
    return {
      status: 200,
      body: xml('sts', action,
        (p.SourceIdentity ? `<SourceIdentity>${esc(p.SourceIdentity)}</SourceIdentity>` : '')
        + `<AssumedRoleUser><Arn>arn:aws:sts::${targetAccount}:assumed-role/${esc(name)}/${esc(p.RoleSessionName)}</Arn>`
        + `<AssumedRoleId>AROA3XFRBF535EXAMPLE:${esc(p.RoleSessionName)}</AssumedRoleId></AssumedRoleUser>`
        + `<Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${esc(creds.secretAccessKey)}</SecretAccessKey>`
        + `<SessionToken>${esc(creds.sessionToken)}</SessionToken><Expiration>${creds.expiration}</Expiration></Credentials>`
        + `<PackedPolicySize>${packed}</PackedPolicySize>`),
    };
  }

  /** The account a request's access key belongs to: a session's role account, else the default account. */
  function callerAccount(keyId: string | undefined): string {
    const session = issued.find((c) => c.accessKeyId === keyId);
    return session ? (/:iam::(\d{12}):/.exec(session.roleArn)?.[1] ?? accountId) : accountId;
  }

  function callerIdentityArn(keyId: string | undefined): string {
    const session = issued.find((c) => c.accessKeyId === keyId);
    return session
      ? session.roleArn.replace(':iam::', ':sts::').replace(/:role\/(?:.*\/)?([^/]+)$/, `:assumed-role/$1/${session.roleSessionName}`)
      : callerArn;
  }

  function handleIam(action: string, p: Record<string, string>, keyId: string | undefined): Reply {
    const noRole = (n: string) => fail('iam', { status: 404, code: 'NoSuchEntity', message: `The role with name ${n} cannot be found.` });
    const acct = callerAccount(keyId);
    const roleOf = (n: string) => roles.get(entityKey(accountId, acct, n));
    switch (action) {
      case 'ListRoles': {
        const all = [...roles.values()].filter((r) => (r.accountId ?? accountId) === acct);
        const max = Math.min(Number(p.MaxItems ?? 100), opts.pageSize ?? 100);
        const start = Number(p.Marker ?? 0);
        const page = all.slice(start, start + max);
        const truncated = start + max < all.length;
        // Like IAM, ListRoles returns no Tags.
        return { status: 200, body: xml('iam', action, `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + max}</Marker>` : ''}<Roles>${page.map((r) => `<member>${roleXml(r, acct)}</member>`).join('')}</Roles>`) };
      }
      case 'ListRoleTags': {
        const r = roleOf(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const tags = Object.entries(r.tags ?? {}).map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Tags>${tags}</Tags><IsTruncated>false</IsTruncated>`) };
      }
      case 'GetRole': {
        const r = roleOf(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const tags = Object.entries(r.tags ?? {}).map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Role>${roleXml(r, acct)}${tags ? `<Tags>${tags}</Tags>` : ''}</Role>`) };
      }
      case 'GetRolePolicy': {
        const r = roleOf(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const doc = r.inlinePolicies?.[p.PolicyName];
        if (doc === undefined) return fail('iam', { status: 404, code: 'NoSuchEntity', message: `The role policy with name ${p.PolicyName} cannot be found.` });
        return { status: 200, body: xml('iam', action, `<RoleName>${esc(r.name)}</RoleName><PolicyName>${esc(p.PolicyName)}</PolicyName><PolicyDocument>${esc(encodeURIComponent(doc))}</PolicyDocument>`) };
      }
      case 'PutRolePolicy': {
        const r = roleOf(p.RoleName);
        if (!r) return noRole(p.RoleName);
        try {
          JSON.parse(p.PolicyDocument ?? '');
        } catch {
          return fail('iam', { status: 400, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' });
        }
        (r.inlinePolicies ??= {})[p.PolicyName] = p.PolicyDocument;
        return { status: 200, body: xml('iam', action, '') };
      }
      case 'ListMFADevices': {
        if (p.UserName) {
          const u = users.get(entityKey(accountId, acct, p.UserName));
          if (!u) return fail('iam', { status: 404, code: 'NoSuchEntity', message: `The user with name ${p.UserName} cannot be found.` });
          const own = (u.mfaDevices ?? []).map((d) => `<member><UserName>${esc(u.name)}</UserName><SerialNumber>${esc(d)}</SerialNumber><EnableDate>2024-01-01T00:00:00Z</EnableDate></member>`).join('');
          return { status: 200, body: xml('iam', action, `<MFADevices>${own}</MFADevices><IsTruncated>false</IsTruncated>`) };
        }
        const devs = opts.mfaSerial === '' ? '' : `<member><UserName>alice</UserName><SerialNumber>${esc(opts.mfaSerial ?? `arn:aws:iam::${accountId}:mfa/alice`)}</SerialNumber><EnableDate>2024-01-01T00:00:00Z</EnableDate></member>`;
        return { status: 200, body: xml('iam', action, `<MFADevices>${devs}</MFADevices><IsTruncated>false</IsTruncated>`) };
      }
      // ---- approvals (issue 12) ----
      case 'ListGroupsForUser': {
        const member = Object.entries(opts.groups ?? {}).filter(([, users]) => users.includes(p.UserName));
        const g = member.map(([name]) => `<member><Path>/</Path><GroupName>${esc(name)}</GroupName><GroupId>AGPA${name.length}EXAMPLE</GroupId><Arn>arn:aws:iam::${accountId}:group/${esc(name)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Groups>${g}</Groups><IsTruncated>false</IsTruncated>`) };
      }
      case 'GetGroup': {
        const users = opts.groups?.[p.GroupName];
        if (!users) return fail('iam', { status: 404, code: 'NoSuchEntity', message: `The group with name ${p.GroupName} cannot be found.` });
        const u = users.map((n) => `<member><Path>/</Path><UserName>${esc(n)}</UserName><UserId>AIDA${n.toUpperCase()}EXAMPLE</UserId><Arn>arn:aws:iam::${accountId}:user/${esc(n)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Group><Path>/</Path><GroupName>${esc(p.GroupName)}</GroupName><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::${accountId}:group/${esc(p.GroupName)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></Group><Users>${u}</Users><IsTruncated>false</IsTruncated>`) };
      }
      // ---- end approvals ----
      default:
        return provisioningIam(action, p, acct) ?? fail('iam', { status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version 2010-05-08` });
    }
  }

  function handleOrgPolicies(action: string, params: Record<string, string>): Reply {
    // Without an `organization` the caller's account is a standalone one, as AWS answers it.
    if (!opts.organization) return fail('organizations', ERRORS.notInOrganization);
    const levels = opts.organization;
    const json = (o: unknown): Reply => ({ status: 200, json: true, body: JSON.stringify(o) });
    const notFound = (code: string, message: string) => fail('organizations', { status: 400, code, message });
    if (action === 'ListParents') {
      const i = levels.findIndex((l) => l.id === params.ChildId);
      // Several ACCOUNT levels after the last OU are sibling accounts of that OU.
      let j = i - 1;
      while (j >= 0 && levels[j].type === 'ACCOUNT') j--;
      if (i <= 0 || j < 0) return notFound('ChildNotFoundException', 'We can\'t find an organizational unit (OU) or AWS account with the ChildId that you specified.');
      return json({ Parents: [{ Id: levels[j].id, Type: levels[j].type }] });
    }
    if (action === 'ListPoliciesForTarget') {
      const level = levels.find((l) => l.id === params.TargetId);
      if (!level) return notFound('TargetNotFoundException', 'We can\'t find a root, OU, account, or policy with the TargetId that you specified.');
      const list = (params.Filter === 'RESOURCE_CONTROL_POLICY' ? level.rcps : level.scps) ?? [];
      // One policy per page, to exercise pagination.
      const start = params.NextToken ? Number(params.NextToken) : 0;
      const page = list.slice(start, start + 1).map((p) => ({ Id: p.id, Arn: `arn:aws:organizations::${accountId}:policy/o-example/${p.id}`, Name: p.name, Type: params.Filter, AwsManaged: false }));
      return json(start + 1 < list.length ? { Policies: page, NextToken: String(start + 1) } : { Policies: page });
    }
    const all = levels.flatMap((l) => [...(l.scps ?? []), ...(l.rcps ?? [])]);
    const p = all.find((x) => x.id === params.PolicyId);
    if (!p) return notFound('PolicyNotFoundException', 'We can\'t find a policy with the PolicyId that you specified.');
    return json({ Policy: { PolicySummary: { Id: p.id, Name: p.name }, Content: p.content } });
  }

  function handleOrganizations(action: string, params: Record<string, string> = {}): Reply {
    if (action === 'ListParents' || action === 'ListPoliciesForTarget' || action === 'DescribePolicy') return handleOrgPolicies(action, params);
    if (action !== 'ListAccounts') return fail('organizations', { status: 400, code: 'InvalidAction', message: `Unknown operation ${action}` });
    const accounts = (opts.accounts ?? [{ id: accountId, name: 'Production' }, { id: '444455556666', name: 'Staging' }]).map((a) => ({
      Id: a.id, Arn: `arn:aws:organizations::${accountId}:account/o-example/${a.id}`, Email: `aws+${a.id}@example.com`,
      Name: a.name, Status: a.status ?? 'ACTIVE', JoinedMethod: 'CREATED', JoinedTimestamp: 1704067200,
    }));
    return { status: 200, json: true, body: JSON.stringify({ Accounts: accounts }) };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const sc = scope(req.headers.authorization);
      const target = req.headers['x-amz-target'];
      let service = sc.service ?? 'sts';
      let action: string;
      let params: Record<string, string> = {};
      if (typeof target === 'string') {
        service = 'organizations';
        action = target.split('.').pop() ?? '';
        try {
          params = Object.fromEntries(Object.entries(JSON.parse(body || '{}') as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        } catch {
          params = {};
        }
      } else {
        const form = new URLSearchParams(body);
        params = Object.fromEntries(form.entries());
        action = params.Action ?? '';
        delete params.Action;
        delete params.Version;
        if (!sc.service) service = form.get('Version') === '2010-05-08' ? 'iam' : 'sts';
      }
      requests.push({ service, action, params, accessKeyId: sc.accessKeyId, region: sc.region, time: Date.now() });

      let reply: Reply & { contentType?: string; noDate?: boolean };
      const b = behaviours.get(action);
      const how = b?.behaviour;
      if (typeof how === 'object' && 'raw' in how) {
        reply = { status: how.status ?? 200, body: how.raw, contentType: how.contentType ?? 'text/html', noDate: how.noDate };
      } else if (how !== undefined && how !== 'ok') {
        reply = fail(service, typeof how === 'object' ? how : ERRORS[how]);
      } else if (sc.service === undefined && !target && !req.headers.authorization) {
        reply = fail(service, { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
      } else {
        reply = service === 'iam' ? handleIam(action, params, sc.accessKeyId) : service === 'organizations' ? handleOrganizations(action, params) : handleSts(action, params, sc.accessKeyId);
      }
      if (b?.times !== undefined && --b.times <= 0) behaviours.delete(action);
      const send = () => {
        // Like AWS, every answer carries the server's clock in an HTTP Date header (clients use it to detect skew).
        if (reply.noDate) res.sendDate = false;
        res.writeHead(reply.status, {
          ...(reply.noDate ? {} : { Date: new Date(now()).toUTCString() }),
          'Content-Type': reply.contentType ?? (reply.json ? 'application/x-amz-json-1.1' : 'text/xml'),
          'x-amzn-RequestId': randomUUID(),
          ...(reply.json && reply.status >= 400 ? { 'x-amzn-ErrorType': (JSON.parse(reply.body) as { __type: string }).__type } : {}),
          'Content-Length': Buffer.byteLength(reply.body),
        });
        res.end(reply.body);
      };
      if (b?.delayMs) setTimeout(send, b.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    issued,
    roles,
    users,
    passwordPolicies,
    setBehaviour(action, behaviour, o = {}) {
      if (behaviour === 'ok' && !o.delayMs) behaviours.delete(action);
      else behaviours.set(action, { behaviour, times: o.times, delayMs: o.delayMs });
    },
    setCaller(arn) {
      callerArn = arn;
    },
    setIssuedLifetime(seconds) {
      issuedLifetime = seconds;
    },
    reset() {
      behaviours.clear();
      requests.length = 0;
      callerArn = defaultCaller;
      issuedLifetime = undefined;
    },
    calls(action) {
      return requests.filter((r) => r.action === action);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Standalone only when this file itself is the entry point (bundlers make `require.main === module` true for every
// bundled module, so the file name is checked too).
if (require.main === module && /fake-aws\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  // Options as JSON in FAKE_AWS_OPTIONS (a benchmark runs the endpoint in its own process this way).
  startFakeAws(JSON.parse(process.env.FAKE_AWS_OPTIONS || '{}') as FakeAwsOptions).then((f) => {
    process.stdout.write(`fake AWS listening on ${f.url}\n`);
  }, (e) => {
    process.stderr.write(`fake AWS failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
