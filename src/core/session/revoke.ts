// Revocation, local and in AWS.
//
// Local: the session's credentials are wiped (memory and SecretStore), its state becomes 'revoked', its loopback
// credential endpoint answers 410, and the extension closes its terminals on the store's 'revoked' event.
//
// AWS: temporary credentials cannot be deleted, so — exactly like the IAM console's "Revoke active sessions"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html) — an inline policy named
// AWSRevokeOlderSessions is put on the role, denying everything to any session whose token was issued before a
// cut-off:
//   { "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
//     "Condition": { "DateLessThan": { "aws:TokenIssueTime": "2024-05-01T12:00:00Z" } } }
// This affects EVERY session of the role issued before that instant, including other responders'; they must elevate
// again. The rules:
//   - "now" is AWS's clock: the HTTP Date header of IAM's answer to GetRolePolicy, never the workstation's (a
//     workstation running minutes slow would leave its own session alive).
//   - An existing policy is updated in place (GetRolePolicy, then PutRolePolicy): its other statements are kept as
//     they are, and its revoke statements — in any cut-off form AWS accepts (see parseCutoff) — are replaced by ONE
//     statement with the latest cut-off, so repeated revocations never move the date back nor multiply statements.
//   - A requested cut-off (--before) later than AWS's now by more than MAX_FUTURE_SKEW_MS is refused: it would also
//     deny sessions not issued yet (the responders' own re-elevation) until then. One older than the role's maximum
//     session duration is written but reported: every session issued before it has expired already.
//   - Every answer must really be IAM's (status, XML namespace, request id, Date header); a 200 from anything else —
//     a captive portal, a proxy's HTML page, another service — is an error, never "revoked".
//   - IAM is eventually consistent: the deny takes effect within a few minutes (PROPAGATION_NOTE).
import { GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { BreakGlassError, translateAwsError, type TranslatedError } from '../aws/errors';
import { parseRoleArn } from '../aws/partition';
import { parseDate } from '../policy/conditions';
import type { Session } from './types';
import type { SessionStore } from './store';

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';
/** The XML namespace of every IAM Query API answer (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html). */
export const IAM_XML_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** How far past AWS's now a requested cut-off may be (typing a time by hand, a clock a little fast). */
export const MAX_FUTURE_SKEW_MS = 2 * 60_000;
/** The longest session any role can issue (MaxSessionDuration's upper limit), used when the role's is unknown. */
export const AWS_MAX_SESSION_SECONDS = 43_200;
export const PROPAGATION_NOTE = 'IAM applies the deny within a few minutes (policy changes are eventually consistent), so a revoked session may keep working briefly.';

/** UTC ISO 8601 with seconds precision, the form the console writes: 2024-05-01T12:00:00Z. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A date as IAM's date condition operators accept it — the W3C profile of ISO 8601 (YYYY-MM, YYYY-MM-DD,
 * YYYY-MM-DDThh:mm[:ss[.s]] with Z or ±hh:mm) or epoch seconds, as a string or a JSON number
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date)
 * — in epoch milliseconds; undefined when it is none of these.
 */
export function parseCutoff(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d{4}-\d{2}$/.test(s)) return parseDate(`${s}-01`);
  return parseDate(s);
}

type Statement = Record<string, unknown>;

const isStar = (v: unknown) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');

/** The cut-off of a revoke statement (Deny * on * if aws:TokenIssueTime is before T), or undefined if it is not one. */
function revokeCutoff(s: Statement): number | undefined {
  if (s.Effect !== 'Deny' || !isStar(s.Action) || !isStar(s.Resource)) return undefined;
  if ('NotAction' in s || 'NotResource' in s || 'Principal' in s || 'NotPrincipal' in s) return undefined;
  const cond = s.Condition as Record<string, unknown> | undefined;
  if (!cond || typeof cond !== 'object') return undefined;
  const ops = Object.keys(cond);
  if (ops.length !== 1 || (ops[0] !== 'DateLessThan' && ops[0] !== 'DateLessThanEquals')) return undefined;
  const block = cond[ops[0]] as Record<string, unknown>;
  if (!block || typeof block !== 'object') return undefined;
  const keys = Object.keys(block);
  if (keys.length !== 1 || keys[0].toLowerCase() !== 'aws:tokenissuetime') return undefined;
  const raw = block[keys[0]];
  const values = (Array.isArray(raw) ? raw : [raw]).map(parseCutoff);
  if (!values.length || values.some((x) => x === undefined)) return undefined;
  // Several values are ORed: the statement denies what is before the latest. "≤ T" denies what "< T + 1 s" does
  // (token issue times have second precision).
  const latest = Math.max(...(values as number[]));
  return ops[0] === 'DateLessThanEquals' ? latest + 1000 : latest;
}

export interface ExistingRevokePolicy {
  /** Statements that are not revoke statements, kept as they are. */
  others: Statement[];
  /** The latest cut-off of its revoke statements (epoch ms), if it has any. */
  latestMs?: number;
  version?: string;
}

/** Reads an AWSRevokeOlderSessions document (as GetRolePolicy returns it, URL-encoded, or plain JSON). */
export function parseRevokePolicy(doc: string): ExistingRevokePolicy | undefined {
  let parsed: unknown;
  for (const text of [doc, safeDecode(doc)]) {
    try {
      parsed = JSON.parse(text);
      break;
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const p = parsed as { Version?: unknown; Statement?: unknown };
  const list = (Array.isArray(p.Statement) ? p.Statement : p.Statement ? [p.Statement] : []) as Statement[];
  const others: Statement[] = [];
  let latestMs: number | undefined;
  for (const s of list) {
    const cut = s && typeof s === 'object' ? revokeCutoff(s) : undefined;
    if (cut === undefined) others.push(s);
    else latestMs = latestMs === undefined ? cut : Math.max(latestMs, cut);
  }
  return { others, latestMs, version: typeof p.Version === 'string' ? p.Version : undefined };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The newest cut-off found in an existing revoke policy, as an ISO instant, if any. */
export function existingRevokeDate(doc: string): string | undefined {
  const ms = parseRevokePolicy(doc)?.latestMs;
  return ms === undefined ? undefined : isoSeconds(ms);
}

export function revokeStatement(issuedBefore: string): Statement {
  return { Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } } };
}

/** The policy to put: the kept statements of the existing policy, then the one revoke statement. */
export function revokePolicyDocument(issuedBefore: string, others: Statement[] = [], version = '2012-10-17'): string {
  return JSON.stringify({ Version: version, Statement: [...others, revokeStatement(issuedBefore)] });
}

// -------------------------------------------------------------------------------------------------------------
// IAM's answers, checked

interface RawResponse { statusCode: number; headers: Record<string, string | undefined>; body?: unknown }
interface RawRequest { protocol?: string; hostname?: string; port?: number }

function notIam(action: string, where: string, why: string, status: number): BreakGlassError {
  const e = new BreakGlassError({
    code: 'Unknown', awsCode: 'NotIamAnswer', title: 'Not an answer from IAM', retryable: false,
    message: `The answer to iam:${action} from ${where} is not IAM's (${why}), so nothing is known to have changed in AWS. `
      + 'Check the endpoint override (breakglass.endpointUrl, --endpoint-url, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL) and your network, '
      + 'or use "Revoke active sessions" on the role in the IAM console.',
  });
  // A 5xx page (a proxy or load balancer in trouble) is retried by the SDK like any 5xx; nothing else is.
  if (status >= 500) Object.assign(e, { $metadata: { httpStatusCode: status } });
  return e;
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Why a response is not IAM's, or undefined when it is: the root element and namespace, a request id, a Date. */
export function whyNotIam(action: string, status: number, headers: Record<string, string | undefined>, body: string): string | undefined {
  const type = headers['content-type'] ?? '';
  if (!/^(text|application)\/xml\b/i.test(type)) return `HTTP ${status} with content type ${JSON.stringify(type.slice(0, 40) || 'none')}, not XML`;
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z]+)\s+xmlns="([^"]*)"\s*>/.exec(body);
  const want = status >= 200 && status < 300 ? `${action}Response` : 'ErrorResponse';
  if (!root) return `HTTP ${status}: the body is not an IAM XML document`;
  if (root[1] !== want) return `HTTP ${status}: the document is <${root[1].slice(0, 40)}>, not <${want}>`;
  if (root[2] !== IAM_XML_NAMESPACE) return `HTTP ${status}: the XML namespace is not IAM's ${IAM_XML_NAMESPACE}`;
  if (!/<RequestId>[^<\s]+<\/RequestId>/.test(body)) return `HTTP ${status}: there is no request id`;
  if (!headers.date || Number.isNaN(Date.parse(headers.date))) return `HTTP ${status}: there is no Date header`;
  return undefined;
}

/**
 * Sends one IAM command and checks, on the wire, that the answer is IAM's (success or error alike). Resolves with the
 * output and AWS's clock (the Date header); rejects with a translated error, or a NotIamAnswer one.
 */
async function sendToIam<O>(
  iam: IAMClient, action: string, command: GetRolePolicyCommand | PutRolePolicyCommand | GetRoleCommand, roleArn: string, signal?: AbortSignal,
): Promise<{ output?: O; error?: unknown; awsNowMs: number }> {
  let awsNowMs: number | undefined;
  type Next = (args: { request: RawRequest }) => Promise<{ response: RawResponse; output?: unknown }>;
  const check = (next: Next) => async (args: { request: RawRequest }) => {
    const r = await next(args);
    const res = r.response;
    const body = await readBody(res.body);
    res.body = body; // the SDK's deserializer reads it next
    const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const why = whyNotIam(action, res.statusCode, headers, body.toString('utf8'));
    const req = args.request;
    if (why) throw notIam(action, `${req.protocol ?? 'https:'}//${req.hostname ?? '?'}${req.port ? `:${req.port}` : ''}`, why, res.statusCode);
    awsNowMs = Date.parse(headers.date as string);
    return r;
  };
  // Inside the SDK's deserializer: we see the raw response first, and every retry's.
  command.middlewareStack.addRelativeTo(check as never, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'breakglassIamAnswer', override: true });
  try {
    const output = await iam.send(command as never, { abortSignal: signal }) as O;
    // A client whose send() never reached the wire (a stub) gives nothing to check: not IAM's answer either.
    if (awsNowMs === undefined) throw notIam(action, 'this client', 'no HTTP response reached the check', 0);
    return { output, awsNowMs };
  } catch (e) {
    if (e instanceof BreakGlassError) throw e;
    // No answer at all (network, timeout, abort): translated here; an IAM error answer goes back to the caller.
    if (awsNowMs === undefined) throw new BreakGlassError(translateAwsError(e, { roleArn, operation: `iam:${action}` }));
    return { error: e, awsNowMs };
  }
}

// -------------------------------------------------------------------------------------------------------------

export interface AwsRevocation {
  roleArn: string;
  roleName: string;
  policyName: string;
  /** Sessions issued before this instant are denied. */
  issuedBefore: string;
  /** Whether an existing AWSRevokeOlderSessions policy was found (and updated). */
  updated: boolean;
  /** AWS's clock when the policy was read (the Date header of IAM's answer). */
  awsTime: string;
  /** How many statements of the existing policy other than revoke statements were kept. */
  keptStatements: number;
  /** Things the responder should know (an older-than-useful cut-off, a later cut-off kept, an unreadable policy). */
  warnings: string[];
  /** That IAM takes a few minutes to apply it. */
  note: string;
}

/** Puts or updates AWSRevokeOlderSessions on the role. Throws BreakGlassError (translated) on failure. */
export async function revokeInAws(
  iam: IAMClient,
  roleArn: string,
  opts: { before?: Date | string; roleMaxSessionDuration?: number; abortSignal?: AbortSignal } = {},
): Promise<AwsRevocation> {
  const role = parseRoleArn(roleArn);
  if (!role) {
    throw new BreakGlassError({ code: 'Unknown', title: 'Not a role ARN', retryable: false, message: `"${roleArn}" is not an IAM role ARN; use arn:aws:iam::111122223333:role/NAME.` });
  }
  let requestedMs: number | undefined;
  if (opts.before !== undefined) {
    requestedMs = opts.before instanceof Date ? opts.before.getTime() : parseCutoff(opts.before);
    if (requestedMs === undefined || Number.isNaN(requestedMs)) {
      throw new BreakGlassError({ code: 'Unknown', title: 'Bad instant', retryable: false, message: `"${String(opts.before)}" is not an instant AWS accepts; use ISO 8601 such as 2024-05-01T12:00:00Z (or epoch seconds).` });
    }
  }
  const warnings: string[] = [];

  // 1. The existing policy, and AWS's clock.
  const read = await sendToIam<{ PolicyDocument?: string }>(iam, 'GetRolePolicy',
    new GetRolePolicyCommand({ RoleName: role.roleName, PolicyName: REVOKE_POLICY_NAME }), roleArn, opts.abortSignal);
  const awsNow = read.awsNowMs;
  let existing: ExistingRevokePolicy | undefined;
  let unreadable = false;
  if (read.error) {
    const tr = translateAwsError(read.error, { roleArn, operation: 'iam:GetRolePolicy' });
    if (tr.code === 'AccessDenied') unreadable = true;
    else if (tr.code !== 'NoSuchEntity') throw new BreakGlassError(tr);
  } else {
    existing = parseRevokePolicy(read.output?.PolicyDocument ?? '');
    if (!existing) {
      throw new BreakGlassError({ code: 'Unknown', title: 'Unreadable policy', retryable: false,
        message: `The existing ${REVOKE_POLICY_NAME} policy on ${role.roleName} is not a JSON policy document, so it was left as it is. Fix or delete it in the IAM console, then revoke again.` });
    }
  }

  // 2. The cut-off: the requested one (or AWS's now, to the next whole second: the Date header has second precision,
  // so a session issued during that second is also covered), never later than now + skew, and never earlier than the
  // existing policy's.
  let cutMs = requestedMs === undefined ? Math.floor(awsNow / 1000) * 1000 + 1000 : Math.ceil(requestedMs / 1000) * 1000;
  if (requestedMs !== undefined && cutMs > awsNow + MAX_FUTURE_SKEW_MS) {
    throw new BreakGlassError({ code: 'Unknown', title: 'Cut-off in the future', retryable: false,
      message: `${isoSeconds(cutMs)} is later than AWS's current time ${isoSeconds(awsNow)}: it would also deny sessions not issued yet, including your own next elevation, until then. Give a past instant, or leave it out to revoke everything issued until now.` });
  }
  if (unreadable) {
    if (requestedMs !== undefined && cutMs < awsNow) {
      throw new BreakGlassError({ code: 'AccessDenied', title: 'Cannot read the existing policy', retryable: false,
        message: `You lack iam:GetRolePolicy on ${role.roleName}, so a cut-off earlier than now could move back a later one a colleague set and re-allow their revoked sessions. Leave out the cut-off to revoke everything issued until now, or ask for iam:GetRolePolicy.` });
    }
    warnings.push(`Could not read the existing ${REVOKE_POLICY_NAME} policy (no iam:GetRolePolicy): if it had other statements, they were replaced.`);
  }
  if (requestedMs !== undefined) {
    const maxSession = opts.roleMaxSessionDuration ?? await roleMaxSession(iam, roleArn, role.roleName, opts.abortSignal);
    const seconds = maxSession ?? AWS_MAX_SESSION_SECONDS;
    if (cutMs < awsNow - seconds * 1000) {
      warnings.push(`${isoSeconds(cutMs)} is more than ${seconds / 3600} h (${maxSession ? "the role's maximum session duration" : "the longest session AWS issues"}) before AWS's current time ${isoSeconds(awsNow)}: every session issued before it has expired already, so this revokes nothing that is still alive.`);
    }
  }
  if (existing?.latestMs !== undefined && existing.latestMs > cutMs) {
    cutMs = Math.ceil(existing.latestMs / 1000) * 1000;
    warnings.push(`Kept the existing later cut-off ${isoSeconds(cutMs)}.`);
    if (cutMs > awsNow + MAX_FUTURE_SKEW_MS) {
      warnings.push(`That cut-off is in the future (AWS's time is ${isoSeconds(awsNow)}): new sessions of ${role.roleName} are denied until then. Edit ${REVOKE_POLICY_NAME} in the IAM console if that is not intended.`);
    }
  }
  const issuedBefore = isoSeconds(cutMs);

  // 3. Write it.
  const written = await sendToIam(iam, 'PutRolePolicy', new PutRolePolicyCommand({
    RoleName: role.roleName, PolicyName: REVOKE_POLICY_NAME,
    PolicyDocument: revokePolicyDocument(issuedBefore, existing?.others ?? [], existing?.version),
  }), roleArn, opts.abortSignal);
  if (written.error) {
    const tr = translateAwsError(written.error, { roleArn, operation: 'iam:PutRolePolicy' });
    if (tr.code === 'AccessDenied') {
      throw new BreakGlassError({
        ...tr,
        title: 'Cannot revoke in AWS',
        message: `You lack iam:PutRolePolicy on ${role.roleName}, so the sessions could not be revoked in AWS. Ask an IAM administrator to use "Revoke active sessions" on the role in the IAM console now.`,
      });
    }
    throw new BreakGlassError(tr);
  }
  return {
    roleArn, roleName: role.roleName, policyName: REVOKE_POLICY_NAME, issuedBefore, updated: existing !== undefined,
    awsTime: isoSeconds(awsNow), keptStatements: existing?.others.length ?? 0, warnings, note: PROPAGATION_NOTE,
  };
}

/** The role's MaxSessionDuration from iam:GetRole, or undefined when it cannot be read. */
async function roleMaxSession(iam: IAMClient, roleArn: string, roleName: string, signal?: AbortSignal): Promise<number | undefined> {
  const r = await sendToIam<{ Role?: { MaxSessionDuration?: number } }>(iam, 'GetRole', new GetRoleCommand({ RoleName: roleName }), roleArn, signal);
  return r.output?.Role?.MaxSessionDuration;
}

export interface RevokeResult {
  session?: Session;
  aws?: { ok: true; revocation: AwsRevocation } | { ok: false; error: TranslatedError };
}

/**
 * Revokes a session: locally first (always, immediately), then — when `iam` is given — in AWS. A failed AWS
 * revocation is reported, never thrown, and never undoes the local one.
 */
export async function revokeSession(
  sessionId: string,
  deps: { store: SessionStore; iam?: IAMClient; endpoints?: { unregister(id: string): void } },
): Promise<RevokeResult> {
  deps.endpoints?.unregister(sessionId);
  const session = await deps.store.markRevoked(sessionId);
  if (!deps.iam || !session) return { session };
  try {
    const revocation = await revokeInAws(deps.iam, session.roleArn);
    return { session, aws: { ok: true, revocation } };
  } catch (e) {
    return { session, aws: { ok: false, error: translateAwsError(e, { roleArn: session.roleArn }) } };
  }
}
