// MFA-gated elevation: a pure pre-flight (planElevation) that either lists every problem, each with the field it
// belongs to and what to do, or yields the exact sts:AssumeRole input; then elevate(), which makes exactly ONE
// AssumeRole call (cancellable) and returns the Session and its credentials.
//
// The pre-flight exists because the MFA code is single-use: a request STS would reject for a local reason (duration,
// tag charset, policy size, session name) must never consume it.
import { createHash, randomUUID } from 'crypto';
import type { AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import type { PlaybookRef, ResolvedPlaybook } from '../playbooks';
import {
  MAX_DURATION, MAX_POLICY_ARNS, MAX_SESSION_POLICY_PLAINTEXT, MAX_TAG_VALUE_LENGTH, MFA_SERIAL, MFA_TOKEN_CODE,
  MIN_DURATION, POLICY_CHARSET, ROLE_CHAINING_MAX_DURATION, TAG_CHARSET, formatDuration, minifyPolicy,
  sessionPolicyPlaintextSize,
} from '../policy/limits';
import { parseArn, parseRoleArn, partitionOfRegion } from '../aws/partition';
import { BreakGlassError, translateAwsError } from '../aws/errors';
import { systemClock, type Clock, type Session, type SessionCredentials } from './types';
import { wildcardMatch } from '../policy/match';

import { DEFAULT_INCIDENT_PATTERN, MAX_INCIDENT_LENGTH } from '../incident';
export { DEFAULT_INCIDENT_PATTERN };
export const MAX_JUSTIFICATION_LENGTH = 1000;

export interface ElevationInput {
  roleArn: string;
  /** The playbook, resolved (src/core/playbooks.ts resolvePlaybook). */
  playbook: ResolvedPlaybook;
  incidentId: string;
  justification: string;
  /** Who asks: an e-mail or user name. Goes to the Requester tag and (transliterated) SourceIdentity. */
  requester: string;
  /**
   * A short suffix that makes the RoleSessionName unique per session (runElevation: time + random), so every
   * CloudTrail event maps to one session.
   */
  sessionSuffix?: string;
  /** Seconds; defaults to the playbook's maxDuration. */
  durationSeconds?: number;
  /** The role's MaxSessionDuration when known (config or discovery). */
  roleMaxSessionDuration?: number;
  /** Base credentials are a role session → AWS caps the session at 1 hour (role chaining). */
  baseIsRoleSession?: boolean;
  /** Extra managed session policies, added to the playbook's. */
  policyArns?: string[];
  mfaSerial?: string;
  tokenCode?: string;
  /** The code will be asked for after the pre-flight (runElevation's prompt): a device without a code is fine. */
  codeFollows?: boolean;
  /** The role's trust policy requires MFA (config/discovery): then a device and code are mandatory. */
  mfaRequired?: boolean;
  region?: string;
  incidentPattern?: RegExp;
  /** An example shown when the incident id does not match the pattern. */
  incidentExample?: string;
}

export interface PlanProblem {
  /** The input field at fault (ElevationInput key). */
  field: keyof ElevationInput | 'policy' | 'approval' | 'auditLog' | 'baseCredentials';
  message: string;
}

export interface ElevationPlan {
  /** Exactly what is sent to sts:AssumeRole. */
  input: AssumeRoleCommandInput & { RoleArn: string; RoleSessionName: string; DurationSeconds: number };
  roleArn: string;
  roleName: string;
  accountId: string;
  /** The playbook's display name (audit log, SessionPolicyType tag). */
  playbook: string;
  playbookRef: PlaybookRef;
  incidentId: string;
  justification: string;
  requester: string;
  region: string;
  /** Characters counted against the 2,048 plaintext limit. */
  policySize: number;
  /** Human notes, e.g. why the duration was clamped. */
  notes: string[];
  /** The MFA device whose code is still to be asked for (withTokenCode adds SerialNumber and TokenCode). */
  mfaSerial?: string;
}

export type PlanResult = { ok: true; plan: ElevationPlan } | { ok: false; problems: PlanProblem[] };

/** Replaces characters outside [\w+=,.@-] (after transliteration) and fits the result into 2–64 characters. */
export function sanitizeSessionName(raw: string, filler = '-', max = 64): string {
  let s = transliterate(raw).replace(/[^\w+=,.@-]+/g, filler).replace(/-{2,}/g, '-').replace(/_{2,}/g, '_').replace(/^[-_]+|[-_]+$/g, '');
  s = s.slice(0, max);
  while (s.length < 2) s += '_';
  return s;
}

// Letters without a decomposition into Latin + accents, and the Greek and Cyrillic alphabets (ISO 9 / ELOT-like,
// simplified to ASCII), so "Jörg Åström", "Łukasz", "Алёна Петрова" keep a readable SourceIdentity.
const TRANSLIT: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'AE', ø: 'o', Ø: 'O', œ: 'oe', Œ: 'OE', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', ħ: 'h', Ħ: 'H',
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p',
  р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  є: 'ye', і: 'i', ї: 'yi', ґ: 'g',
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x', ο: 'o', π: 'p', ρ: 'r',
  σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
};

/** A readable ASCII rendering of a name: accents dropped, Greek and Cyrillic transliterated. Other scripts are kept. */
export function transliterate(raw: string): string {
  let out = '';
  for (const ch of raw.normalize('NFKD').replace(/\p{M}+/gu, '')) {
    const lower = ch.toLowerCase();
    const t = TRANSLIT[ch] ?? TRANSLIT[lower];
    if (t === undefined) out += ch;
    else out += ch !== lower && t ? t[0].toUpperCase() + t.slice(1) : t;
  }
  return out;
}

/** The longest session AWS and the playbook allow, given what is known: what the duration picker offers. */
export function maxSessionDuration(limits: { playbookMax?: number; roleMax?: number; chained?: boolean }): number {
  return Math.min(limits.playbookMax ?? MAX_DURATION, limits.roleMax ?? MAX_DURATION, limits.chained ? ROLE_CHAINING_MAX_DURATION : MAX_DURATION);
}

/** Pre-flight for an elevation. Pure: no I/O, no clock. */
export function planElevation(input: ElevationInput): PlanResult {
  const problems: PlanProblem[] = [];
  const notes: string[] = [];
  const add = (field: PlanProblem['field'], message: string) => problems.push({ field, message });

  const role = parseRoleArn(input.roleArn?.trim() ?? '');
  if (!role) add('roleArn', `"${input.roleArn}" is not an IAM role ARN; use arn:aws:iam::111122223333:role/BREAK-GLASS-NAME.`);

  const incident = input.incidentId?.trim() ?? '';
  const pattern = input.incidentPattern ?? DEFAULT_INCIDENT_PATTERN;
  const example = input.incidentExample ?? 'INC-2024-001';
  if (!incident) add('incidentId', `Enter the incident ID this access is for (e.g. ${example}).`);
  else if (incident.length > MAX_INCIDENT_LENGTH) add('incidentId', `The incident ID is longer than ${MAX_INCIDENT_LENGTH} characters; use the ticket's short ID (e.g. ${example}).`);
  else if (!pattern.test(incident)) add('incidentId', `Incident ID "${incident}" does not match the expected format ${pattern.source} (e.g. ${example}).`);
  else if (!TAG_CHARSET.test(incident)) add('incidentId', `Incident ID "${incident}" contains characters AWS does not allow in session tags; use letters, digits and _ . : / = + - @ (e.g. ${example}).`);

  const justification = input.justification?.trim() ?? '';
  if (!justification) add('justification', 'Enter a justification: why break-glass access is needed (it goes to the audit log).');
  else if (justification.length > MAX_JUSTIFICATION_LENGTH) add('justification', `The justification is ${justification.length} characters; keep it under ${MAX_JUSTIFICATION_LENGTH} and link the incident ticket for details.`);

  const requester = input.requester?.trim() ?? '';
  if (!requester) add('requester', 'The requester (your user name or e-mail) is unknown; set it so the session can be attributed.');
  else if (requester.length > MAX_TAG_VALUE_LENGTH || !TAG_CHARSET.test(requester)) {
    add('requester', `Requester "${requester}" cannot be a session tag value (at most ${MAX_TAG_VALUE_LENGTH} of letters, digits, spaces and _ . : / = + - @).`);
  }

  const playbook = input.playbook;
  if (!playbook) {
    add('playbook', 'Choose a playbook: a built-in one, a policy file, or the role\'s full permissions.');
  } else if (!TAG_CHARSET.test(playbook.name) || playbook.name.length > MAX_TAG_VALUE_LENGTH) {
    add('playbook', `Playbook name "${playbook.name}" cannot be a session tag value; rename it using letters, digits and _ . : / = + - @.`);
  }
  // A playbook file may name the roles it is meant for ("roles": ARN patterns).
  if (playbook?.roles?.length && !playbook.roles.some((pattern) => wildcardMatch(pattern, input.roleArn))) {
    add('playbook', `Playbook ${playbook.name} is for ${playbook.roles.join(', ')}, not ${input.roleArn}; pick a playbook meant for this role, or add the role to its "roles".`);
  }

  // Session policy: inline document + managed ARNs, within 10 ARNs and 2,048 plaintext characters.
  const policyArns = [...(playbook?.policyArns ?? []), ...(input.policyArns ?? [])];
  let policyText: string | undefined;
  let policySize = 0;
  if (playbook) {
    if (playbook.policy) {
      policyText = minifyPolicy(playbook.policy);
      if (!POLICY_CHARSET.test(policyText)) add('policy', 'The session policy contains characters outside \\u0020–\\u00FF; AWS rejects it. Remove non-Latin-1 characters.');
    }
    if (policyArns.length > MAX_POLICY_ARNS) add('policyArns', `${policyArns.length} managed policy ARNs given; AWS accepts at most ${MAX_POLICY_ARNS}.`);
    for (const arn of policyArns) {
      const p = parseArn(arn);
      if (!p || p.service !== 'iam' || !p.resource.startsWith('policy/')) add('policyArns', `"${arn}" is not a managed policy ARN (arn:aws:iam::aws:policy/ReadOnlyAccess).`);
      // AWS resolves session-policy ARNs in the role's own account (or AWS managed): one from another account is
      // refused by STS, with the MFA code spent (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, PolicyArns).
      else if (role && p.accountId !== 'aws' && p.accountId !== role.accountId) {
        add('policyArns', `"${arn}" belongs to account ${p.accountId}, but session policies must be AWS managed or in the role's account ${role.accountId}; copy the policy into ${role.accountId} or use a policy file.`);
      } else if (role && p.partition !== role.partition) {
        add('policyArns', `"${arn}" is in the ${p.partition} partition, the role in ${role.partition}; use the ${role.partition} ARN.`);
      }
    }
    policySize = sessionPolicyPlaintextSize(playbook.policy, policyArns);
    if (policySize > MAX_SESSION_POLICY_PLAINTEXT) {
      add('policy', `The session policy is ${policySize} characters (minified JSON plus managed policy ARNs); AWS allows ${MAX_SESSION_POLICY_PLAINTEXT}. Use fewer statements or wildcard actions (e.g. "ec2:Describe*"), or fewer ARNs.`);
    }
    if (!playbook.policy && policyArns.length === 0) notes.push('No session policy: the session gets the role\'s full permissions.');
  }

  // Duration: requested or playbook default, then clamped to the playbook, role and role-chaining maxima.
  const playbookMax = playbook?.maxDuration;
  let duration = input.durationSeconds ?? playbookMax ?? 3600;
  if (!Number.isInteger(duration) || duration < MIN_DURATION || duration > MAX_DURATION) {
    add('durationSeconds', `Duration must be whole seconds from ${MIN_DURATION} (15 min) to ${MAX_DURATION} (12 h), not ${duration}.`);
  } else {
    const clamp = (max: number | undefined, why: string) => {
      if (max !== undefined && duration > max) {
        notes.push(`Duration clamped from ${formatDuration(duration)} to ${formatDuration(max)}: ${why}.`);
        duration = max;
      }
    };
    if (input.durationSeconds !== undefined) clamp(playbookMax, `the ${playbook?.name} playbook allows at most ${formatDuration(playbookMax ?? 0)}`);
    clamp(input.roleMaxSessionDuration, `the role's MaxSessionDuration is ${formatDuration(input.roleMaxSessionDuration ?? 0)}`);
    if (input.baseIsRoleSession) clamp(ROLE_CHAINING_MAX_DURATION, 'your base credentials are a role session, and AWS limits role chaining to 1 h');
    if (duration < MIN_DURATION) add('durationSeconds', `The role allows less than the ${MIN_DURATION} s minimum; ask an administrator to fix its MaxSessionDuration.`);
  }

  // MFA: device and a 6-digit code, validated before anything is sent.
  const serial = input.mfaSerial?.trim();
  const code = input.tokenCode?.trim();
  if (serial && !MFA_SERIAL.test(serial)) add('mfaSerial', `"${serial}" is not an MFA device serial; use its ARN, e.g. arn:aws:iam::111122223333:mfa/alice.`);
  if (code !== undefined && code !== '' && !MFA_TOKEN_CODE.test(code)) add('tokenCode', 'The MFA code must be exactly 6 digits, as shown on your device.');
  if (code && !serial) add('mfaSerial', 'An MFA code was given without an MFA device; choose the device (its ARN, e.g. arn:aws:iam::111122223333:mfa/alice).');
  if (serial && !code && !input.codeFollows) add('tokenCode', 'Enter the current 6-digit code from your MFA device.');
  if (input.mfaRequired && !serial && !code) add(input.codeFollows ? 'mfaSerial' : 'tokenCode', 'This role requires MFA: choose your MFA device and enter its current 6-digit code.');

  if (problems.length || !role || !playbook) return { ok: false, problems };

  const sourceIdentity = sanitizeSessionName(requester, '_');
  // incident-requester-suffix, the suffix always kept whole: AWS allows 64 characters.
  const suffix = input.sessionSuffix ? sanitizeSessionName(input.sessionSuffix, '', 12) : '';
  const roleSessionName = suffix
    ? `${sanitizeSessionName(`${incident}-${requester}`, '-', 64 - suffix.length - 1)}-${suffix}`
    : sanitizeSessionName(`${incident}-${requester}`);
  const tags = [
    { Key: 'IncidentId', Value: incident },
    { Key: 'SessionPolicyType', Value: playbook.name },
    { Key: 'Requester', Value: requester },
  ];
  const region = input.region ?? defaultRegionFor(role.partition);
  if (partitionOfRegion(region) !== role.partition) {
    return { ok: false, problems: [{ field: 'region', message: `Region ${region} is not in the ${role.partition} partition of the role; choose a ${role.partition} region.` }] };
  }
  const assume: ElevationPlan['input'] = {
    RoleArn: input.roleArn.trim(),
    RoleSessionName: roleSessionName,
    DurationSeconds: duration,
    ...(policyText ? { Policy: policyText } : {}),
    ...(policyArns.length ? { PolicyArns: policyArns.map((arn) => ({ arn })) } : {}),
    Tags: tags,
    SourceIdentity: sourceIdentity,
    ...(serial && code ? { SerialNumber: serial, TokenCode: code } : {}),
  };
  return {
    ok: true,
    plan: {
      input: assume,
      roleArn: assume.RoleArn,
      roleName: role.roleName,
      accountId: role.accountId,
      playbook: playbook.name,
      playbookRef: playbook.ref,
      incidentId: incident,
      justification,
      requester,
      region,
      policySize,
      notes,
      ...(serial && !code ? { mfaSerial: serial } : {}),
    },
  };
}

/** The plan with the MFA code typed after the pre-flight, or the problem with it (the code is not sent). */
export function withTokenCode(plan: ElevationPlan, code: string): { ok: true; plan: ElevationPlan } | { ok: false; problems: PlanProblem[] } {
  const c = code.trim();
  if (!MFA_TOKEN_CODE.test(c)) return { ok: false, problems: [{ field: 'tokenCode', message: 'The MFA code must be exactly 6 digits, as shown on your device.' }] };
  if (!plan.mfaSerial) return { ok: false, problems: [{ field: 'mfaSerial', message: 'An MFA code was given without an MFA device; choose the device (its ARN, e.g. arn:aws:iam::111122223333:mfa/alice).' }] };
  const { mfaSerial: _serial, ...rest } = plan;
  return { ok: true, plan: { ...rest, input: { ...plan.input, SerialNumber: plan.mfaSerial, TokenCode: c } } };
}

function defaultRegionFor(partition: string): string {
  return partition === 'aws-cn' ? 'cn-north-1' : partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
}

/** SHA-256 hex prefix (16) of a session token: an identifier that reveals nothing usable. */
export function tokenHash(sessionToken: string): string {
  return createHash('sha256').update(sessionToken).digest('hex').slice(0, 16);
}

/**
 * The SDK's AssumeRoleCommand, loaded on first use and kept (already in memory once an STS client exists): planning
 * needs no SDK, so the extension can activate without evaluating it, and later elevations pay nothing for it.
 */
let assumeRoleCommandModule: Promise<typeof import('@aws-sdk/client-sts').AssumeRoleCommand> | undefined;
function assumeRoleCommand(): Promise<typeof import('@aws-sdk/client-sts').AssumeRoleCommand> {
  assumeRoleCommandModule ??= import('@aws-sdk/client-sts').then((m) => m.AssumeRoleCommand);
  return assumeRoleCommandModule;
}

export interface ElevateDeps {
  /** The STS client (reuse one: keep-alive) or a factory for it. Use AwsClients.stsForMfa(). */
  sts: STSClient | (() => STSClient);
  clock?: Clock;
  abortSignal?: AbortSignal;
  /** A deadline for the whole call, whatever the HTTP layer does (a silent server must not hang the elevation). */
  timeoutMs?: number;
  /** Session id generator (tests). */
  newId?: () => string;
}

export interface Elevation {
  session: Session;
  credentials: SessionCredentials;
  /** PackedPolicySize reported by STS: percentage of the packed-policy limit used. */
  packedPolicySize?: number;
}

/**
 * Makes exactly one sts:AssumeRole call with the plan's input. Throws BreakGlassError (translated) on failure,
 * including cancellation through the AbortSignal.
 */
export async function elevate(plan: ElevationPlan, deps: ElevateDeps): Promise<Elevation> {
  const sts = typeof deps.sts === 'function' ? deps.sts() : deps.sts;
  const clock = deps.clock ?? systemClock;
  if (deps.abortSignal?.aborted) {
    throw new BreakGlassError(translateAwsError(Object.assign(new Error('aborted'), { name: 'AbortError' })));
  }
  const AssumeRoleCommand = await assumeRoleCommand();
  const deadline = deps.timeoutMs ? AbortSignal.timeout(deps.timeoutMs) : undefined;
  const signal = deadline && deps.abortSignal ? AbortSignal.any([deps.abortSignal, deadline]) : deadline ?? deps.abortSignal;
  let out;
  try {
    out = await sts.send(new AssumeRoleCommand(plan.input), { abortSignal: signal });
  } catch (e) {
    if (deadline?.aborted && !deps.abortSignal?.aborted) {
      throw new BreakGlassError({
        code: 'NetworkUnreachable', title: 'AWS did not answer in time', retryable: true, awsCode: 'TimeoutError',
        message: `STS did not answer AssumeRole within ${Math.round((deps.timeoutMs ?? 0) / 1000)} s. Check the network, VPN or proxy and the endpoint URL setting, then try again with a new MFA code.`,
      });
    }
    throw new BreakGlassError(translateAwsError(e, {
      operation: 'sts:AssumeRole', roleArn: plan.roleArn, durationSeconds: plan.input.DurationSeconds,
      tokenCodeSent: Boolean(plan.input.TokenCode),
    }));
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new BreakGlassError({
      code: 'Unknown', title: 'Incomplete STS answer', retryable: true,
      message: 'STS answered AssumeRole without complete credentials. Try again; if it persists, check the endpoint URL setting.',
    });
  }
  const expiration = new Date(c.Expiration).toISOString();
  const session: Session = {
    id: (deps.newId ?? randomUUID)(),
    accountId: plan.accountId,
    roleArn: plan.roleArn,
    roleName: plan.roleName,
    playbook: plan.playbook,
    playbookRef: plan.playbookRef,
    incidentId: plan.incidentId,
    justification: plan.justification,
    requester: plan.requester,
    sourceIdentity: plan.input.SourceIdentity ?? '',
    roleSessionName: plan.input.RoleSessionName,
    issuedAt: new Date(clock.now()).toISOString(),
    expiresAt: expiration,
    tokenHash: tokenHash(c.SessionToken),
    accessKeyId: c.AccessKeyId,
    region: plan.region,
    state: 'active',
  };
  const credentials: SessionCredentials = {
    accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration,
  };
  return { session, credentials, ...(out.PackedPolicySize !== undefined ? { packedPolicySize: out.PackedPolicySize } : {}) };
}
