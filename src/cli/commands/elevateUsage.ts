// `breakglass elevate`'s usage text and option table (data for the adapter in elevate.ts).
import { UsageError } from '../io';
import type { Parsed } from '../args';
import { FULL_PERMISSIONS } from '../../core/playbooks';
import { SESSION_POLICY_TEMPLATES } from '../../core/templates';

export const ELEVATE_USAGE = `usage: breakglass elevate --role-arn ARN --playbook NAME|FILE --incident ID --justification TEXT
                          (--json | --export | --exec -- COMMAND [ARGS…]) [options]

Assume a pre-provisioned break-glass role with MFA, a least-privilege session policy (the playbook) and a time box.
Before any MFA code is asked for, the base credentials are checked (sts:GetCallerIdentity), the role's maximum session
is learned (iam:GetRole, when allowed) and the audit log is opened; then exactly one sts:AssumeRole call is made.
Every request, grant and failure is appended to the audit log.

Required:
  --role-arn ARN          the break-glass role, e.g. arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER
  --playbook NAME|FILE    ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')},
                          a JSON session-policy file, a managed policy ARN, or ${FULL_PERMISSIONS}
  --incident ID           incident id, e.g. INC-2024-001
  --justification TEXT    why break-glass access is needed

Output (one of):
  --json                  the new session's credentials once, as JSON in the credential_process format
                          ({"Version":1,"AccessKeyId",…}); not usable AS a credential_process (it needs an MFA
                          code each time) — for ~/.aws/config use 'breakglass credential-process'
  --export                shell export lines (eval "$(breakglass elevate … --export)")
  --exec -- CMD [ARGS…]   run CMD with the session's credentials; exits with its exit code

The MFA code (never needs to be on the command line):
  on a terminal           asked for after the checks, not echoed
  --token-code -          read one line from stdin (e.g. from a password manager: pass otp … | breakglass elevate …)
  $BREAKGLASS_MFA_CODE    taken from the environment
  --token-code CODE       on the command line (visible to other users in the process list: avoid)

Options:
  --duration SECONDS      session length (default: the playbook's maximum; clamped to the role's maximum)
  --mfa-serial ARN        MFA device (default: the profile's mfa_serial, or $BREAKGLASS_MFA_SERIAL)
  --requester NAME        who asks (default: $BREAKGLASS_REQUESTER, else your identity from sts:GetCallerIdentity)
  --profile NAME          base credentials profile (default: environment keys, $AWS_PROFILE, the default chain)
  --region REGION         STS region (default: the profile's, $AWS_REGION, or us-east-1)
  --endpoint-url URL      AWS endpoint override (also AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS)
  --audit-log FILE        audit log (default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl)
  --role-max-duration S   the role's MaxSessionDuration, when iam:GetRole is not allowed (otherwise at most 1 h)
  --role-session          base credentials are a role session (detected by sts:GetCallerIdentity anyway)
  --timeout SECONDS       deadline for each AWS call (default 30)
  --config FILE           workspace config (default: ./.breakglass/config.json when present): roles and playbooks
                          marked requiresApproval need an approved request (breakglass request / approve)
  --request ID            use this approved request (default: your approved request for the role, policy and incident)
  --break-glass-anyway TEXT  elevate WITHOUT approval, where approvals.allowBreakGlassAnyway is true: TEXT says why

Exit codes: 0 success (or CMD's code with --exec), 1 AWS refused or failed (or no usable approval for a role that
requires one), 2 usage or pre-flight problems, 130 cancelled (Ctrl-C).
`;

export const ELEVATE_OPTIONS = {
  'role-arn': { type: 'string' }, playbook: { type: 'string' }, incident: { type: 'string' }, justification: { type: 'string' },
  duration: { type: 'string' }, 'mfa-serial': { type: 'string' }, 'token-code': { type: 'string' }, requester: { type: 'string' },
  profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' }, 'audit-log': { type: 'string' },
  json: { type: 'boolean' }, export: { type: 'boolean' }, exec: { type: 'boolean' }, 'role-session': { type: 'boolean' },
  'role-max-duration': { type: 'string' }, timeout: { type: 'string' },
  config: { type: 'string' }, request: { type: 'string' }, 'break-glass-anyway': { type: 'string' }, // approvals (issue 12)
} as const;

/** A whole-seconds option, or undefined when absent. */
export function seconds(p: Parsed, name: string): number | undefined {
  const v = p.options[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be whole seconds, not '${String(v)}'`);
  return n;
}
