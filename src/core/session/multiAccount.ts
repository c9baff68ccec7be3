// One MFA code, several accounts: sts:GetSessionToken with the code ONCE (an "MFA session"), then one sts:AssumeRole
// per account signed with those credentials — so aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge hold in every
// role session without a second code.
//
// AWS caps roles assumed with GetSessionToken credentials at one hour: it is role chaining ("Users that use MFA with
// the AWS CLI use temporary credentials to assume another role. The temporary credentials use the AWS STS
// GetSessionToken API and are limited to 1 hour", https://repost.aws/knowledge-center/iam-role-chaining-limit; and
// AssumeRole's DurationSeconds, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). The plans are
// therefore made with baseIsRoleSession (1 h cap, noted), and at exactly 1 h DurationSeconds is left out (AssumeRole's
// default is 3600 s): the console federation endpoint refuses sessions that were assumed with DurationSeconds from
// temporary credentials (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
//
// Every target is planned before the code is asked for (all problems at once, nothing spent); then the MFA session is
// reused while valid (re-elevation without a code), or created with exactly one GetSessionToken; then the AssumeRole
// calls run side by side, each audited on its own ('requested' → 'granted'/'failed', details.mfaSession links them to
// the MFA session) and registered as soon as it succeeds — one account refusing never loses the others.
//
// The MFA session's credentials live only in memory and the injected SecretStore (VS Code SecretStorage), and are
// wiped at expiry and on wipe() (the extension calls it when a derived session is revoked).
import { randomUUID } from 'crypto';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AuditLog, AuditInput } from '../audit/log';
import { BreakGlassError, translateAwsError, type TranslatedError } from '../aws/errors';
import { MFA_SERIAL, MFA_TOKEN_CODE } from '../policy/limits';
import { elevate, planElevation, type ElevationInput, type ElevationPlan, type PlanProblem } from './elevate';
import { builtinPlaybook, type ResolvedPlaybook } from '../playbooks';
import { sessionAuditFields } from './flow';
import type { SessionStore } from './store';
import { systemClock, type Clock, type SecretStore, type Session, type SessionCredentials } from './types';

/** The 1-hour cap AWS puts on roles assumed with GetSessionToken credentials. */
export const MFA_SESSION_ROLE_MAX = 3600;
/** GetSessionToken for an IAM user: 900 s to 129,600 s, default 43,200 s (API_GetSessionToken). */
export const MFA_SESSION_DEFAULT = 43200;
export const MFA_SESSION_MIN = 900;
export const MFA_SESSION_MAX = 129600;
/** An MFA session with less than this left is not reused (a derived role session would be cut short). */
export const MFA_SESSION_REUSE_MARGIN_MS = 5 * 60_000;

export interface MfaSession {
  id: string;
  mfaSerial: string;
  /** ISO 8601 UTC. */
  issuedAt: string;
  expiresAt: string;
  credentials: SessionCredentials;
}

const MFA_KEY = 'breakglass.mfaSession';

/** Holds at most one MFA session: memory + the SecretStore; wiped at expiry. */
export class MfaSessionStore {
  private current?: MfaSession;
  private timer?: unknown;
  private loaded = false;

  constructor(private readonly secrets?: SecretStore, private readonly clock: Clock = systemClock) {}

  /** The MFA session for this device when it is still valid for at least `marginMs`. */
  async get(mfaSerial: string, marginMs = MFA_SESSION_REUSE_MARGIN_MS): Promise<MfaSession | undefined> {
    await this.load();
    const s = this.current;
    if (!s) return undefined;
    if (Date.parse(s.expiresAt) - this.clock.now() <= 0) {
      await this.wipe();
      return undefined;
    }
    if (s.mfaSerial !== mfaSerial || Date.parse(s.expiresAt) - this.clock.now() < marginMs) return undefined;
    return { ...s, credentials: { ...s.credentials } };
  }

  /** Metadata of the current session (no credentials): for pickers. */
  async info(): Promise<Omit<MfaSession, 'credentials'> | undefined> {
    await this.load();
    if (!this.current || Date.parse(this.current.expiresAt) <= this.clock.now()) return undefined;
    const { credentials: _c, ...meta } = this.current;
    return meta;
  }

  async set(s: MfaSession): Promise<void> {
    await this.wipe();
    this.current = { ...s, credentials: { ...s.credentials } };
    this.schedule();
    await this.secrets?.store(MFA_KEY, JSON.stringify(this.current));
  }

  /** Forgets the MFA session: memory and SecretStore. */
  async wipe(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current) {
      this.current.credentials.secretAccessKey = '';
      this.current.credentials.sessionToken = '';
    }
    this.current = undefined;
    this.loaded = true;
    await this.secrets?.delete(MFA_KEY);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const raw = await this.secrets?.get(MFA_KEY);
    if (!raw) return;
    try {
      const s = JSON.parse(raw) as MfaSession;
      if (typeof s.id === 'string' && typeof s.expiresAt === 'string' && s.credentials?.sessionToken && Date.parse(s.expiresAt) > this.clock.now()) {
        this.current = s;
        this.schedule();
        return;
      }
    } catch {
      // unreadable: dropped below
    }
    await this.secrets?.delete(MFA_KEY);
  }

  private schedule(): void {
    if (!this.current) return;
    const ms = Math.max(0, Date.parse(this.current.expiresAt) - this.clock.now());
    this.timer = this.clock.setTimeout(() => void this.wipe(), Math.min(ms, 2 ** 31 - 1));
  }
}

export interface AccountTarget {
  roleArn: string;
  roleMaxSessionDuration?: number;
  region?: string;
}

export interface MultiAccountRequest {
  targets: AccountTarget[];
  /** A built-in playbook's name, or a resolved playbook (src/core/playbooks.ts). */
  playbook: string | ResolvedPlaybook;
  incidentId: string;
  justification: string;
  requester: string;
  /** Seconds, at most 1 h (AWS's cap); default 1 h. */
  durationSeconds?: number;
  mfaSerial: string;
  /** Lifetime of a new MFA session; bounded by the trust policy's aws:MultiFactorAuthAge when the caller knows it. */
  mfaSessionSeconds?: number;
  incidentPattern?: RegExp;
  incidentExample?: string;
}

export interface MultiAccountPorts {
  /** STS with the base (IAM user) credentials, for GetSessionToken: use AwsClients.stsForMfa(). */
  baseSts: STSClient;
  /** STS signed with the MFA session's credentials (an AwsClients with `credentials: identity`). */
  stsFor(identity: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }): STSClient;
  mfaSessions: MfaSessionStore;
  /** Asks for the 6-digit code; called only when no valid MFA session exists. Reject to cancel. */
  promptCode(mfaSerial: string): Promise<string>;
  store?: SessionStore;
  audit?: Pick<AuditLog, 'append'>;
  clock?: Clock;
  abortSignal?: AbortSignal;
  newId?: () => string;
}

export type AccountResult =
  | { roleArn: string; accountId: string; ok: true; session: Session }
  | { roleArn: string; accountId: string; ok: false; error: TranslatedError };

export type MultiAccountResult =
  | { ok: false; problems: Array<PlanProblem & { roleArn?: string }> }
  | { ok: true; mfaSession: { id: string; expiresAt: string; reused: boolean }; results: AccountResult[]; notes: string[] };

let stsModule: Promise<typeof import('@aws-sdk/client-sts')> | undefined;
const sts = () => (stsModule ??= import('@aws-sdk/client-sts'));

/** Plans every account, then spends at most one MFA code, then one AssumeRole per account. */
export async function elevateSeveral(req: MultiAccountRequest, ports: MultiAccountPorts): Promise<MultiAccountResult> {
  const clock = ports.clock ?? systemClock;
  const problems: Array<PlanProblem & { roleArn?: string }> = [];
  const serial = req.mfaSerial?.trim() ?? '';
  if (!MFA_SERIAL.test(serial)) problems.push({ field: 'mfaSerial', message: `"${serial}" is not an MFA device serial; use its ARN, e.g. arn:aws:iam::111122223333:mfa/alice.` });
  if (!req.targets.length) problems.push({ field: 'roleArn', message: 'Choose at least one account.' });
  const arns = req.targets.map((t) => t.roleArn);
  const dup = arns.find((a, i) => arns.indexOf(a) !== i);
  if (dup) problems.push({ field: 'roleArn', roleArn: dup, message: `${dup} is listed twice; choose each account once.` });
  if (req.durationSeconds !== undefined && req.durationSeconds > MFA_SESSION_ROLE_MAX) {
    problems.push({ field: 'durationSeconds', message: 'Roles assumed with one MFA code for several accounts last at most 1 hour (AWS\'s limit for roles assumed with GetSessionToken credentials). Choose 1 hour or less, or elevate into one account directly for longer.' });
  }
  const mfaSeconds = req.mfaSessionSeconds ?? MFA_SESSION_DEFAULT;
  if (!Number.isInteger(mfaSeconds) || mfaSeconds < MFA_SESSION_MIN || mfaSeconds > MFA_SESSION_MAX) {
    problems.push({ field: 'durationSeconds', message: `The MFA session must last ${MFA_SESSION_MIN}–${MFA_SESSION_MAX} seconds, not ${mfaSeconds}.` });
  }
  const plans: ElevationPlan[] = [];
  for (const t of req.targets) {
    const input: ElevationInput = {
      roleArn: t.roleArn, playbook: typeof req.playbook === 'string' ? builtinPlaybook(req.playbook) : req.playbook, incidentId: req.incidentId, justification: req.justification, requester: req.requester,
      durationSeconds: req.durationSeconds ?? MFA_SESSION_ROLE_MAX, roleMaxSessionDuration: t.roleMaxSessionDuration, baseIsRoleSession: true,
      region: t.region, incidentPattern: req.incidentPattern, incidentExample: req.incidentExample,
    };
    const p = planElevation(input);
    if (p.ok) plans.push(p.plan);
    else for (const pr of p.problems) if (!problems.some((x) => x.message === pr.message)) problems.push({ ...pr, roleArn: t.roleArn });
  }
  if (problems.length) return { ok: false, problems };

  // The MFA session: reuse, or exactly one GetSessionToken with a fresh code.
  let mfa = await ports.mfaSessions.get(serial);
  const reused = Boolean(mfa);
  if (!mfa) {
    const code = (await ports.promptCode(serial)).trim();
    if (!MFA_TOKEN_CODE.test(code)) return { ok: false, problems: [{ field: 'tokenCode', message: 'The MFA code must be exactly 6 digits, as shown on your device.' }] };
    const { GetSessionTokenCommand } = await sts();
    let out;
    try {
      out = await ports.baseSts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code, DurationSeconds: mfaSeconds }), { abortSignal: ports.abortSignal });
    } catch (e) {
      throw new BreakGlassError(translateAwsError(e, { operation: 'sts:GetSessionToken', tokenCodeSent: true }));
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new BreakGlassError({ code: 'Unknown', title: 'Incomplete STS answer', retryable: true, message: 'STS answered GetSessionToken without complete credentials; try again with a new code.' });
    }
    const expiration = new Date(c.Expiration).toISOString();
    mfa = {
      id: (ports.newId ?? randomUUID)(), mfaSerial: serial, issuedAt: new Date(clock.now()).toISOString(), expiresAt: expiration,
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration },
    };
    await ports.mfaSessions.set(mfa);
  }
  const mfaSession = mfa;
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = mfaSession.credentials;
  const client = ports.stsFor({ accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiration) });
  const notes = [...new Set(plans.flatMap((p) => p.notes))];
  const mfaLeft = Date.parse(mfaSession.expiresAt) - clock.now();
  if (plans.some((p) => p.input.DurationSeconds * 1000 > mfaLeft)) notes.push(`The MFA session ends at ${mfaSession.expiresAt}; sessions assumed now end no later.`);

  const results = await Promise.all(plans.map(async (plan): Promise<AccountResult> => {
    const link = { mfaSession: mfaSession.id, via: 'GetSessionToken', reusedMfaSession: reused };
    const base: AuditInput = {
      event: 'requested', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
      requester: plan.requester, justification: plan.justification, durationSeconds: plan.input.DurationSeconds, details: link,
    };
    try {
      await ports.audit?.append(base);
    } catch (e) {
      return { roleArn: plan.roleArn, accountId: plan.accountId, ok: false, error: { code: 'Unknown', title: 'Audit log unavailable', retryable: false, message: `The audit log could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), so this account was not elevated.` } };
    }
    // At exactly 1 h, DurationSeconds is AssumeRole's default: leave it out (console sign-in stays possible).
    const input = { ...plan.input };
    if (input.DurationSeconds === MFA_SESSION_ROLE_MAX) delete (input as Partial<typeof input>).DurationSeconds;
    try {
      const r = await elevate({ ...plan, input }, { sts: client, clock, abortSignal: ports.abortSignal, newId: ports.newId });
      await ports.store?.add(r.session, r.credentials);
      await ports.audit?.append({ event: 'granted', ...sessionAuditFields(r.session), durationSeconds: plan.input.DurationSeconds, details: link }).catch(() => undefined);
      return { roleArn: plan.roleArn, accountId: plan.accountId, ok: true, session: r.session };
    } catch (e) {
      const t = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
      await ports.audit?.append({ ...base, event: 'failed', reason: { code: t.code, message: t.message } }).catch(() => undefined);
      return { roleArn: plan.roleArn, accountId: plan.accountId, ok: false, error: t };
    }
  }));
  return { ok: true, mfaSession: { id: mfaSession.id, expiresAt: mfaSession.expiresAt, reused }, results, notes };
}
