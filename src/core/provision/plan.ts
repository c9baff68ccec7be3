// The provisioning plan: desired state (desired.ts) compared with what IAM has (observe.ts), as a list of changes
// per account. Pure: the same inputs always give the same plan, and an account already as designed plans nothing.
// A change that broadens trust or permissions of an existing resource is marked: applying it needs explicit consent.
import { broadens, canonicalPolicy, samePolicy, unifiedDiff } from './compare';
import { REVOKE_POLICY, type DesiredAccount, type DesiredRole, type DesiredUser } from './desired';
import type { ObservedAccount, ObservedRole, ObservedUser } from './observe';

export type ChangeKind =
  | 'createRole' | 'updateTrust' | 'updateRole' | 'putBoundary' | 'deleteBoundary' | 'tagRole' | 'attachRolePolicy' | 'detachRolePolicy'
  | 'putRolePolicy' | 'deleteRolePolicy' | 'createUser' | 'tagUser' | 'putUserPolicy' | 'deleteUserPolicy' | 'detachUserPolicy'
  | 'createLoginProfile';

export interface Change {
  kind: ChangeKind;
  /** 'role:NAME' or 'user:NAME'. */
  resource: string;
  /** One line for the plan, e.g. `attach arn:aws:iam::aws:policy/ReadOnlyAccess`. */
  summary: string;
  /** A unified diff of the document (trust or inline policy), when one changes. */
  diff?: string;
  /** Whether applying this may allow more than before (needs --allow-broadening). */
  broadening: boolean;
  /** What the IAM calls need. */
  role?: DesiredRole;
  user?: DesiredUser;
  policyName?: string;
  policyArn?: string;
  tags?: Record<string, string>;
}

export interface AccountPlan {
  accountId: string;
  name: string;
  changes: Change[];
}

const text = (doc: unknown) => (doc === undefined ? '' : canonicalPolicy(doc));

function roleChanges(d: DesiredRole, o: ObservedRole | null): Change[] {
  const res = `role:${d.name}`;
  if (!o) return [{ kind: 'createRole', resource: res, summary: `create ${d.arn} from template ${d.template}`, broadening: false, role: d, diff: unifiedDiff('', text(d.trustPolicy)) }];
  const out: Change[] = [];
  if (!samePolicy(o.trustPolicy, d.trustPolicy)) {
    out.push({
      kind: 'updateTrust', resource: res, summary: 'update the trust policy', role: d,
      diff: unifiedDiff(o.trustPolicyInvalid ?? text(o.trustPolicy), text(d.trustPolicy)),
      broadening: o.trustPolicy === undefined ? true : broadens(o.trustPolicy, d.trustPolicy),
    });
  }
  if (o.maxSessionDuration !== d.maxSessionDuration || (o.description ?? '') !== d.description) {
    out.push({
      kind: 'updateRole', resource: res, role: d, broadening: d.maxSessionDuration > o.maxSessionDuration,
      summary: o.maxSessionDuration !== d.maxSessionDuration ? `set MaxSessionDuration ${o.maxSessionDuration} → ${d.maxSessionDuration} s` : 'set the description',
    });
  }
  if (o.permissionsBoundary !== d.permissionsBoundary) {
    out.push(d.permissionsBoundary
      ? { kind: 'putBoundary', resource: res, role: d, summary: `set permissions boundary ${o.permissionsBoundary ?? '(none)'} → ${d.permissionsBoundary}`, broadening: o.permissionsBoundary !== null }
      : { kind: 'deleteBoundary', resource: res, role: d, summary: `remove permissions boundary ${o.permissionsBoundary}`, broadening: true });
  }
  const tags = Object.fromEntries(Object.entries(d.tags).filter(([k, v]) => o.tags[k] !== v));
  if (Object.keys(tags).length) out.push({ kind: 'tagRole', resource: res, role: d, tags, broadening: false, summary: `tag ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}` });
  for (const arn of d.managedPolicies.filter((a) => !o.managedPolicies.includes(a))) {
    out.push({ kind: 'attachRolePolicy', resource: res, role: d, policyArn: arn, broadening: true, summary: `attach ${arn}` });
  }
  for (const arn of o.managedPolicies.filter((a) => !d.managedPolicies.includes(a))) {
    out.push({ kind: 'detachRolePolicy', resource: res, role: d, policyArn: arn, broadening: false, summary: `detach ${arn} (not in template ${d.template})` });
  }
  for (const [pn, doc] of Object.entries(d.inlinePolicies)) {
    const before = o.inlinePolicies[pn];
    if (before !== undefined && samePolicy(before, doc)) continue;
    out.push({
      kind: 'putRolePolicy', resource: res, role: d, policyName: pn, summary: `${before === undefined ? 'add' : 'update'} inline policy ${pn}`,
      diff: unifiedDiff(typeof before === 'string' ? before : text(before), text(doc)),
      broadening: before === undefined ? true : broadens(before, doc),
    });
  }
  for (const pn of Object.keys(o.inlinePolicies).filter((n) => !(n in d.inlinePolicies) && n !== REVOKE_POLICY)) {
    out.push({ kind: 'deleteRolePolicy', resource: res, role: d, policyName: pn, broadening: false, summary: `delete inline policy ${pn} (not in template ${d.template})`, diff: unifiedDiff(text(o.inlinePolicies[pn]), '') });
  }
  return out;
}

function userChanges(d: DesiredUser, o: ObservedUser | null): Change[] {
  const res = `user:${d.name}`;
  if (!o) {
    return [
      { kind: 'createUser', resource: res, user: d, broadening: false, summary: `create ${d.arn} with inline policies ${Object.keys(d.inlinePolicies).join(', ')}` },
      { kind: 'createLoginProfile', resource: res, user: d, broadening: false, summary: 'set a random console password (reset required at first sign-in), shown once' },
    ];
  }
  const out: Change[] = [];
  const tags = Object.fromEntries(Object.entries(d.tags).filter(([k, v]) => o.tags[k] !== v));
  if (Object.keys(tags).length) out.push({ kind: 'tagUser', resource: res, user: d, tags, broadening: false, summary: `tag ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}` });
  for (const [pn, doc] of Object.entries(d.inlinePolicies)) {
    const before = o.inlinePolicies[pn];
    if (before !== undefined && samePolicy(before, doc)) continue;
    // Restoring DenyAccessKeyCreation only ever narrows; other user policies are judged like role policies.
    const isDeny = pn === 'DenyAccessKeyCreation';
    out.push({
      kind: 'putUserPolicy', resource: res, user: d, policyName: pn, summary: `${before === undefined ? 'add' : 'update'} inline policy ${pn}`,
      diff: unifiedDiff(typeof before === 'string' ? before : text(before), text(doc)),
      broadening: isDeny ? false : before === undefined ? true : broadens(before, doc),
    });
  }
  for (const pn of Object.keys(o.inlinePolicies).filter((n) => !(n in d.inlinePolicies))) {
    out.push({ kind: 'deleteUserPolicy', resource: res, user: d, policyName: pn, broadening: false, summary: `delete inline policy ${pn} (break-glass users may only assume incident-response roles)` });
  }
  for (const arn of o.managedPolicies) {
    out.push({ kind: 'detachUserPolicy', resource: res, user: d, policyArn: arn, broadening: false, summary: `detach ${arn} (break-glass users may only assume incident-response roles)` });
  }
  if (!o.loginProfile) out.push({ kind: 'createLoginProfile', resource: res, user: d, broadening: false, summary: 'set a random console password (reset required at first sign-in), shown once' });
  return out;
}

export function planAccount(d: DesiredAccount, o: ObservedAccount): AccountPlan {
  const changes = [
    ...d.roles.flatMap((r) => roleChanges(r, o.roles.get(r.name) ?? null)),
    ...d.users.flatMap((u) => userChanges(u, o.users.get(u.name) ?? null)),
  ];
  return { accountId: d.accountId, name: d.name, changes };
}
