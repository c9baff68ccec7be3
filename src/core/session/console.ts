// The AWS Management Console for a live session (federation sign-in) and, for break-glass IAM users who have no
// access keys by design, a switch-role link.
//
// Federation ("Enable custom identity broker access to the AWS console",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):
//   1. GET <partition sign-in>/federation?Action=getSigninToken&SessionDuration=N&Session={"sessionId","sessionKey",
//      "sessionToken"} → {"SigninToken":"…"};
//   2. <partition sign-in>/federation?Action=login&Issuer=…&Destination=<console URL>&SigninToken=… (valid 15 min).
// SessionDuration (credentials from AssumeRole*): 900–43200 s, the console session's length. The same page says a role
// session assumed with DurationSeconds from anything but an IAM user's long-term credentials (role chaining, which is
// what a GetSessionToken-derived session is) makes the federation call fail: such a session is 'chained' here, and
// getSigninToken is then sent without SessionDuration (the console session takes the credentials' own lifetime) —
// as Teleport found against real AWS (gravitational/teleport#9792: temporary credentials sign in only without it).
// The token request is a form POST (accepted by the endpoint, e.g. vouch-sh/vouch#240), so the credentials are in the
// body, not in a URL that a proxy might log.
//
// Partition sign-in hosts: aws → signin.aws.amazon.com (page above); aws-cn → signin.amazonaws.cn (the China edition of
// the same page, https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html);
// aws-us-gov → signin.amazonaws-us-gov.com (AWS GovCloud (US) User Guide, IAM,
// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-iam.html, and AWS's own toolkit's
// AwsConsoleUrlFactory in aws/aws-toolkit-jetbrains).
//
// The sign-in URL is a credential: whoever opens it has the session's console access until the console session ends,
// and a console session is NOT ended by a local wipe (revoke/expiry here only forgets the keys). Only AWS-side
// revocation (the role's AWSRevokeOlderSessions deny) cuts it. This module never logs it, and returns it only to the
// caller that opens it.
import { parseRoleArn, type Partition } from '../aws/partition';
import { BreakGlassError } from '../aws/errors';
import type { Session, SessionCredentials } from './types';

export const CONSOLE_MIN_SESSION = 900;
export const CONSOLE_MAX_SESSION = 43200;

const SIGNIN_HOST: Record<Partition, string> = {
  aws: 'https://signin.aws.amazon.com',
  'aws-cn': 'https://signin.amazonaws.cn',
  'aws-us-gov': 'https://signin.amazonaws-us-gov.com',
};

const CONSOLE_HOST: Record<Partition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** The console path a playbook's phase starts from. */
const PLAYBOOK_SERVICE: Record<string, string> = {
  read_only_investigation: 'cloudtrailv2/home#/events',
  containment_actions: 'ec2/home#Instances:',
  forensics_collection: 'ec2/home#Snapshots:',
  emergency_admin: 'iam/home#/roles',
};

/** Environment variable (read from the extension host's or the CLI's own process) that points sign-in at a test endpoint. */
export const SIGNIN_ENDPOINT_ENV = 'BREAKGLASS_SIGNIN_ENDPOINT';

/**
 * The sign-in base URL for a partition. An override exists for tests only: it must be a loopback http(s) URL, so no
 * setting or environment can send credentials to another host.
 */
export function signinBase(partition: Partition, override?: string): string {
  const o = override?.trim();
  if (!o) return SIGNIN_HOST[partition];
  let u: URL;
  try {
    u = new URL(o);
  } catch {
    throw new BreakGlassError({ code: 'Unknown', title: 'Invalid sign-in endpoint', retryable: false, message: `The sign-in endpoint override "${o}" is not a URL; remove it (it exists for tests only).` });
  }
  if (!/^https?:$/.test(u.protocol) || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    throw new BreakGlassError({ code: 'Unknown', title: 'Sign-in endpoint refused', retryable: false, message: `The sign-in endpoint override must be a loopback address (it exists for tests only), not ${u.host}. Remove ${SIGNIN_ENDPOINT_ENV} / breakglass.console.signinEndpoint.` });
  }
  return o.replace(/\/+$/, '');
}

/** The console URL to land on: an explicit destination (a console URL or a path like "s3/home"), or the playbook's service. */
export function consoleDestination(partition: Partition, region: string, playbook: string, override?: string): string {
  const host = CONSOLE_HOST[partition];
  const o = override?.trim();
  if (o && /^https:\/\//.test(o)) {
    const u = new URL(o);
    if (u.hostname !== host && !u.hostname.endsWith(`.${host}`)) {
      throw new BreakGlassError({ code: 'Unknown', title: 'Destination refused', retryable: false, message: `The console destination must be on ${host} (the session's partition), not ${u.hostname}.` });
    }
    return o;
  }
  const p = (o || PLAYBOOK_SERVICE[playbook] || 'console/home').replace(/^\/+/, '');
  const [pathPart, hash] = p.split('#');
  const sep = pathPart.includes('?') ? '&' : '?';
  return `https://${region}.${host}/${pathPart}${sep}region=${encodeURIComponent(region)}${hash !== undefined ? `#${hash}` : ''}`;
}

/** 'role': assumed with long-term keys; 'chained': with temporary ones; 'auto': unknown — try 'role', then 'chained'. */
export type ConsoleSessionKind = 'role' | 'chained' | 'auto';

/**
 * SessionDuration for getSigninToken: the session's remaining time, within AWS's 900–43200 s, or undefined for a
 * chained session (must not be given). `notes` says when the console will outlive the session.
 */
export function consoleSessionDuration(kind: Exclude<ConsoleSessionKind, 'auto'>, remainingSeconds: number): { seconds?: number; notes: string[] } {
  if (kind === 'chained') {
    return { notes: ['This session was assumed with temporary credentials (role chaining), so AWS decides the console session\'s length; it is at most the session\'s own.'] };
  }
  const s = Math.floor(remainingSeconds);
  if (s < CONSOLE_MIN_SESSION) {
    return { seconds: CONSOLE_MIN_SESSION, notes: [`The session has less than 15 minutes left, but AWS's shortest console session is 15 minutes: the console stays signed in up to ${Math.ceil((CONSOLE_MIN_SESSION - Math.max(s, 0)) / 60)} min after the session ends.`] };
  }
  return { seconds: Math.min(s, CONSOLE_MAX_SESSION), notes: [] };
}

export interface ConsoleRequest {
  session: Pick<Session, 'roleArn' | 'region' | 'playbook' | 'expiresAt' | 'incidentId' | 'state'>;
  credentials: SessionCredentials;
  /** 'chained' when the session was assumed with temporary credentials (e.g. an MFA session). Default 'auto'. */
  kind?: ConsoleSessionKind;
  /** A console URL on the partition's console host, or a path like "s3/home". Default: the playbook's service. */
  destination?: string;
  /** Loopback test endpoint only (see signinBase). */
  signinEndpoint?: string;
  /** Shown on the console's sign-out page: who issued the link. */
  issuer?: string;
  now?: number;
  fetch?: typeof fetch;
  abortSignal?: AbortSignal;
}

export interface ConsoleLink {
  /** The sign-in URL: a credential. Open it; never log, store or display it. */
  url: string;
  destination: string;
  sessionDurationSeconds?: number;
  notes: string[];
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Federation sign-in for a live session: one getSigninToken request, then the login URL. */
export async function consoleSignIn(req: ConsoleRequest): Promise<ConsoleLink> {
  const role = parseRoleArn(req.session.roleArn);
  if (!role) throw new BreakGlassError({ code: 'Unknown', title: 'Not a role session', retryable: false, message: `${req.session.roleArn} is not a role ARN.` });
  const now = req.now ?? Date.now();
  const remaining = (Date.parse(req.session.expiresAt) - now) / 1000;
  if (!(remaining > 0) || req.session.state === 'expired' || req.session.state === 'revoked') {
    throw new BreakGlassError({ code: 'ExpiredCredentials', title: 'Session ended', retryable: false, message: `The session for ${req.session.incidentId} has ended; elevate again to open the console.` });
  }
  const base = signinBase(role.partition, req.signinEndpoint);
  const destination = consoleDestination(role.partition, req.session.region, req.session.playbook, req.destination);
  const kind = req.kind ?? 'auto';
  const first = await requestSigninToken(base, req, consoleSessionDuration(kind === 'chained' ? 'chained' : 'role', remaining));
  // Unknown kind and AWS refused SessionDuration: the session is chained (its base credentials were temporary). A
  // getSigninToken carries no MFA code, so asking again without SessionDuration spends nothing.
  const answer = !first.token && kind === 'auto' && first.status === 400
    ? await requestSigninToken(base, req, consoleSessionDuration('chained', remaining))
    : first;
  const { token, duration } = answer;
  if (!token) {
    const status = answer.status;
    const why = status === 400 || status === 401 || status === 403
      ? (kind !== 'role'
        ? 'AWS refused to sign this session in. Sessions assumed with temporary credentials (several accounts on one MFA code, or a role-chained profile) cannot always open the console; elevate into this account directly.'
        : 'AWS refused the session\'s credentials (expired, revoked on AWS, or the role denies sign-in). Elevate again.')
      : `The sign-in endpoint answered HTTP ${status} without a sign-in token; try again in a minute.`;
    throw new BreakGlassError({ code: 'AccessDenied', title: 'Console sign-in refused', retryable: status >= 500, message: why });
  }
  const login = new URLSearchParams({ Action: 'login', Issuer: req.issuer ?? 'Break Glass', Destination: destination, SigninToken: token });
  return { url: `${base}/federation?${login.toString()}`, destination, sessionDurationSeconds: duration.seconds, notes: duration.notes };
}

async function requestSigninToken(base: string, req: ConsoleRequest, duration: { seconds?: number; notes: string[] }): Promise<{ token?: string; status: number; duration: { seconds?: number; notes: string[] } }> {
  const session = JSON.stringify({ sessionId: req.credentials.accessKeyId, sessionKey: req.credentials.secretAccessKey, sessionToken: req.credentials.sessionToken });
  // POST keeps the credentials out of the request line (proxies and server logs record URLs, not bodies).
  const form = new URLSearchParams({ Action: 'getSigninToken', ...(duration.seconds ? { SessionDuration: String(duration.seconds) } : {}), Session: session });
  const doFetch = req.fetch ?? fetch;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = req.abortSignal ? AbortSignal.any([req.abortSignal, timeout]) : timeout;
  let res: Response;
  try {
    res = await doFetch(`${base}/federation`, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, signal, redirect: 'error' });
  } catch (e) {
    const aborted = (e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError';
    throw new BreakGlassError({
      code: aborted ? 'Aborted' : 'NetworkUnreachable', title: aborted ? 'Console sign-in cancelled' : 'AWS sign-in unreachable', retryable: !aborted,
      message: aborted ? 'The sign-in request was cancelled or timed out; nothing was opened.' : `Could not reach ${new URL(base).host}; check your network or proxy and try again.`,
    });
  }
  const text = await res.text();
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  return { token: res.ok && typeof token === 'string' && token ? token : undefined, status: res.status, duration };
}

/** What the responder is told before a console opens. */
export function consoleWarning(session: Pick<Session, 'incidentId' | 'roleName' | 'expiresAt'>): string {
  return `The console sign-in link grants ${session.roleName} access for ${session.incidentId} until the console session ends ` +
    `(at most ${new Date(session.expiresAt).toLocaleTimeString()}). Revoking or wiping the session here does not sign the console out: ` +
    'only "Revoke Session" with "also on AWS" (the role\'s AWSRevokeOlderSessions deny) ends it early. The link is never logged or stored.';
}

// --- switch-role links (IAM users who sign in to the console, with no access keys) ---

/** Risk → the switch-role page's colour choices (hex without '#', as the console's Switch Role form uses). */
export const SWITCH_ROLE_COLORS = { low: '99BCE3', medium: 'FAD791', high: 'F2B0A9' } as const;
export type RiskLevel = keyof typeof SWITCH_ROLE_COLORS;

/**
 * A link to the console's Switch Role page with the account, role (with its path, as the IAM console's "Link to switch
 * roles in console" writes it), display name and colour filled in
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html).
 * Not a credential: it only fills in the form; the user's own console sign-in authorises the switch.
 */
export function switchRoleUrl(roleArn: string, displayName: string, risk: RiskLevel = 'high', signinEndpoint?: string): string {
  const role = parseRoleArn(roleArn);
  if (!role) throw new BreakGlassError({ code: 'Unknown', title: 'Not a role ARN', retryable: false, message: `${roleArn} is not an IAM role ARN.` });
  const roleName = `${role.path.replace(/^\//, '')}${role.roleName}`;
  // The console's display name is at most 64 characters.
  const q = new URLSearchParams({ account: role.accountId, roleName, displayName: displayName.slice(0, 64), color: SWITCH_ROLE_COLORS[risk] });
  return `${signinBase(role.partition, signinEndpoint)}/switchrole?${q.toString()}`;
}
