// THE elevation, once, for every front end: the extension's Elevate command and `breakglass elevate` are adapters
// that fill an ElevationRequest, provide the ports (clients, audit log, MFA prompt, …) and present the outcome.
//
//   1. pre-flight, before anyone types a code:
//      - the playbook is resolved (file read and validated);
//      - the audit log is opened for appending (a code is never spent on a session that could not be audited);
//      - sts:GetCallerIdentity of the base credentials: who the requester is (unless set explicitly), and whether the
//        base credentials are a role session (env session tokens, SSO, instance/container roles): then AWS caps the
//        session at 1 h (role chaining);
//      - the role's MaxSessionDuration: from the request (config), else iam:GetRole when the role is in the caller's
//        account and the caller may read it, else the AWS default of 1 h;
//      - planElevation: every local reason STS would refuse, all at once;
//      - the approval gate, if any (reserve).
//   2. the MFA code (a port: an input box, a terminal prompt, stdin), unless it was given up front;
//   3. the 'requested' audit record (with the RoleSessionName), its fsync overlapping the STS call;
//   4. exactly one sts:AssumeRole, with a deadline and cancellation;
//   5. the credentials are checked (already expired, or much shorter than asked, is reported), the session registered,
//      the gate committed, and the 'granted' record written — or a 'failed' record saying whether AWS may have issued
//      a session (cancel or timeout after the request left).
import { randomBytes } from 'crypto';
import type { AwsClients } from '../aws/clients';
import { BreakGlassError, translateAwsError, type TranslatedError } from '../aws/errors';
import { parseArn, parseRoleArn } from '../aws/partition';
import type { AuditInput, AuditLog } from '../audit/log';
import { DEFAULT_ROLE_MAX_SESSION_DURATION, formatDuration } from '../policy/limits';
import { PlaybookError, resolvePlaybook, type PlaybookRef, type ReadPlaybookFile, type ResolvedPlaybook } from '../playbooks';
import { elevate, planElevation, withTokenCode, type ElevationInput, type ElevationPlan, type PlanProblem } from './elevate';
import { sessionAuditFields } from './flow';
import type { ElevationGate, GateReservation } from './gate';
import type { SessionStore } from './store';
import { systemClock, type Clock, type Session, type SessionCredentials } from './types';

/** What the responder asks for. Everything a front end knows; the rest is learned in the pre-flight. */
export interface ElevationRequest {
  roleArn: string;
  playbook: PlaybookRef;
  incidentId: string;
  justification: string;
  /** Seconds; default: the playbook's maximum. */
  durationSeconds?: number;
  /** Set explicitly (a machine-level setting, --requester); default: the caller identity of the base credentials. */
  requester?: string;
  mfaSerial?: string;
  /** Given up front (CLI --token-code or an environment variable, a command argument); else asked through the port. */
  tokenCode?: string;
  mfaRequired?: boolean;
  /** The role's MaxSessionDuration when known (config, discovery, --role-max-duration). */
  roleMaxSessionDuration?: number;
  /** The base credentials are known to be a role session (CLI --role-session); GetCallerIdentity decides otherwise. */
  baseIsRoleSession?: boolean;
  region?: string;
  incidentPattern?: RegExp;
  incidentExample?: string;
  policyArns?: string[];
}

/** What the pre-flight learns about the base identity from AWS (before any code is typed). */
export interface BaseFacts {
  callerArn: string;
  accountId: string;
  /** The caller is a role session (an assumed-role ARN): assuming another role is role chaining (1 h). */
  isRoleSession: boolean;
  /** A readable requester from the caller ARN (user name, SSO user, federated user, role/session). */
  requester: string;
  /** The role's MaxSessionDuration from iam:GetRole, when it could be read. */
  roleMaxSessionDuration?: number;
  /** Why it could not be read, when it could not. */
  roleMaxUnknownBecause?: string;
}

export interface MfaPrompt {
  serial: string;
  roleName: string;
  plan: ElevationPlan;
}

export interface ElevationPorts {
  /** Clients of the base identity (AwsClients.sts() for GetCallerIdentity, stsForMfa() for AssumeRole, iam()). */
  clients: AwsClients;
  audit: AuditLog;
  store?: SessionStore;
  readPlaybookFile: ReadPlaybookFile;
  /** Asks for the MFA code; undefined = the responder cancelled. Not called when the request carries the code. */
  promptMfaCode?: (ask: MfaPrompt) => Promise<string | undefined>;
  gate?: ElevationGate;
  clock?: Clock;
  /** Cancels the elevation (the prompt is the adapter's to close; the STS call is aborted). */
  abortSignal?: AbortSignal;
  /** Deadline of each AWS call. Default 30 s. */
  timeoutMs?: number;
  /** The base facts, when the adapter started learning them early (learnBaseFacts) to offer durations. */
  baseFacts?: Promise<BaseFacts>;
  /** One line per step, for the log (never a secret). */
  log?: (line: string) => void;
  /** The STS call starts (progress UI). */
  onAssumeRole?: (plan: ElevationPlan) => void;
  newId?: () => string;
  newSuffix?: () => string;
}

export type ElevationOutcome =
  | {
    status: 'granted'; session: Session; credentials: SessionCredentials; plan: ElevationPlan; notes: string[];
    /** Set when AWS issued a session much shorter than asked: say so, do not say "granted". */
    shortened?: string;
    /** Resolves when the 'granted' record and the stored copy are on disk; rejects if either fails. */
    durable: Promise<void>;
  }
  /** Refused before any code was typed or sent (pre-flight, base identity, audit log, gate). */
  | { status: 'refused'; problems: PlanProblem[]; /** The gate's translated refusal, when it was the gate. */ error?: TranslatedError }
  /** Left at the MFA prompt: nothing was sent to AWS. */
  | { status: 'cancelled' }
  /** AWS refused, or the call failed; `mayHaveIssued`: cancelled or timed out after the request left. */
  | { status: 'failed'; error: TranslatedError; plan: ElevationPlan; mayHaveIssued: boolean };

const DEFAULT_TIMEOUT_MS = 30_000;
/** Credentials whose expiry is not after this (ms from now) are reported as expired on arrival. */
const EXPIRED_MARGIN_MS = 0;

/** The readable requester for a caller ARN. */
export function requesterFromArn(arn: string): string {
  const p = parseArn(arn);
  if (!p) return '';
  const parts = p.resource.split('/');
  switch (parts[0]) {
    case 'user': return parts[parts.length - 1];
    case 'federated-user': return parts[1] ?? '';
    case 'assumed-role': {
      const [, role = '', session = ''] = parts;
      // IAM Identity Center: the session name is the user; otherwise role/session (e.g. an instance role and i-0abc).
      return role.startsWith('AWSReservedSSO_') ? session : `${role}/${session}`;
    }
    case 'root': return 'root';
    default: return p.resource;
  }
}

let stsCommands: Promise<typeof import('@aws-sdk/client-sts')> | undefined;
let iamCommands: Promise<typeof import('@aws-sdk/client-iam')> | undefined;

/**
 * Asks AWS who the base credentials are (sts:GetCallerIdentity) and, when `roleMax` is wanted, the role's
 * MaxSessionDuration (iam:GetRole, in parallel; it counts only when it answers for this very role ARN, i.e. the role is
 * in the caller's account; a denial just leaves it unknown). Throws a BreakGlassError when the base credentials do not
 * work: nothing more can succeed with them.
 */
export async function learnBaseFacts(clients: AwsClients, roleArn: string, opts: { roleMax?: boolean; timeoutMs?: number; abortSignal?: AbortSignal } = {}): Promise<BaseFacts> {
  const signal = () => withDeadline(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.abortSignal);
  const { GetCallerIdentityCommand } = await (stsCommands ??= import('@aws-sdk/client-sts'));
  // The AssumeRole client (stsForMfa) asks too: one client, one keep-alive connection for both calls. It retries only
  // throttling, which is all GetCallerIdentity needs before a code is typed.
  const whoP = clients.stsForMfa().send(new GetCallerIdentityCommand({}), { abortSignal: signal() });
  whoP.catch(() => undefined);
  // In parallel: GetRole checks the ARN it answers with, so a role in another account is never mistaken.
  const maxP = opts.roleMax ? readRoleMax(clients, roleArn, signal()) : undefined;
  let who;
  try {
    who = await whoP;
  } catch (e) {
    throw new BreakGlassError(translateAwsError(e, { operation: 'sts:GetCallerIdentity' }));
  }
  const callerArn = who.Arn ?? '';
  const facts: BaseFacts = {
    callerArn, accountId: who.Account ?? '', isRoleSession: /:assumed-role\//.test(callerArn), requester: requesterFromArn(callerArn),
  };
  const role = parseRoleArn(roleArn);
  if (maxP && role && role.accountId !== facts.accountId) {
    await maxP;
    return { ...facts, roleMaxUnknownBecause: `the role is in account ${role.accountId}, your credentials in ${facts.accountId}` };
  }
  return { ...facts, ...(await maxP) };
}

/** The role's MaxSessionDuration from iam:GetRole, or why it is unknown. Never throws. */
async function readRoleMax(clients: AwsClients, roleArn: string, signal: AbortSignal): Promise<Pick<BaseFacts, 'roleMaxSessionDuration' | 'roleMaxUnknownBecause'>> {
  const role = parseRoleArn(roleArn);
  if (!role) return { roleMaxUnknownBecause: 'the role ARN is invalid' };
  const { GetRoleCommand } = await (iamCommands ??= import('@aws-sdk/client-iam'));
  try {
    const out = await clients.iam().send(new GetRoleCommand({ RoleName: role.roleName }), { abortSignal: signal });
    // GetRole reads the caller's own account: a same-named role there is not this one.
    if (out.Role?.Arn !== roleArn) return { roleMaxUnknownBecause: `iam:GetRole found ${out.Role?.Arn ?? 'no role'}, not this role` };
    return out.Role.MaxSessionDuration ? { roleMaxSessionDuration: out.Role.MaxSessionDuration } : { roleMaxUnknownBecause: 'iam:GetRole returned no MaxSessionDuration' };
  } catch (e) {
    const tr = translateAwsError(e, { operation: 'iam:GetRole', roleArn });
    return { roleMaxUnknownBecause: tr.code === 'AccessDenied' ? 'your credentials may not call iam:GetRole on it' : `iam:GetRole failed (${tr.awsCode ?? tr.code})` };
  }
}

function withDeadline(ms: number, user?: AbortSignal): AbortSignal {
  const deadline = AbortSignal.timeout(ms);
  return user ? AbortSignal.any([user, deadline]) : deadline;
}

/** A short suffix, unique enough per session: seconds in base 36 (time order) and 3 random hex digits. */
export function sessionSuffix(now: number = Date.now()): string {
  return `${Math.floor(now / 1000).toString(36).slice(-5)}${randomBytes(2).toString('hex').slice(0, 3)}`;
}

/** The 'requested' record: the plan, never the code. */
function requestedRecord(plan: ElevationPlan, facts: BaseFacts): AuditInput {
  return {
    event: 'requested', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
    requester: plan.requester, roleSessionName: plan.input.RoleSessionName, justification: plan.justification,
    durationSeconds: plan.input.DurationSeconds,
    details: { mfa: Boolean(plan.input.SerialNumber), policySize: plan.policySize, roleChaining: facts.isRoleSession, caller: facts.callerArn },
  };
}

function failedRecord(plan: ElevationPlan, error: TranslatedError, details?: AuditInput['details']): AuditInput {
  return {
    event: 'failed', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
    requester: plan.requester, roleSessionName: plan.input.RoleSessionName, reason: { code: error.code, message: error.message },
    ...(details ? { details } : {}),
  };
}

/** Whether a failed AssumeRole may still have created a session at AWS (the request left, the answer was lost). */
function mayHaveIssued(tr: TranslatedError): boolean {
  if (tr.code === 'Aborted') return true;
  if (tr.code === 'NetworkUnreachable') return !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(tr.awsCode ?? '');
  return tr.code === 'Unknown' && tr.retryable;
}

const MAY_HAVE_ISSUED = 'The request had left: AWS may have issued a session (it expires on its own; revoke the role\'s older sessions if in doubt).';

export async function runElevation(req: ElevationRequest, ports: ElevationPorts): Promise<ElevationOutcome> {
  const clock = ports.clock ?? systemClock;
  const log = ports.log ?? (() => undefined);
  const timeoutMs = ports.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // 1a. Local pre-flight: the playbook, then the pure plan (the audit log is opened meanwhile). Bad input never leaves
  // the machine.
  const writableP = ports.audit.ensureWritable();
  writableP.catch(() => undefined);
  const auditProblem = async (): Promise<PlanProblem | undefined> => {
    try {
      await writableP;
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { field: 'auditLog', message: `The audit log ${ports.audit.file} cannot be written (${e.code ?? e.message}), so no session can be started; fix its path or permissions and elevate again. No MFA code was used.` };
    }
  };
  const [playbookR] = await Promise.allSettled([resolvePlaybook(req.playbook, ports.readPlaybookFile)]);
  const refused: PlanProblem[] = [];
  if (playbookR.status === 'rejected') {
    refused.push({ field: 'playbook', message: playbookR.reason instanceof PlaybookError ? playbookR.reason.message : String((playbookR.reason as Error).message) });
  }
  const codeFollows = req.tokenCode === undefined && Boolean(ports.promptMfaCode);
  const inputOf = (playbook: ResolvedPlaybook, requester: string, extra: Partial<ElevationInput> = {}): ElevationInput => ({
    roleArn: req.roleArn, playbook, incidentId: req.incidentId, justification: req.justification, requester,
    durationSeconds: req.durationSeconds, roleMaxSessionDuration: req.roleMaxSessionDuration, baseIsRoleSession: req.baseIsRoleSession,
    policyArns: req.policyArns, mfaSerial: req.mfaSerial, tokenCode: req.tokenCode, codeFollows, mfaRequired: req.mfaRequired,
    region: req.region, incidentPattern: req.incidentPattern, incidentExample: req.incidentExample, ...extra,
  });
  if (playbookR.status === 'fulfilled') {
    // The requester may still come from AWS: a stand-in that passes every check until then.
    const local = planElevation(inputOf(playbookR.value, req.requester?.trim() || 'caller'));
    if (!local.ok) refused.push(...local.problems);
  }
  if (refused.length || playbookR.status !== 'fulfilled') {
    const issue = await auditProblem();
    return { status: 'refused', problems: issue ? [...refused, issue] : refused };
  }
  const playbook = playbookR.value;

  // 1b. The base identity, from AWS (no code involved): requester, role chaining, the role's maximum.
  // The role's maximum matters only above the 1 h every role allows (MaxSessionDuration is 1–12 h).
  const wantsRoleMax = req.roleMaxSessionDuration === undefined && (req.durationSeconds ?? playbook.maxDuration ?? DEFAULT_ROLE_MAX_SESSION_DURATION) > DEFAULT_ROLE_MAX_SESSION_DURATION;
  const [factsR, auditIssue] = await Promise.all([
    (ports.baseFacts ?? learnBaseFacts(ports.clients, req.roleArn, { roleMax: wantsRoleMax, timeoutMs, abortSignal: ports.abortSignal })).then(
      (f) => ({ ok: true as const, facts: f }), (e: unknown) => ({ ok: false as const, error: e })),
    auditProblem(),
  ]);
  if (auditIssue) refused.push(auditIssue);
  if (!factsR.ok) {
    const tr = factsR.error instanceof BreakGlassError ? factsR.error.translated : translateAwsError(factsR.error);
    refused.push({ field: 'baseCredentials', message: `Your base credentials were refused before any MFA code was asked for: ${tr.title}. ${tr.message}` });
  }
  if (refused.length || !factsR.ok) return { status: 'refused', problems: refused };
  const facts = factsR.facts;

  const notes: string[] = [];
  let roleMax = req.roleMaxSessionDuration ?? facts.roleMaxSessionDuration;
  if (roleMax === undefined) {
    roleMax = DEFAULT_ROLE_MAX_SESSION_DURATION;
    const requested = req.durationSeconds ?? playbook.maxDuration ?? roleMax;
    if (requested > roleMax) {
      notes.push(`The role's MaxSessionDuration is unknown (${facts.roleMaxUnknownBecause ?? 'not configured'}), so at most ${formatDuration(roleMax)} (the AWS default) is requested; set maxSessionDuration for the role in .breakglass/config.json (CLI: --role-max-duration) to allow longer sessions.`);
    }
  }
  const chained = facts.isRoleSession || req.baseIsRoleSession === true;
  const requester = req.requester?.trim() || facts.requester;
  const planned = planElevation(inputOf(playbook, requester, {
    sessionSuffix: (ports.newSuffix ?? (() => sessionSuffix(clock.now())))(), roleMaxSessionDuration: roleMax, baseIsRoleSession: chained,
  }));
  if (!planned.ok) return { status: 'refused', problems: planned.problems };
  let plan = planned.plan;
  plan = { ...plan, notes: [...notes, ...plan.notes] };
  log(`pre-flight passed: ${plan.roleArn} as ${plan.input.RoleSessionName} for ${plan.input.DurationSeconds} s (caller ${facts.callerArn}${chained ? ', role chaining' : ''})`);

  // The gate (approvals) decides before anyone types a code.
  let reservation: GateReservation | undefined;
  if (ports.gate) {
    try {
      reservation = await ports.gate.reserve(plan);
    } catch (e) {
      const tr = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
      return { status: 'refused', problems: [{ field: 'approval', message: `${tr.title}: ${tr.message}` }], error: tr };
    }
  }
  const release = async (e: unknown) => { await reservation?.release(e).catch((err: unknown) => log(`approval release failed: ${(err as Error).message}`)); };

  // 2. The MFA code.
  if (plan.mfaSerial) {
    let code: string | undefined;
    try {
      code = ports.abortSignal?.aborted ? undefined : await ports.promptMfaCode!({ serial: plan.mfaSerial, roleName: plan.roleName, plan });
    } catch (e) {
      await release(e);
      throw e;
    }
    if (code === undefined || ports.abortSignal?.aborted) {
      await release(new Error('cancelled at the MFA prompt'));
      return { status: 'cancelled' };
    }
    const withCode = withTokenCode(plan, code);
    if (!withCode.ok) {
      await release(new Error('invalid MFA code'));
      return { status: 'refused', problems: withCode.problems };
    }
    plan = withCode.plan;
  }

  // 3. 'requested', durable before credentials are handed out; its fsync overlaps the STS round trip.
  const requested = ports.audit.appendNow(requestedRecord(plan, facts)).durable;
  requested.catch(() => undefined);

  // 4. Exactly one AssumeRole.
  ports.onAssumeRole?.(plan);
  let result;
  try {
    result = await elevate(plan, { sts: ports.clients.stsForMfa(), clock, abortSignal: ports.abortSignal, timeoutMs, newId: ports.newId });
  } catch (e) {
    let tr = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
    const maybe = mayHaveIssued(tr);
    if (tr.code === 'Aborted') tr = { ...tr, message: `Cancelled while STS was answering. ${MAY_HAVE_ISSUED}` };
    else if (maybe) tr = { ...tr, message: `${tr.message} ${MAY_HAVE_ISSUED}` };
    await requested.catch(() => undefined);
    await ports.audit.append(failedRecord(plan, tr, { mayHaveIssued: maybe })).catch((err: unknown) => log(`audit 'failed' record not written: ${(err as Error).message}`));
    await release(e);
    return { status: 'failed', error: tr, plan, mayHaveIssued: maybe };
  }
  try {
    await requested;
  } catch (e) {
    // Fail closed: the credentials just obtained are dropped, unused.
    const tr: TranslatedError = {
      code: 'Unknown', title: 'Audit log unavailable', retryable: false,
      message: `The audit log could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), so the session AWS issued was not used. Fix the audit log path or its permissions and elevate again.`,
    };
    await release(e);
    return { status: 'failed', error: tr, plan, mayHaveIssued: true };
  }

  // 5. Check what came back, then register.
  const now = clock.now();
  const lifetime = Date.parse(result.session.expiresAt) - now;
  const asked = plan.input.DurationSeconds * 1000;
  if (!(lifetime > EXPIRED_MARGIN_MS)) {
    const tr: TranslatedError = {
      code: 'ExpiredCredentials', title: 'Session expired on arrival', retryable: true,
      message: `AWS returned credentials that expire at ${result.session.expiresAt}, already past by this computer's clock. Check the system clock (NTP), then elevate again with a new MFA code.`,
    };
    await ports.audit.append(failedRecord(plan, tr, { expiresAt: result.session.expiresAt, accessKeyId: result.session.accessKeyId }))
      .catch((err: unknown) => log(`audit 'failed' record not written: ${(err as Error).message}`));
    await release(new BreakGlassError(tr));
    return { status: 'failed', error: tr, plan, mayHaveIssued: false };
  }
  const shortened = lifetime < asked * 0.5
    ? `AWS issued a session of ${formatDuration(Math.max(60, Math.round(lifetime / 60_000) * 60))} instead of the ${formatDuration(plan.input.DurationSeconds)} asked for; it ends at ${result.session.expiresAt}.`
    : undefined;

  const persisted = ports.store?.add(result.session, result.credentials);
  persisted?.catch(() => undefined);
  let committed: Promise<void> = Promise.resolve();
  if (reservation) committed = reservation.commit(result.session);
  const audit = ports.audit;
  // Queued on the next macrotask: the responder gets the credentials first; `durable` covers both writes.
  const granted = new Promise<void>((resolve) => setImmediate(resolve)).then(() => audit.appendNow({
    event: 'granted', ...sessionAuditFields(result.session), durationSeconds: plan.input.DurationSeconds,
    details: {
      ...(result.packedPolicySize !== undefined ? { packedPolicySize: result.packedPolicySize } : {}),
      ...(shortened ? { shortened: true, grantedSeconds: Math.round(lifetime / 1000) } : {}),
    },
  }).durable);
  granted.catch(() => undefined);
  log(`granted ${result.session.id}: ${result.session.roleSessionName}, key ${result.session.accessKeyId}, token sha256 ${result.session.tokenHash}, expires ${result.session.expiresAt}`);
  return {
    status: 'granted', session: result.session, credentials: result.credentials, plan, notes: plan.notes,
    ...(shortened ? { shortened } : {}),
    durable: Promise.all([granted, persisted, committed]).then(() => undefined),
  };
}

/** One sentence per problem, for a notification or stderr. */
export function describeProblems(problems: readonly PlanProblem[]): string {
  return problems.map((p) => p.message).join(' ');
}
