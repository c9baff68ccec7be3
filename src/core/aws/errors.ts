// Translation of AWS / SDK errors into what a responder under pressure needs: what happened and what to do, in one or
// two sentences, plus whether trying again can help. Raw SDK errors carry stack traces, request ids and sometimes
// echo request parameters; none of that reaches the message (unknown messages are redacted and truncated).
//
// Error texts matched here are the ones STS/IAM actually return, e.g.
//   AccessDenied  "MultiFactorAuthentication failed with invalid MFA one time pass code."        (wrong or reused code)
//   AccessDenied  "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
//   AccessDenied  "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: …"
//   ValidationError "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
//   ValidationError "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
//   PackedPolicyTooLarge "Packed policy consumes 112% of allotted space, please use smaller policy."
//   SignatureDoesNotMatch "Signature expired: 20160609T184512Z is now earlier than … (… - 15 min.)"
import { redact } from '../log';

export type ErrorCode =
  | 'MfaInvalid'
  | 'MfaReused'
  | 'MfaRequired'
  | 'TrustRefused'
  | 'TrustPolicyIncomplete'
  | 'AccessDenied'
  | 'ExpiredCredentials'
  | 'InvalidCredentials'
  | 'NoCredentials'
  | 'PolicyTooLarge'
  | 'DurationTooLong'
  | 'RoleChainingLimit'
  | 'Throttled'
  | 'NetworkUnreachable'
  | 'ClockSkew'
  | 'RegionDisabled'
  | 'NoSuchEntity'
  | 'Aborted'
  | 'Unknown';

export interface TranslatedError {
  code: ErrorCode;
  /** A few words, for a notification title or a status line. */
  title: string;
  /** One or two sentences: what happened, then what to do. Never a stack trace or a secret. */
  message: string;
  /** Whether the same request may succeed if tried again (possibly with a fresh MFA code). */
  retryable: boolean;
  /** The AWS error code or Node error code, for the audit log and debugging. */
  awsCode?: string;
}

/** What the caller was doing, so the message can name the role or the requested duration. */
export interface ErrorContext {
  operation?: string;
  roleArn?: string;
  durationSeconds?: number;
  /** Whether an MFA code was sent with the request. */
  tokenCodeSent?: boolean;
}

/** An Error carrying its translation; thrown by core functions that talk to AWS. */
export class BreakGlassError extends Error {
  constructor(readonly translated: TranslatedError) {
    super(translated.message);
    this.name = 'BreakGlassError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** Extracts the AWS error code, the message and a Node error code from anything thrown. */
export function errorFacts(err: unknown): { code?: string; message: string; nodeCode?: string; status?: number } {
  if (err instanceof BreakGlassError) return { code: err.translated.awsCode, message: err.message };
  if (typeof err !== 'object' || err === null) return { message: String(err ?? '') };
  const e = err as Record<string, unknown> & { $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const nodeCode = str(e.code) ?? str((e.cause as Record<string, unknown> | undefined)?.code);
  let code = str(e.Code) ?? str(e.name);
  if (code === 'Error' || code === 'TypeError') code = undefined;
  return { code, message: str(e.message) ?? '', nodeCode, status: e.$metadata?.httpStatusCode };
}

function t(code: ErrorCode, title: string, message: string, retryable: boolean, awsCode?: string): TranslatedError {
  return awsCode ? { code, title, message, retryable, awsCode } : { code, title, message, retryable };
}

/** The short role name from an ARN, for messages. */
function roleLabel(ctx: ErrorContext): string {
  if (!ctx.roleArn) return 'the role';
  const name = ctx.roleArn.split('/').pop();
  return name ? `role ${name}` : 'the role';
}

/**
 * Text that came from a server (or anyone else) made safe for a terminal and a notification: C0/C1 control characters
 * (escape sequences that could move the cursor, rewrite a line or set a window title), DEL and bidirectional overrides
 * become spaces, runs of whitespace are collapsed.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Translates any error thrown while talking to AWS. Never throws. Every text is terminal-safe. */
export function translateAwsError(err: unknown, ctx: ErrorContext = {}): TranslatedError {
  if (err instanceof BreakGlassError) return err.translated;
  const tr = translate(err, ctx);
  const safe: TranslatedError = { ...tr, title: terminalSafe(tr.title), message: terminalSafe(tr.message) };
  if (tr.awsCode !== undefined) safe.awsCode = terminalSafe(tr.awsCode).slice(0, 100);
  return safe;
}

/**
 * The statement a break-glass role's trust policy needs: Break Glass tags every session (IncidentId, SessionPolicyType,
 * Requester) and sets its SourceIdentity, which AWS only accepts when the trust policy also allows sts:TagSession and
 * sts:SetSourceIdentity (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms).
 */
export const TRUST_POLICY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] as const;

function translate(err: unknown, ctx: ErrorContext): TranslatedError {
  if (err instanceof BreakGlassError) return err.translated;
  const { code, message, nodeCode, status } = errorFacts(err);
  const msg = message;
  const awsCode = code ?? nodeCode;
  const role = roleLabel(ctx);

  // Cancelled by the user (AbortSignal) — checked first: an abort can surface as any error shape.
  if (code === 'AbortError' || nodeCode === 'ABORT_ERR' || /\baborted\b/i.test(msg) && !code) {
    return t('Aborted', 'Cancelled', 'The request was cancelled before AWS answered. Nothing was granted; start again when ready.', true, awsCode);
  }

  if (/MultiFactorAuthentication failed.*must provide both MFA serial number and one time pass code/i.test(msg)) {
    return t('MfaRequired', 'MFA required',
      `The trust policy of ${role} requires MFA, but no MFA device and code were sent. Choose your MFA device (mfa_serial) and enter the current 6-digit code.`,
      true, awsCode);
  }
  if (/already (?:been )?used|one time pass code.*(?:re-?used|replay)/i.test(msg)) {
    return t('MfaReused', 'MFA code already used',
      'That MFA code was already used; AWS accepts each code only once. Wait for your device to show the next code and try again.',
      true, awsCode);
  }
  if (/MultiFactorAuthentication failed/i.test(msg)) {
    return t('MfaInvalid', 'MFA code rejected',
      'AWS rejected the MFA code: it is wrong, expired, already used, or belongs to another MFA device. Wait for the next code on the device registered as your mfa_serial and try again.',
      true, awsCode);
  }

  if (code === 'ExpiredToken' || code === 'ExpiredTokenException' || code === 'TokenRefreshRequired' || /security token included in the request is expired/i.test(msg)) {
    return t('ExpiredCredentials', 'Base credentials expired',
      'Your base AWS credentials have expired. Sign in again (e.g. `aws sso login` or refresh your profile) and retry.',
      true, awsCode);
  }
  if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired' || /Signature expired|time.*too skewed/i.test(msg)) {
    return t('ClockSkew', 'Clock out of sync',
      'AWS refused the request because this computer\'s clock is too far off (more than 5 minutes). Synchronise the system clock (NTP) and try again.',
      true, awsCode);
  }
  if (code === 'InvalidClientTokenId' || code === 'SignatureDoesNotMatch' || code === 'UnrecognizedClientException' || code === 'IncompleteSignature' || code === 'InvalidAccessKeyId') {
    return t('InvalidCredentials', 'Base credentials invalid',
      'AWS did not recognise your base credentials (access key unknown, deactivated, or secret wrong). Check the profile or environment variables you are using and try again.',
      false, awsCode);
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials from any providers/i.test(msg)) {
    return t('NoCredentials', 'No base credentials',
      'No AWS base credentials were found. Choose a profile (or set AWS_PROFILE / AWS_ACCESS_KEY_ID) that is allowed to assume the break-glass role.',
      false, awsCode);
  }

  if (code === 'PackedPolicyTooLarge') {
    const pct = /(\d+)\s*%/.exec(msg)?.[1];
    const what = /session tags/i.test(msg) ? 'the session tags' : 'the session policy';
    return t('PolicyTooLarge', 'Session policy too large',
      `AWS packs the session policy, managed policy ARNs and session tags into the token, and ${what} used ${pct ? `${pct}% of the allowed space` : 'more than the allowed space'}. Use fewer statements or wildcard actions (e.g. "ec2:Describe*"), fewer managed policy ARNs, or shorter tags.`,
      false, awsCode);
  }
  if (/DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining/i.test(msg)) {
    return t('RoleChainingLimit', 'Role chaining: 1 hour maximum',
      'Your base credentials are themselves a role session, and AWS limits a role assumed from a role (role chaining) to 1 hour. Request 1 hour or less, or use long-term or SSO base credentials.',
      false, awsCode);
  }
  if (/DurationSeconds exceeds the MaxSessionDuration/i.test(msg)) {
    return t('DurationTooLong', 'Duration over the role maximum',
      `The requested duration${ctx.durationSeconds ? ` (${ctx.durationSeconds} s)` : ''} is longer than the MaxSessionDuration of ${role}. Request a shorter duration, or ask an administrator to raise the role's maximum session duration.`,
      false, awsCode);
  }
  if (code === 'RegionDisabledException' || /STS is not activated in this region/i.test(msg)) {
    return t('RegionDisabled', 'STS disabled in region',
      'STS is not activated for this region in the account. Choose another region (e.g. us-east-1) or ask an administrator to activate the region in IAM account settings.',
      false, awsCode);
  }
  if (code && THROTTLING.has(code) || status === 429 || /Rate exceeded/i.test(msg)) {
    return t('Throttled', 'Throttled by AWS',
      'AWS is throttling requests (rate exceeded). Wait a few seconds and try again.',
      true, awsCode);
  }
  if (code === 'TimeoutError' || code === 'RequestTimeout' || nodeCode && NETWORK_CODES.has(nodeCode) || code && NETWORK_CODES.has(code)) {
    return t('NetworkUnreachable', 'AWS unreachable',
      `Could not reach the AWS endpoint (${nodeCode ?? code}). Check the network, VPN or proxy, and the endpoint URL setting, then try again.`,
      true, awsCode);
  }
  if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') {
    return t('NoSuchEntity', 'Not found',
      `AWS says ${role === 'the role' ? 'the requested entity' : role} does not exist. Check the role ARN (account id, path and name).`,
      false, awsCode);
  }
  if (code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'UnauthorizedOperation' || status === 403) {
    const action = /perform:\s*([\w-]+:\w+)/.exec(msg)?.[1];
    if (action === 'sts:TagSession' || action === 'sts:SetSourceIdentity') {
      return t('TrustPolicyIncomplete', `Trust policy lacks ${action}`,
        `The trust policy of ${role} allows sts:AssumeRole but not ${action}, which Break Glass needs to ${action === 'sts:TagSession' ? 'tag the session with the incident and requester' : 'record who you are as the SourceIdentity'}; add it to the statement that trusts you: "Action": ${JSON.stringify(TRUST_POLICY_ACTIONS)}.`,
        false, awsCode);
    }
    if (action === 'sts:AssumeRole' || /not authorized to perform: sts:AssumeRole/i.test(msg)) {
      if (ctx.tokenCodeSent === false) {
        return t('MfaRequired', 'MFA probably required',
          `AWS refused to let you assume ${role}; break-glass roles usually require MFA and no code was sent. Choose your MFA device and enter the current 6-digit code, or check that the role's trust policy names your identity.`,
          true, awsCode);
      }
      return t('TrustRefused', 'Role trust refused',
        `The trust policy of ${role} does not allow your identity to assume it (or an SCP/permissions boundary blocks sts:AssumeRole). Check that you use the right base profile, or ask the role's owner to add you to its trust policy.`,
        false, awsCode);
    }
    return t('AccessDenied', 'Access denied',
      `AWS denied ${action ?? ctx.operation ?? 'the request'}: your identity lacks this permission. Ask an administrator to grant ${action ?? 'it'}, or use a profile that has it.`,
      false, awsCode);
  }

  const clean = terminalSafe(redact(msg.split('\n')[0] ?? '')).slice(0, 300);
  return t('Unknown', 'AWS request failed',
    `${ctx.operation ?? 'The AWS request'} failed${awsCode ? ` (${awsCode})` : ''}${clean ? `: ${clean.replace(/\.$/, '')}` : ''}. Check the Break Glass log, then try again.`,
    status === undefined || status >= 500, awsCode);
}

/** Whether an error is STS/IAM throttling (the only error an MFA AssumeRole may be retried on). */
export function isThrottling(err: unknown): boolean {
  const { code, status } = errorFacts(err);
  return Boolean(code && THROTTLING.has(code)) || status === 429;
}
