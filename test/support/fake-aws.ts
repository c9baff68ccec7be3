// A local fake of the AWS APIs Break Glass uses, for unit tests, the VS Code integration tests and the benchmark.
//
// One HTTP server on 127.0.0.1 (random port) answers:
//   STS  (awsQuery, XML): AssumeRole, GetCallerIdentity
//   IAM  (awsQuery, XML): ListRoles, ListRoleTags, GetRole, GetRolePolicy, PutRolePolicy, ListMFADevices
//   Organizations (awsJson1_1): ListAccounts
// The service is taken from the SigV4 credential scope (…/<region>/<service>/aws4_request), so one URL serves as
// AWS_ENDPOINT_URL for all of them. Responses and errors are shaped like AWS's (ErrorResponse/Error/Type,Code,Message
// and the HTTP statuses AWS uses), including the real error texts. Signatures are not verified.
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
  | { status: number; code: string; message: string };

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

export interface FakeAwsOptions {
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
  /** Clock for Expiration; default Date.now. */
  now?: () => number;
  /** Largest IAM list page the fake returns (to exercise pagination); default 100. */
  pageSize?: number;
}

const DEFAULT_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

export interface FakeAws {
  url: string;
  port: number;
  requests: RecordedRequest[];
  issued: IssuedCredentials[];
  roles: Map<string, FakeRole>;
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
  const trust = JSON.stringify({
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
    + `<MaxSessionDuration>${r.maxSessionDuration ?? 3600}</MaxSessionDuration>`;
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
  ]) roles.set(r.name, { ...r, inlinePolicies: { ...(r.inlinePolicies ?? {}) } });
  const requests: RecordedRequest[] = [];
  const issued: IssuedCredentials[] = [];
  const usedCodes = new Set<string>();
  const behaviours = new Map<string, { behaviour: Behaviour; times?: number; delayMs?: number }>();

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

  function handleSts(action: string, p: Record<string, string>, keyId: string | undefined): Reply {
    if (action === 'GetCallerIdentity') {
      const session = issued.find((c) => c.accessKeyId === keyId);
      const arn = session
        ? session.roleArn.replace(':iam::', ':sts::').replace(/:role\/(?:.*\/)?([^/]+)$/, `:assumed-role/$1/${session.roleSessionName}`)
        : callerArn;
      const account = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? accountId;
      return { status: 200, body: xml('sts', action, `<Arn>${esc(arn)}</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>${account}</Account>`) };
    }
    if (action !== 'AssumeRole') return fail('sts', { status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version 2011-06-15` });
    const arn = p.RoleArn ?? '';
    const name = arn.split('/').pop() ?? '';
    const role = roles.get(name);
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
    const duration = Number(p.DurationSeconds ?? 3600);
    // Role chaining: a session of this endpoint, or base credentials whose caller is a role session (SSO, instance role).
    const chained = issued.some((c) => c.accessKeyId === keyId) || /:assumed-role\//.test(callerArn);
    if (chained && duration > 3600) return fail('sts', ERRORS.roleChaining);
    if (duration > (role.maxSessionDuration ?? 3600)) return fail('sts', ERRORS.durationTooLong);
    if (opts.enforceMfa !== false && role.mfaRequired) {
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
        + `<AssumedRoleUser><Arn>arn:aws:sts::${accountId}:assumed-role/${esc(name)}/${esc(p.RoleSessionName)}</Arn>`
        + `<AssumedRoleId>AROA3XFRBF535EXAMPLE:${esc(p.RoleSessionName)}</AssumedRoleId></AssumedRoleUser>`
        + `<Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${esc(creds.secretAccessKey)}</SecretAccessKey>`
        + `<SessionToken>${esc(creds.sessionToken)}</SessionToken><Expiration>${creds.expiration}</Expiration></Credentials>`
        + `<PackedPolicySize>${packed}</PackedPolicySize>`),
    };
  }

  function handleIam(action: string, p: Record<string, string>): Reply {
    const noRole = (n: string) => fail('iam', { status: 404, code: 'NoSuchEntity', message: `The role with name ${n} cannot be found.` });
    switch (action) {
      case 'ListRoles': {
        const all = [...roles.values()];
        const max = Math.min(Number(p.MaxItems ?? 100), opts.pageSize ?? 100);
        const start = Number(p.Marker ?? 0);
        const page = all.slice(start, start + max);
        const truncated = start + max < all.length;
        // Like IAM, ListRoles returns no Tags.
        return { status: 200, body: xml('iam', action, `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + max}</Marker>` : ''}<Roles>${page.map((r) => `<member>${roleXml(r, accountId)}</member>`).join('')}</Roles>`) };
      }
      case 'ListRoleTags': {
        const r = roles.get(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const tags = Object.entries(r.tags ?? {}).map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Tags>${tags}</Tags><IsTruncated>false</IsTruncated>`) };
      }
      case 'GetRole': {
        const r = roles.get(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const tags = Object.entries(r.tags ?? {}).map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`).join('');
        return { status: 200, body: xml('iam', action, `<Role>${roleXml(r, accountId)}${tags ? `<Tags>${tags}</Tags>` : ''}</Role>`) };
      }
      case 'GetRolePolicy': {
        const r = roles.get(p.RoleName);
        if (!r) return noRole(p.RoleName);
        const doc = r.inlinePolicies?.[p.PolicyName];
        if (doc === undefined) return fail('iam', { status: 404, code: 'NoSuchEntity', message: `The role policy with name ${p.PolicyName} cannot be found.` });
        return { status: 200, body: xml('iam', action, `<RoleName>${esc(r.name)}</RoleName><PolicyName>${esc(p.PolicyName)}</PolicyName><PolicyDocument>${esc(encodeURIComponent(doc))}</PolicyDocument>`) };
      }
      case 'PutRolePolicy': {
        const r = roles.get(p.RoleName);
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
        const devs = opts.mfaSerial === '' ? '' : `<member><UserName>alice</UserName><SerialNumber>${esc(opts.mfaSerial ?? `arn:aws:iam::${accountId}:mfa/alice`)}</SerialNumber><EnableDate>2024-01-01T00:00:00Z</EnableDate></member>`;
        return { status: 200, body: xml('iam', action, `<MFADevices>${devs}</MFADevices><IsTruncated>false</IsTruncated>`) };
      }
      default:
        return fail('iam', { status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version 2010-05-08` });
    }
  }

  function handleOrganizations(action: string): Reply {
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

      let reply: Reply;
      const b = behaviours.get(action);
      if (b && b.behaviour !== 'ok') {
        reply = fail(service, typeof b.behaviour === 'object' ? b.behaviour : ERRORS[b.behaviour]);
      } else if (sc.service === undefined && !target && !req.headers.authorization) {
        reply = fail(service, { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
      } else {
        reply = service === 'iam' ? handleIam(action, params) : service === 'organizations' ? handleOrganizations(action) : handleSts(action, params, sc.accessKeyId);
      }
      if (b?.times !== undefined && --b.times <= 0) behaviours.delete(action);
      const send = () => {
        res.writeHead(reply.status, {
          'Content-Type': reply.json ? 'application/x-amz-json-1.1' : 'text/xml',
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
