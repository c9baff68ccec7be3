// Does a role's trust policy require MFA correctly and trust no more than the configured break-glass principals?
// Semantics (IAM User Guide):
//  - aws:MultiFactorAuthPresent is absent from requests signed with long-term keys; with BoolIfExists (or a "false"
//    value) such requests pass, so only `Bool` with "true" requires MFA
//    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
//  - aws:MultiFactorAuthAge bounds how old the MFA sign-in may be; without a Numeric bound any age passes
//    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthage).
//  - Passing session tags needs sts:TagSession in the trust policy
//    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required), and
//    setting a source identity needs sts:SetSourceIdentity
//    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
// An unreadable policy is a failure, never a pass.
import type { Partition } from '../config';

export type Status = 'pass' | 'warn' | 'fail';

export interface TrustFinding {
  check: 'trust.document' | 'trust.assumeRole' | 'trust.principals' | 'trust.mfa' | 'trust.mfaAge' | 'trust.tagSession' | 'trust.sourceIdentity' | 'trust.actions';
  status: Status;
  reason: string;
  fix?: string;
}

export interface TrustExpectation {
  securityAccountId: string;
  partition: Partition;
  trustedPrincipalArns: string[];
  mfaMaxAgeSeconds: number;
}

type Stmt = Record<string, unknown>;

const arr = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM wildcard match (* and ?), case-insensitive as action names are. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  const re = pattern.split('*').map((x) => x.split('?').map((y) => y.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.')).join('.*');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

/** Condition entries of one statement, operator and key as written, with case-insensitive key lookup. */
function conditionEntries(s: Stmt, key: string): Array<{ op: string; values: string[] }> {
  const out: Array<{ op: string; values: string[] }> = [];
  const cond = s.Condition;
  if (typeof cond !== 'object' || cond === null) return out;
  for (const [op, block] of Object.entries(cond as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue;
    for (const [k, v] of Object.entries(block as Record<string, unknown>)) {
      if (k.toLowerCase() === key.toLowerCase()) out.push({ op, values: arr(v) });
    }
  }
  return out;
}

function allows(s: Stmt, action: string): boolean {
  return s.Effect === 'Allow' && arr(s.Action).some((a) => wildcardMatch(a, action));
}

export function analyzeTrust(policy: unknown, expect: TrustExpectation): TrustFinding[] {
  const findings: TrustFinding[] = [];
  const fixTrust = 'Run `breakglass provision --apply` to restore the provisioned trust policy, or edit it to match.';
  if (typeof policy !== 'object' || policy === null || !('Statement' in policy)) {
    return [{ check: 'trust.document', status: 'fail', reason: 'The trust policy is not a policy document with a Statement.', fix: fixTrust }];
  }
  const raw = (policy as { Statement: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as Stmt[];
  if (statements.some((s) => typeof s !== 'object' || s === null || (s.Effect !== 'Allow' && s.Effect !== 'Deny'))) {
    return [{ check: 'trust.document', status: 'fail', reason: 'A trust policy statement has no valid Effect ("Allow" or "Deny").', fix: fixTrust }];
  }
  const notElements = statements.filter((s) => s.Effect === 'Allow' && (s.NotPrincipal !== undefined || s.NotAction !== undefined));
  const sts = statements.filter((s) => s.Effect === 'Allow' && arr(s.Action).some((a) => /^sts:/i.test(a) || a === '*'));
  const assume = statements.filter((s) => allows(s, 'sts:AssumeRole'));
  const fixMfa = `Require MFA with "Condition": { "Bool": { "aws:MultiFactorAuthPresent": "true" }, "NumericLessThan": { "aws:MultiFactorAuthAge": "${expect.mfaMaxAgeSeconds}" } } — ${fixTrust}`;
  if (notElements.length) {
    findings.push({ check: 'trust.principals', status: 'fail', reason: 'An Allow statement uses NotPrincipal or NotAction, which trusts everything not listed.', fix: fixTrust });
  }
  if (!assume.length) {
    findings.push({ check: 'trust.assumeRole', status: 'fail', reason: 'No statement allows sts:AssumeRole: nobody can elevate into this role.', fix: fixTrust });
    return findings;
  }
  findings.push({ check: 'trust.assumeRole', status: 'pass', reason: 'sts:AssumeRole is allowed.' });

  // Principals: every Allow statement with STS actions may name only the security account (narrowed by
  // aws:PrincipalArn to the configured patterns) or principals matching those patterns.
  const root = `arn:${expect.partition}:iam::${expect.securityAccountId}:root`;
  const withinConfigured = (arn: string) => expect.trustedPrincipalArns.some((p) => p === arn || (!/[*?]/.test(arn) && wildcardMatch(p, arn, false)));
  const wider: string[] = [];
  for (const s of sts) {
    const pr = s.Principal;
    if (pr === '*' || pr === undefined) {
      wider.push('"*" (any AWS principal)');
      continue;
    }
    const p = pr as Record<string, unknown>;
    for (const kind of Object.keys(p)) if (kind !== 'AWS') wider.push(`${kind} ${arr(p[kind]).join(', ')}`);
    for (const a of arr(p.AWS)) {
      if (a === '*') wider.push('"*" (any AWS principal)');
      else if (a === root || a === expect.securityAccountId) {
        const narrowed = conditionEntries(s, 'aws:PrincipalArn')
          .filter((c) => ['ArnLike', 'ArnEquals', 'StringLike', 'StringEquals'].includes(c.op));
        if (!narrowed.length || !narrowed.every((c) => c.values.every(withinConfigured))) {
          wider.push(`every principal of account ${expect.securityAccountId}${narrowed.length ? ` matching ${narrowed.flatMap((c) => c.values).join(', ')}` : ''}`);
        }
      } else if (!withinConfigured(a)) wider.push(a);
    }
  }
  findings.push(wider.length
    ? { check: 'trust.principals', status: 'fail', reason: `Principals wider than configured: ${[...new Set(wider)].join('; ')} (configured: ${expect.trustedPrincipalArns.join(', ')}).`, fix: fixTrust }
    : { check: 'trust.principals', status: 'pass', reason: `Only the configured break-glass principals are trusted (${expect.trustedPrincipalArns.join(', ')}).` });

  // MFA, per statement that allows AssumeRole: the weakest one decides — unless a Deny for every principal refuses
  // sts:AssumeRole whenever MFA is absent or false (BoolIfExists "false": the documented deny-side pattern).
  const denyWithoutMfa = statements.some((s) => {
    if (s.Effect !== 'Deny' || !arr(s.Action).some((a) => wildcardMatch(a, 'sts:AssumeRole'))) return false;
    if (!(s.Principal === '*' || arr((s.Principal as Record<string, unknown> | undefined)?.AWS).includes('*'))) return false;
    const cond = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const entries = Object.entries(cond).flatMap(([op, block]) => Object.entries(block ?? {}).map(([k, v]) => ({ op, k, v: arr(v) })));
    return entries.length === 1 && entries[0].op === 'BoolIfExists' && entries[0].k.toLowerCase() === 'aws:multifactorauthpresent'
      && entries[0].v.length === 1 && entries[0].v[0].toLowerCase() === 'false';
  });
  const mfaProblems: string[] = [];
  const ageProblems: Array<{ status: Status; text: string }> = [];
  assume.forEach((s) => {
    const label = typeof s.Sid === 'string' ? `statement ${s.Sid}` : `statement ${statements.indexOf(s) + 1}`;
    const present = conditionEntries(s, 'aws:MultiFactorAuthPresent');
    const strict = present.filter((c) => c.op === 'Bool');
    if (denyWithoutMfa && !strict.some((c) => c.values.some((v) => v.toLowerCase() !== 'true'))) {
      // Required by the Deny statement.
    } else if (!present.length) mfaProblems.push(`${label} has no aws:MultiFactorAuthPresent condition`);
    else if (present.some((c) => /IfExists$/.test(c.op)) && !strict.length) mfaProblems.push(`${label} uses ${present[0].op}, which lets requests signed with long-term access keys (no MFA context) through`);
    else if (!strict.length) mfaProblems.push(`${label} tests aws:MultiFactorAuthPresent with ${present[0].op} instead of Bool`);
    else if (!strict.every((c) => c.values.length > 0 && c.values.every((v) => v.toLowerCase() === 'true'))) mfaProblems.push(`${label} has aws:MultiFactorAuthPresent "${strict.flatMap((c) => c.values).join('", "')}" — it must be "true"`);
    const age = conditionEntries(s, 'aws:MultiFactorAuthAge');
    const bound = age.filter((c) => c.op === 'NumericLessThan' || c.op === 'NumericLessThanEquals');
    if (!age.length) ageProblems.push({ status: 'fail', text: `${label} has no aws:MultiFactorAuthAge bound, so an MFA sign-in of any age is accepted` });
    else if (!bound.length) ageProblems.push({ status: 'fail', text: `${label} bounds aws:MultiFactorAuthAge with ${age[0].op}, which does not cap the age (use NumericLessThan)` });
    else {
      const max = Math.min(...bound.flatMap((c) => c.values.map(Number)));
      if (!Number.isFinite(max)) ageProblems.push({ status: 'fail', text: `${label} has an aws:MultiFactorAuthAge bound that is not a number` });
      else if (max > expect.mfaMaxAgeSeconds) ageProblems.push({ status: 'warn', text: `${label} accepts MFA up to ${max} s old; configured ${expect.mfaMaxAgeSeconds} s` });
    }
  });
  findings.push(mfaProblems.length
    ? { check: 'trust.mfa', status: 'fail', reason: `MFA is not required correctly: ${mfaProblems.join('; ')}.`, fix: fixMfa }
    : { check: 'trust.mfa', status: 'pass', reason: denyWithoutMfa ? 'MFA is required (a Deny refuses sts:AssumeRole with BoolIfExists aws:MultiFactorAuthPresent "false").' : 'MFA is required (Bool aws:MultiFactorAuthPresent "true").' });
  const worstAge = ageProblems.find((a) => a.status === 'fail') ?? ageProblems[0];
  findings.push(worstAge
    ? { check: 'trust.mfaAge', status: worstAge.status, reason: `${ageProblems.map((a) => a.text).join('; ')}.`, fix: fixMfa }
    : { check: 'trust.mfaAge', status: 'pass', reason: `MFA must be younger than ${expect.mfaMaxAgeSeconds} s.` });

  for (const [check, action, why] of [
    ['trust.tagSession', 'sts:TagSession', 'Break Glass passes session tags (incident, playbook, requester); STS refuses the elevation without it'],
    ['trust.sourceIdentity', 'sts:SetSourceIdentity', 'Break Glass sets the responder as SourceIdentity; STS refuses the elevation without it'],
  ] as const) {
    findings.push(statements.some((s) => allows(s, action))
      ? { check, status: 'pass', reason: `${action} is allowed.` }
      : { check, status: 'fail', reason: `${action} is not allowed: ${why}.`, fix: `Add "${action}" to the Action of the trust statement. ${fixTrust}` });
  }
  const broadActions = sts.flatMap((s) => arr(s.Action)).filter((a) => a === '*' || /^sts:\*$/i.test(a));
  if (broadActions.length) {
    findings.push({ check: 'trust.actions', status: 'warn', reason: `The trust policy allows ${broadActions.join(', ')}: more STS actions than elevation needs.`, fix: 'List only sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity.' });
  }
  return findings;
}
