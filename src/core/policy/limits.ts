// STS AssumeRole limits, as constants and small validators, so the pre-flight check (planElevation) can refuse a
// request locally, with a precise message, instead of spending the responder's single-use MFA code on a request that
// STS would reject.
//
// Sources (AWS STS API Reference, AssumeRole, "Request Parameters"; IAM User Guide, "IAM and AWS STS quotas"):
// - DurationSeconds: 900 s minimum, up to the role's MaxSessionDuration (1–12 h, i.e. at most 43,200 s). "If you
//   assume a role using role chaining and provide a DurationSeconds parameter value greater than one hour, the
//   operation fails" (ValidationError "The requested DurationSeconds exceeds the 1 hour session limit for roles
//   assumed by role chaining").
// - Policy / PolicyArns: "You can provide up to 10 managed policy ARNs. However, the plaintext that you use for both
//   inline and managed session policies can't exceed 2,048 characters." The policy characters may be any of
//   \u0020–\u00FF plus tab, line feed and carriage return. Separately, STS compresses the inline policy, the managed
//   policy ARNs and the session tags into a packed binary form with its own limit (PackedPolicyTooLarge, reported as
//   a percentage): that one cannot be computed locally, so it is only translated after the fact (aws/errors.ts).
// - Tags: at most 50 session tags; key 1–128 and value 0–256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@].
// - RoleSessionName and SourceIdentity: 2–64 characters of [\w+=,.@-]; SourceIdentity may not start with "aws:".
// - TokenCode: exactly 6 digits. SerialNumber: 9–256 characters of [\w+=/:,.@-].
import type { PolicyDocument } from './types';

export const MIN_DURATION = 900;
export const MAX_DURATION = 43200;
/** Role chaining (base credentials are themselves a role session) caps a session at one hour. */
export const ROLE_CHAINING_MAX_DURATION = 3600;
/** Default for a role whose MaxSessionDuration was never changed. */
export const DEFAULT_ROLE_MAX_SESSION_DURATION = 3600;
export const MAX_POLICY_ARNS = 10;
export const MAX_SESSION_POLICY_PLAINTEXT = 2048;
export const MAX_SESSION_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const TAG_CHARSET = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
export const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
export const MFA_TOKEN_CODE = /^\d{6}$/;
export const MFA_SERIAL = /^[\w+=/:,.@-]{9,256}$/;
/** Characters STS accepts in a session policy document. */
export const POLICY_CHARSET = /^[\u0020-\u00FF\t\n\r]*$/;

/** A session policy minified the way it is sent (JSON.stringify without whitespace). */
export function minifyPolicy(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}

/**
 * The number of plaintext characters AWS counts against the 2,048-character session-policy limit: the minified
 * inline policy plus the managed policy ARNs passed in PolicyArns.
 */
export function sessionPolicyPlaintextSize(policy: PolicyDocument | undefined, arns: string[]): number {
  const inline = policy ? minifyPolicy(policy).length : 0;
  return arns.reduce((n, arn) => n + arn.length, inline);
}

/** Human duration: 3600 → "1 h", 5400 → "1 h 30 min", 900 → "15 min". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  if (h && m) return `${h} h ${m} min`;
  if (h) return `${h} h`;
  return `${m} min`;
}
