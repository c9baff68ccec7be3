// The readiness drill: for every configured account, role and break-glass user, is the pre-provisioned access there,
// as designed, and usable? Each finding is pass / warn / fail with a reason and a fix; one failing check never stops
// the others, and an unreachable account is one failure, not an abort. Exit code for CI: 0 all pass, 1 warnings,
// 2 failures. Reads IAM only; `live` additionally elevates into each role with MFA and the read-only playbook.
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../aws/clients';
import { translateAwsError } from '../aws/errors';
import { fetchGuardrails, GuardrailCache, guardrailPolicies, type GuardrailsOutcome } from '../aws/organizations';
import type { Partition } from '../config';
import { evaluate, type RequestContext } from '../policy/evaluate';
import { guardrailRemovals } from '../policy/guardrails';
import { getManagedPolicy } from '../policy/managed';
import type { NamedPolicy } from '../policy/types';
import { ROLE_TEMPLATE_PLAYBOOKS, SESSION_POLICY_TEMPLATES } from '../templates';
import { canonicalPolicy, samePolicy, unifiedDiff } from '../provision/compare';
import { REVOKE_POLICY, type DesiredAccount, type DesiredRole, type DesiredState, type DesiredUser } from '../provision/desired';
import { observeAccount, type ObservedRole, type ObservedUser, type PasswordPolicy } from '../provision/observe';
import { analyzeTrust, type TrustExpectation } from '../provision/trust';

export type FindingStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Finding {
  accountId: string;
  /** `role BREAK-GLASS-…`, `user alice-BREAK-GLASS` or `account`. */
  subject: string;
  check: string;
  status: FindingStatus;
  reason: string;
  fix?: string;
  diff?: string;
}

export interface AccountSummary {
  accountId: string;
  name: string;
  status: 'pass' | 'warn' | 'fail';
  pass: number;
  warn: number;
  fail: number;
  skip: number;
}

export interface DrillReport {
  generatedAt: string;
  live: boolean;
  accounts: AccountSummary[];
  findings: Finding[];
  exitCode: 0 | 1 | 2;
}

export interface LiveResult {
  /** The ARN GetCallerIdentity returned for the elevated session. */
  callerArn: string;
}

export interface DrillDeps {
  clientsFor(accountId: string, partition: Partition): Promise<AwsClients>;
  now?: () => number;
  /** With `--live`: elevate into the role with MFA and the read-only playbook, call GetCallerIdentity, revoke nothing. */
  live?: (role: DesiredRole) => Promise<LiveResult>;
  /**
   * The Organizations client of the credentials the drill uses for the organisation (the caller's), to read each
   * account's SCPs. Without it the guardrail check is reported as not checked.
   */
  organizations?: () => Promise<OrganizationsClient>;
  /**
   * Check the break-glass alerting (EventBridge rules → SNS topic with a confirmed subscription, src/core/trail/alerting)
   * in every account with break-glass roles or users, with that account's clients. Off: not checked.
   */
  alerting?: { topicName?: string };
}

/** Days after which a break-glass password that was never (or long not) used is worth a warning. */
export const STALE_DAYS = 180;

export const GUARDRAIL_NOTE = 'not checked: this run has no Organizations access, so the account\'s SCPs were not read';

/** The default region the key actions are evaluated in when the account configures none. */
export const DEFAULT_DRILL_REGION = 'us-east-1';

type F = Omit<Finding, 'accountId' | 'subject'>;

function fmtSet(items: string[]): string {
  return items.length ? items.join(', ') : '(none)';
}

export function evaluateRole(d: DesiredRole, o: ObservedRole | null, expect: TrustExpectation): F[] {
  const out: F[] = [];
  if (!o) {
    return [{ check: 'role.exists', status: 'fail', reason: `Role ${d.name} does not exist in account ${d.accountId}.`, fix: 'Run `breakglass provision --apply` (or deploy the exported CloudFormation template).' }];
  }
  out.push({ check: 'role.exists', status: 'pass', reason: `Role ${o.arn} exists.` });
  if (o.path !== d.path) out.push({ check: 'role.path', status: 'fail', reason: `Role path is ${o.path}, not ${d.path}: the break-glass users may assume only role${d.path}BREAK-GLASS-*.`, fix: `Recreate the role under ${d.path} (IAM cannot move a role).` });
  for (const t of analyzeTrust(o.trustPolicyInvalid !== undefined ? undefined : o.trustPolicy, expect)) {
    out.push({ check: t.check, status: t.status, reason: t.reason, ...(t.fix ? { fix: t.fix } : {}) });
  }
  if (o.maxSessionDuration === d.maxSessionDuration) out.push({ check: 'role.maxSessionDuration', status: 'pass', reason: `MaxSessionDuration is ${d.maxSessionDuration} s, as in template ${d.template}.` });
  else {
    out.push({
      check: 'role.maxSessionDuration', status: o.maxSessionDuration > d.maxSessionDuration ? 'fail' : 'warn',
      reason: `MaxSessionDuration is ${o.maxSessionDuration} s; template ${d.template} sets ${d.maxSessionDuration} s${o.maxSessionDuration > d.maxSessionDuration ? ' (longer sessions than designed)' : ' (playbooks may be clamped)'}.`,
      fix: 'Run `breakglass provision --apply` to restore it.',
    });
  }
  if (o.permissionsBoundary === d.permissionsBoundary) out.push({ check: 'role.boundary', status: 'pass', reason: `Permissions boundary ${d.permissionsBoundary ?? '(none)'} as designed.` });
  else {
    out.push({
      check: 'role.boundary', status: d.permissionsBoundary ? 'fail' : 'warn',
      reason: `Permissions boundary is ${o.permissionsBoundary ?? '(none)'}; template ${d.template} sets ${d.permissionsBoundary ?? '(none)'}.`,
      fix: 'Run `breakglass provision --apply` to restore it.',
    });
  }
  const wrongTags = Object.entries(d.tags).filter(([k, v]) => o.tags[k] !== v);
  out.push(wrongTags.length
    ? { check: 'role.tags', status: 'warn', reason: `Tags differ from the design: ${wrongTags.map(([k, v]) => `${k} is ${o.tags[k] === undefined ? 'missing' : `"${o.tags[k]}"`} (expected "${v}")`).join('; ')}.`, fix: 'Run `breakglass provision --apply` to re-tag (discovery and alerting rely on Purpose=IncidentResponse).' }
    : { check: 'role.tags', status: 'pass', reason: 'Tags Purpose, RoleType, PlaybookName and CreatedBy as designed.' });
  const extra = o.managedPolicies.filter((a) => !d.managedPolicies.includes(a));
  const missing = d.managedPolicies.filter((a) => !o.managedPolicies.includes(a));
  if (extra.length) {
    out.push({ check: 'role.managedPolicies', status: 'fail', reason: `Attached but not in template ${d.template}: ${extra.join(', ')}.`, fix: `Detach ${extra.map((a) => a.split('/').pop()).join(', ')} (\`breakglass provision --apply\` does).` });
  }
  if (missing.length) out.push({ check: 'role.managedPolicies', status: 'warn', reason: `Template ${d.template} attaches ${missing.join(', ')}, which is not attached.`, fix: 'Run `breakglass provision --apply --allow-broadening` to attach it.' });
  if (!extra.length && !missing.length) out.push({ check: 'role.managedPolicies', status: 'pass', reason: `Managed policies as designed: ${fmtSet(d.managedPolicies)}.` });
  const inlineProblems: F[] = [];
  for (const [pn, doc] of Object.entries(d.inlinePolicies)) {
    const have = o.inlinePolicies[pn];
    if (have === undefined) inlineProblems.push({ check: 'role.inlinePolicies', status: 'warn', reason: `Inline policy ${pn} of template ${d.template} is missing.`, fix: 'Run `breakglass provision --apply --allow-broadening`.' });
    else if (!samePolicy(have, doc)) {
      inlineProblems.push({
        check: 'role.inlinePolicies', status: 'fail', reason: `Inline policy ${pn} differs from template ${d.template}.`,
        fix: 'Review the diff; `breakglass provision --apply` restores the template (with --allow-broadening if that widens it).',
        diff: unifiedDiff(typeof have === 'string' ? have : canonicalPolicy(have), canonicalPolicy(doc)),
      });
    }
  }
  for (const pn of Object.keys(o.inlinePolicies).filter((n) => !(n in d.inlinePolicies) && n !== REVOKE_POLICY)) {
    inlineProblems.push({ check: 'role.inlinePolicies', status: 'fail', reason: `Inline policy ${pn} is not in template ${d.template}.`, fix: `Delete it (\`breakglass provision --apply\` does) or add it to .breakglass/roles/${d.template}.json.`, diff: unifiedDiff(canonicalPolicy(o.inlinePolicies[pn]), '') });
  }
  out.push(...(inlineProblems.length ? inlineProblems : [{ check: 'role.inlinePolicies', status: 'pass' as const, reason: `Inline policies as designed: ${fmtSet(Object.keys(d.inlinePolicies))}.` }]));
  const revoke = o.inlinePolicies[REVOKE_POLICY];
  if (revoke !== undefined) {
    const cutoff = /"aws:TokenIssueTime"\s*:\s*"([^"]+)"/i.exec(JSON.stringify(revoke))?.[1];
    out.push({
      check: 'role.revokeLeftover', status: 'warn',
      reason: `A leftover ${REVOKE_POLICY} policy denies every session issued before ${cutoff ?? 'an unreadable cut-off'}.`,
      fix: `Once the incident it was for is closed, delete the inline policy ${REVOKE_POLICY} (aws iam delete-role-policy --role-name ${d.name} --policy-name ${REVOKE_POLICY}).`,
    });
  } else out.push({ check: 'role.revokeLeftover', status: 'pass', reason: `No leftover ${REVOKE_POLICY} policy.` });
  return out;
}

/**
 * The playbooks a role is meant for: the config's `playbook` when it names a built-in playbook, else its template's
 * (ROLE_TEMPLATE_PLAYBOOKS). Empty for a custom template with no playbook named.
 */
export function playbooksFor(role: Pick<DesiredRole, 'template' | 'playbook'>): string[] {
  if (role.playbook && SESSION_POLICY_TEMPLATES[role.playbook]) return [role.playbook];
  return [...(ROLE_TEMPLATE_PLAYBOOKS[role.template] ?? [])];
}

/**
 * A playbook's key actions: the actions its session policy's Allow statements name explicitly, each with the
 * statement's first Resource. Wildcard patterns (`ec2:Describe*`, `detective:*`, `*`) are not expanded against the
 * catalog: the actions a playbook author spelled out are the ones its steps rely on, and expanding `*` would turn the
 * report into thousands of lines. They are counted so the report can say what was left out.
 */
export function keyActions(playbook: string): { requests: Array<{ action: string; resource: string }>; wildcards: string[] } {
  const t = SESSION_POLICY_TEMPLATES[playbook];
  const requests: Array<{ action: string; resource: string }> = [];
  const wildcards: string[] = [];
  const seen = new Set<string>();
  const statements = t ? (Array.isArray(t.policy.Statement) ? t.policy.Statement : [t.policy.Statement]) : [];
  for (const s of statements) {
    if (s.Effect !== 'Allow' || s.Action === undefined) continue;
    const resources = s.Resource === undefined ? ['*'] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    const resource = resources[0] ?? '*';
    for (const a of Array.isArray(s.Action) ? s.Action : [s.Action]) {
      if (/[*?]/.test(a)) {
        if (!wildcards.includes(a)) wildcards.push(a);
        continue;
      }
      const key = `${a.toLowerCase()} ${resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      requests.push({ action: a, resource });
    }
  }
  return { requests, wildcards };
}

const GUARDRAIL_FIX_FAIL = 'Ask the organisation\'s administrators to exempt the incident-response roles from that statement (e.g. a Condition ArnNotLike aws:PrincipalArn arn:aws:iam::*:role/incident-response/BREAK-GLASS-*), or drop the action from the playbook if the steps do not need it.';

/**
 * For each playbook the role is meant for: are its key actions, allowed by the role's designed identity policies,
 * boundary and the playbook's session policy, taken away by the account's SCPs? Evaluated in each of the account's
 * regions (aws:RequestedRegion), as an MFA-authenticated session of the role. Outcomes that could not be read are
 * reported once per account (accountGuardrailFinding), so here `outcome.ok` is true.
 */
export function evaluateGuardrails(d: DesiredRole, outcome: Extract<GuardrailsOutcome, { ok: true }>, regions: readonly string[] = [DEFAULT_DRILL_REGION]): F[] {
  const playbooks = playbooksFor(d);
  if (!playbooks.length) {
    return [{ check: 'role.guardrails', status: 'skip', reason: `not checked: template ${d.template} names no playbook and the config gives none a built-in playbook name`, fix: `Set "playbook" of ${d.name} in .breakglass/config.json to a built-in playbook (${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}).` }];
  }
  const identity: NamedPolicy[] = [];
  const unknown: string[] = [];
  for (const arn of d.managedPolicies) {
    const p = getManagedPolicy(arn);
    if (p) identity.push(p);
    else unknown.push(arn);
  }
  for (const [pn, document] of Object.entries(d.inlinePolicies)) identity.push({ name: `${d.name}/${pn}`, document });
  let boundary: NamedPolicy | null = null;
  if (d.permissionsBoundary) {
    boundary = getManagedPolicy(d.permissionsBoundary) ?? null;
    if (!boundary) unknown.push(d.permissionsBoundary);
  }
  const scps = guardrailPolicies(outcome);
  const where = `${outcome.levels.length} SCP level${outcome.levels.length === 1 ? '' : 's'} (${outcome.levels.map((l) => l.targetId).join(' → ')})`;
  const principal = `arn:${d.partition}:sts::${d.accountId}:assumed-role/${d.name}/readiness-drill`;
  const out: F[] = [];
  for (const pb of playbooks) {
    const { requests, wildcards } = keyActions(pb);
    const removed = new Map<string, { regions: string[]; reasons: Set<string> }>();
    let allowedSomewhere = 0;
    for (const r of requests) {
      let allowed = false;
      for (const region of regions) {
        const request: RequestContext = {
          principal, roleArn: d.arn, action: r.action, resource: r.resource,
          context: { 'aws:MultiFactorAuthPresent': 'true', 'aws:RequestedRegion': region, 'aws:PrincipalAccount': d.accountId },
        };
        const own = { identity, boundary, session: [{ name: `playbook ${pb}`, document: SESSION_POLICY_TEMPLATES[pb].policy }] };
        // Actions the role and playbook do not allow anyway are not the guardrails' doing.
        if (evaluate(request, own).decision !== 'Allowed') continue;
        allowed = true;
        const removals = guardrailRemovals([request], { ...own, serviceControlPolicies: scps });
        if (removals.length) {
          const entry = removed.get(r.action) ?? { regions: [], reasons: new Set<string>() };
          entry.regions.push(region);
          for (const why of removals[0].reasons) entry.reasons.add(why);
          removed.set(r.action, entry);
        }
      }
      if (allowed) allowedSomewhere++;
    }
    const caveats: string[] = [];
    if (wildcards.length) caveats.push(`wildcard entries not expanded: ${wildcards.join(', ')}`);
    const notAllowed = requests.length - allowedSomewhere;
    if (notAllowed) caveats.push(`${notAllowed} of ${requests.length} key actions are not allowed by the role and playbook themselves in ${regions.join(', ')}, so the guardrails do not decide them`);
    if (unknown.length) caveats.push(`not in the bundled managed policy data, so not evaluated: ${unknown.join(', ')}`);
    const tail = caveats.length ? ` (${caveats.join('; ')})` : '';
    if (removed.size) {
      const items = [...removed].map(([action, e]) => `${action}${regions.length > 1 ? ` in ${e.regions.join(', ')}` : ''}: ${[...e.reasons].join('; ')}`);
      out.push({
        check: 'role.guardrails', status: 'fail',
        reason: `Playbook ${pb}: the account's SCPs remove ${removed.size} key action${removed.size === 1 ? '' : 's'} — ${items.join(' | ')}${tail}.`,
        fix: GUARDRAIL_FIX_FAIL,
      });
    } else if (!requests.length) {
      out.push({ check: 'role.guardrails', status: 'skip', reason: `not checked: playbook ${pb} names no explicit action${tail}` });
    } else {
      out.push({
        check: 'role.guardrails', status: 'pass',
        reason: outcome.levels.length
          ? `Playbook ${pb}: no key action is removed by the ${where}; ${allowedSomewhere} of ${requests.length} checked${tail}.`
          : `Playbook ${pb}: no SCPs apply (${outcome.note ?? 'none attached'}); ${allowedSomewhere} of ${requests.length} key actions allowed${tail}.`,
      });
    }
  }
  return out;
}

/** The account-level finding when the SCPs could not be read (Organizations refused, or the call failed). */
export function accountGuardrailFinding(outcome: Extract<GuardrailsOutcome, { ok: false }>, roles: readonly DesiredRole[]): F {
  const actions = [...new Set(roles.flatMap((r) => playbooksFor(r).flatMap((pb) => keyActions(pb).requests.map((q) => q.action))))];
  return {
    check: 'account.guardrails', status: 'warn',
    reason: `${outcome.note[0].toUpperCase()}${outcome.note.slice(1)}; whether they remove the playbooks' key actions for ${roles.map((r) => r.name).join(', ')} is unknown.`,
    fix: 'Run the check with credentials of the organisation\'s management account or a delegated administrator for Organizations '
      + '(allowed organizations:ListParents, organizations:ListPoliciesForTarget and organizations:DescribePolicy), '
      + `or ask its administrators to confirm that no SCP removes ${actions.slice(0, 8).join(', ')}${actions.length > 8 ? ', …' : ''}.`,
  };
}

export function evaluateUser(d: DesiredUser, o: ObservedUser | null, nowMs: number): F[] {
  if (!o) return [{ check: 'user.exists', status: 'fail', reason: `Break-glass user ${d.name} does not exist.`, fix: 'Run `breakglass provision --apply`.' }];
  const out: F[] = [{ check: 'user.exists', status: 'pass', reason: `User ${o.arn} exists.` }];
  out.push(o.mfaDevices.length
    ? { check: 'user.mfa', status: 'pass', reason: `MFA device enabled (${o.mfaDevices.join(', ')}).` }
    : { check: 'user.mfa', status: 'fail', reason: `${d.name} has no MFA device: the roles' trust policies will refuse every elevation.`, fix: `Sign in as ${d.name} and enrol a device (IAM console → Security credentials → Assign MFA device), or: aws iam create-virtual-mfa-device --virtual-mfa-device-name ${d.name} … && aws iam enable-mfa-device --user-name ${d.name} ….` });
  const active = o.accessKeys.filter((k) => k.status === 'Active');
  const inactive = o.accessKeys.filter((k) => k.status !== 'Active');
  if (active.length) out.push({ check: 'user.accessKeys', status: 'fail', reason: `Active access key(s) ${active.map((k) => k.id).join(', ')}: break-glass users must have no long-lived keys.`, fix: `aws iam delete-access-key --user-name ${d.name} --access-key-id ${active[0].id}` });
  else if (inactive.length) out.push({ check: 'user.accessKeys', status: 'warn', reason: `Inactive access key(s) ${inactive.map((k) => k.id).join(', ')} remain.`, fix: `Delete them: aws iam delete-access-key --user-name ${d.name} --access-key-id ${inactive[0].id}` });
  else out.push({ check: 'user.accessKeys', status: 'pass', reason: 'No access keys.' });
  if (!o.loginProfile) out.push({ check: 'user.password', status: 'fail', reason: `${d.name} has no console password: it cannot sign in when federation is down.`, fix: 'Run `breakglass provision --apply` (the password is shown once).' });
  else if (o.loginProfile.passwordResetRequired) out.push({ check: 'user.password', status: 'warn', reason: 'A password is set but the responder has not yet replaced the initial one.', fix: `${d.responder} signs in once, sets their own password and enrols MFA.` });
  else out.push({ check: 'user.password', status: 'pass', reason: 'A console password is set.' });
  if (!o.passwordLastUsed) out.push({ check: 'user.lastUsed', status: 'warn', reason: `${d.name} has never signed in.`, fix: 'Rehearse: sign in once as part of the drill so the credentials are known to work.' });
  else {
    const days = Math.floor((nowMs - Date.parse(o.passwordLastUsed)) / 86_400_000);
    out.push(days > STALE_DAYS
      ? { check: 'user.lastUsed', status: 'warn', reason: `Last sign-in ${days} days ago (${o.passwordLastUsed}).`, fix: 'Rehearse a sign-in so the password and MFA device are known to work.' }
      : { check: 'user.lastUsed', status: 'pass', reason: `Last sign-in ${o.passwordLastUsed} (${days} days ago).` });
  }
  const problems: F[] = [];
  for (const [pn, doc] of Object.entries(d.inlinePolicies)) {
    const have = o.inlinePolicies[pn];
    if (have === undefined) problems.push({ check: 'user.policies', status: 'fail', reason: `Inline policy ${pn} is missing.`, fix: 'Run `breakglass provision --apply`.' });
    else if (!samePolicy(have, doc)) problems.push({ check: 'user.policies', status: 'fail', reason: `Inline policy ${pn} differs from the design.`, fix: 'Run `breakglass provision --apply`.', diff: unifiedDiff(typeof have === 'string' ? have : canonicalPolicy(have), canonicalPolicy(doc)) });
  }
  const extraInline = Object.keys(o.inlinePolicies).filter((n) => !(n in d.inlinePolicies));
  if (extraInline.length || o.managedPolicies.length) {
    problems.push({ check: 'user.policies', status: 'fail', reason: `Policies beyond the design: ${fmtSet([...extraInline, ...o.managedPolicies])} — break-glass users may only assume incident-response roles.`, fix: 'Run `breakglass provision --apply` to remove them.' });
  }
  out.push(...(problems.length ? problems : [{ check: 'user.policies', status: 'pass' as const, reason: `Policies as designed: ${Object.keys(d.inlinePolicies).join(', ')}; nothing attached.` }]));
  return out;
}

export function evaluatePasswordPolicy(p: PasswordPolicy | null): F {
  const fix = 'aws iam update-account-password-policy --minimum-password-length 14 --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters --allow-users-to-change-password';
  if (!p) return { check: 'account.passwordPolicy', status: 'fail', reason: 'No account password policy is set: IAM\'s default (8 characters, no classes required) applies to the break-glass users.', fix };
  const weak: string[] = [];
  if (p.minimumPasswordLength < 14) weak.push(`minimum length ${p.minimumPasswordLength} (< 14)`);
  if (!p.requireSymbols) weak.push('symbols not required');
  if (!p.requireNumbers) weak.push('numbers not required');
  if (!p.requireUppercase) weak.push('upper-case not required');
  if (!p.requireLowercase) weak.push('lower-case not required');
  if (!p.allowUsersToChangePassword) weak.push('users cannot change their own password (a reset-required first sign-in needs iam:ChangePassword)');
  return weak.length
    ? { check: 'account.passwordPolicy', status: 'warn', reason: `The account password policy is weaker than recommended: ${weak.join('; ')}.`, fix }
    : { check: 'account.passwordPolicy', status: 'pass', reason: 'The account password policy is strong (≥ 14 characters, all classes, users may change their password).' };
}

export function exitCodeOf(findings: Finding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.status === 'fail')) return 2;
  if (findings.some((f) => f.status === 'warn')) return 1;
  return 0;
}

function summarize(d: DesiredAccount, findings: Finding[]): AccountSummary {
  const mine = findings.filter((f) => f.accountId === d.accountId);
  const n = (s: FindingStatus) => mine.filter((f) => f.status === s).length;
  const fail = n('fail');
  const warn = n('warn');
  return { accountId: d.accountId, name: d.name, status: fail ? 'fail' : warn ? 'warn' : 'pass', pass: n('pass'), warn, fail, skip: n('skip') };
}

async function accountGuardrails(accountId: string, deps: DrillDeps, cache: GuardrailCache): Promise<GuardrailsOutcome | undefined> {
  if (!deps.organizations) return undefined;
  try {
    return await fetchGuardrails(await deps.organizations(), accountId, { cache });
  } catch (e) {
    const t = translateAwsError(e, { operation: 'Organizations' });
    return { ok: false, note: `guardrails not checked: ${t.title}: ${t.message}` };
  }
}

async function drillAccount(d: DesiredAccount, desired: DesiredState, deps: DrillDeps, nowMs: number, cache: GuardrailCache): Promise<Finding[]> {
  const at = (subject: string) => (f: F): Finding => ({ accountId: d.accountId, subject, ...f });
  const guardrails = d.roles.length ? accountGuardrails(d.accountId, deps, cache) : Promise.resolve(undefined);
  let observed;
  try {
    const clients = await deps.clientsFor(d.accountId, d.partition);
    observed = await observeAccount(clients.iam(), d);
  } catch (e) {
    const t = translateAwsError(e);
    return [at('account')({ check: 'account.reachable', status: 'fail', reason: `Account ${d.name} (${d.accountId}) could not be read: ${t.title}: ${t.message}`, fix: 'Check the credentials (or provisioningRoleName) for this account and run the check again.' })];
  }
  const out: Finding[] = [];
  const expect: TrustExpectation = { ...desired.provisioning, partition: d.partition };
  const scps = await guardrails;
  if (scps && !scps.ok) out.push(at('account')(accountGuardrailFinding(scps, d.roles)));
  for (const r of d.roles) {
    const o = observed.roles.get(r.name) ?? null;
    out.push(...evaluateRole(r, o, expect).map(at(`role ${r.name}`)));
    if (!scps) out.push(at(`role ${r.name}`)({ check: 'role.guardrails', status: 'skip', reason: GUARDRAIL_NOTE }));
    else if (scps.ok) out.push(...evaluateGuardrails(r, scps, d.regions).map(at(`role ${r.name}`)));
    if (deps.live && o) {
      try {
        const live = await deps.live(r);
        const expected = `:assumed-role/${r.name}/`;
        out.push(at(`role ${r.name}`)(live.callerArn.includes(expected)
          ? { check: 'role.live', status: 'pass', reason: `Elevated with MFA and the read-only playbook; GetCallerIdentity is ${live.callerArn}.` }
          : { check: 'role.live', status: 'fail', reason: `Elevation returned an unexpected identity ${live.callerArn}.`, fix: 'Check the role ARN in the config.' }));
      } catch (e) {
        const t = translateAwsError(e, { roleArn: r.arn });
        out.push(at(`role ${r.name}`)({ check: 'role.live', status: 'fail', reason: `Elevation failed: ${t.title}: ${t.message}`, fix: 'Fix the reason above; the static checks of this role point at the cause.' }));
      }
    }
  }
  for (const u of d.users) out.push(...evaluateUser(u, observed.users.get(u.name) ?? null, nowMs).map(at(`user ${u.name}`)));
  if (observed.passwordPolicy !== undefined) out.push(at('account')(evaluatePasswordPolicy(observed.passwordPolicy)));
  if (deps.alerting && (d.roles.length || d.users.length)) out.push(...(await alertingFindings(d, deps)).map(at('account')));
  return out;
}

/** The alerting check (issue 11) as drill findings: ok → pass, warning → warn, error → fail. */
async function alertingFindings(d: DesiredAccount, deps: DrillDeps): Promise<F[]> {
  try {
    const clients = await deps.clientsFor(d.accountId, d.partition);
    // Loaded on first use (the EventBridge/SNS SDKs stay off the activation path); require(): tsx and esbuild resolve it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkAlerting } = require('../trail/alerting') as typeof import('../trail/alerting');
    const found = await checkAlerting({ events: clients.eventBridge(), sns: clients.sns() }, { topicName: deps.alerting?.topicName });
    return found.map((f) => ({ check: f.id, status: f.severity === 'ok' ? 'pass' : f.severity === 'warning' ? 'warn' : 'fail', reason: f.message, ...(f.fix ? { fix: f.fix } : {}) }));
  } catch (e) {
    const t = translateAwsError(e);
    return [{ check: 'alerting', status: 'fail', reason: `The alerting of ${d.name} could not be checked: ${t.title}: ${t.message}`, fix: 'Allow events:DescribeRule, events:ListTargetsByRule and sns:ListSubscriptionsByTopic, or run `breakglass alerting check` where you can.' }];
  }
}

export async function runDrill(desired: DesiredState, deps: DrillDeps): Promise<DrillReport> {
  const nowMs = (deps.now ?? Date.now)();
  const cache = new GuardrailCache();
  const per = await Promise.all(desired.accounts.map((d) => drillAccount(d, desired, deps, nowMs, cache)));
  const findings = per.flat();
  const config: Finding[] = desired.problems.map((p) => ({ accountId: '', subject: 'config', check: 'config', status: 'fail', reason: p, fix: 'Fix .breakglass/config.json.' }));
  const all = [...config, ...findings];
  return {
    generatedAt: new Date(nowMs).toISOString(), live: Boolean(deps.live),
    accounts: desired.accounts.map((d) => summarize(d, all)), findings: all, exitCode: exitCodeOf(all),
  };
}
