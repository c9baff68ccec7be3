// Every pass / warn / fail reason of the readiness drill, against fixtures (observed IAM state as data), plus the
// exit code and the Markdown report. AWSRevokeOlderSessions is the policy the console's "Revoke active sessions" adds
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
import * as assert from 'assert';
import { desiredState, type DesiredRole, type DesiredUser } from '../../../src/core/provision/desired';
import type { ObservedRole, ObservedUser } from '../../../src/core/provision/observe';
import { evaluatePasswordPolicy, evaluateRole, evaluateUser, exitCodeOf, type Finding } from '../../../src/core/readiness/drill';
import { renderMarkdown } from '../../../src/core/readiness/report';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { ROLE_TEMPLATES } from '../../../src/core/templates';
import { CONFIG, SEC } from './fixture';

const desired = desiredState(parseWorkspaceConfig(JSON.stringify(CONFIG)).config, ROLE_TEMPLATES);
const ROLE = desired.accounts[0].roles[0] as DesiredRole;
const USER = desired.accounts[0].users[0] as DesiredUser;
const EXPECT = { ...desired.provisioning, partition: 'aws' as const };
const NOW = Date.parse('2026-06-01T00:00:00Z');

function observedRole(d: DesiredRole = ROLE): ObservedRole {
  return {
    name: d.name, arn: d.arn, path: d.path, trustPolicy: structuredClone(d.trustPolicy), description: d.description, maxSessionDuration: d.maxSessionDuration,
    permissionsBoundary: d.permissionsBoundary, tags: { ...d.tags }, managedPolicies: [...d.managedPolicies], inlinePolicies: structuredClone(d.inlinePolicies) as Record<string, unknown>,
  };
}
function observedUser(d: DesiredUser = USER): ObservedUser {
  return {
    name: d.name, arn: d.arn, path: d.path, tags: { ...d.tags }, inlinePolicies: structuredClone(d.inlinePolicies) as Record<string, unknown>, managedPolicies: [],
    loginProfile: { passwordResetRequired: false }, passwordLastUsed: '2026-05-20T10:00:00Z', accessKeys: [], mfaDevices: [`arn:aws:iam::${SEC}:mfa/alice`],
  };
}
const notPass = (fs: Array<{ status: string; check: string }>) => fs.filter((f) => f.status !== 'pass' && f.status !== 'skip').map((f) => `${f.status} ${f.check}`);
const reasonOf = (fs: Array<{ check: string; reason: string }>, check: string) => fs.filter((f) => f.check === check).map((f) => f.reason).join(' | ');

describe('readiness/drill role checks', () => {
  it('a role as provisioned passes everything (guardrails are a check of their own: drillGuardrails.test.ts)', () => {
    const f = evaluateRole(ROLE, observedRole(), EXPECT);
    assert.deepStrictEqual(notPass(f), []);
    assert.deepStrictEqual(f.filter((x) => x.status === 'skip'), []);
  });

  it('a missing role fails with the fix', () => {
    const f = evaluateRole(ROLE, null, EXPECT);
    assert.deepStrictEqual(f.map((x) => `${x.status} ${x.check}`), ['fail role.exists']);
    assert.match(f[0].fix!, /breakglass provision --apply/);
  });

  it('path, MaxSessionDuration (longer fails, shorter warns), boundary (removed fails, extra warns)', () => {
    const o = observedRole();
    o.path = '/';
    o.maxSessionDuration = 43200;
    o.permissionsBoundary = null;
    const f = evaluateRole(ROLE, o, EXPECT);
    assert.deepStrictEqual(notPass(f), ['fail role.path', 'fail role.maxSessionDuration', 'fail role.boundary']);
    assert.match(reasonOf(f, 'role.maxSessionDuration'), /43200 s; template incident_responder sets 28800 s \(longer sessions than designed\)/);
    assert.match(reasonOf(f, 'role.boundary'), /is \(none\); template incident_responder sets arn:aws:iam::aws:policy\/PowerUserAccess/);
    const admin = desired.accounts[0].roles[1];
    const o2 = observedRole(admin);
    o2.maxSessionDuration = 3600;
    const noBoundary = { ...admin, permissionsBoundary: null };
    o2.permissionsBoundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    assert.deepStrictEqual(notPass(evaluateRole(noBoundary, o2, EXPECT)), ['warn role.maxSessionDuration', 'warn role.boundary']);
  });

  it('tags: a missing or changed tag warns naming it', () => {
    const o = observedRole();
    delete o.tags.Purpose;
    o.tags.RoleType = 'other';
    const f = evaluateRole(ROLE, o, EXPECT);
    assert.deepStrictEqual(notPass(f), ['warn role.tags']);
    assert.match(reasonOf(f, 'role.tags'), /Purpose is missing \(expected "IncidentResponse"\); RoleType is "other" \(expected "incident_responder"\)/);
  });

  it('managed policies: an extra one (AdministratorAccess) fails naming it, a missing one warns', () => {
    const o = observedRole();
    o.managedPolicies = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    const f = evaluateRole(ROLE, o, EXPECT);
    assert.deepStrictEqual(notPass(f), ['fail role.managedPolicies', 'warn role.managedPolicies']);
    assert.match(reasonOf(f, 'role.managedPolicies'), /Attached but not in template incident_responder: arn:aws:iam::aws:policy\/AdministratorAccess\./);
    assert.match(f.find((x) => x.status === 'fail')!.fix!, /Detach AdministratorAccess/);
  });

  it('inline policies: changed fails with a diff, missing warns, extra fails; AWSRevokeOlderSessions warns with its cut-off', () => {
    const o = observedRole();
    (o.inlinePolicies.IncidentResponsePolicy as { Statement: Array<{ Action: string[] }> }).Statement[0].Action.push('s3:*');
    o.inlinePolicies.Extra = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    o.inlinePolicies.AWSRevokeOlderSessions = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-05-01T12:00:00Z' } } }] };
    let f = evaluateRole(ROLE, o, EXPECT);
    assert.deepStrictEqual(notPass(f), ['fail role.inlinePolicies', 'fail role.inlinePolicies', 'warn role.revokeLeftover']);
    const changed = f.find((x) => x.reason.startsWith('Inline policy IncidentResponsePolicy differs'))!;
    assert.match(changed.diff!, /^- +"s3:\*"$/m);
    assert.match(changed.diff!, /^\+ +"organizations:\*"$/m);
    assert.match(reasonOf(f, 'role.revokeLeftover'), /denies every session issued before 2026-05-01T12:00:00Z/);
    assert.match(f.find((x) => x.check === 'role.revokeLeftover')!.fix!, /delete-role-policy --role-name BREAK-GLASS-INCIDENT_RESPONDER --policy-name AWSRevokeOlderSessions/);
    const m = observedRole();
    m.inlinePolicies = {};
    f = evaluateRole(ROLE, m, EXPECT);
    assert.deepStrictEqual(notPass(f), ['warn role.inlinePolicies']);
  });

  it('trust findings flow into the role\'s findings (and an unreadable trust policy is a failure)', () => {
    const o = observedRole();
    o.trustPolicy = undefined;
    o.trustPolicyInvalid = '{not json';
    assert.deepStrictEqual(notPass(evaluateRole(ROLE, o, EXPECT)), ['fail trust.document']);
  });
});

describe('readiness/drill user and account checks', () => {
  it('a user as designed and in use passes', () => {
    assert.deepStrictEqual(notPass(evaluateUser(USER, observedUser(), NOW)), []);
  });

  it('missing user, no MFA device, active / inactive keys', () => {
    assert.deepStrictEqual(notPass(evaluateUser(USER, null, NOW)), ['fail user.exists']);
    const o = observedUser();
    o.mfaDevices = [];
    o.accessKeys = [{ id: 'AKIAEXAMPLE1', status: 'Active' }];
    let f = evaluateUser(USER, o, NOW);
    assert.deepStrictEqual(notPass(f), ['fail user.mfa', 'fail user.accessKeys']);
    assert.match(reasonOf(f, 'user.mfa'), /no MFA device: the roles' trust policies will refuse every elevation/);
    assert.match(f.find((x) => x.check === 'user.accessKeys')!.fix!, /delete-access-key --user-name alice-BREAK-GLASS --access-key-id AKIAEXAMPLE1/);
    o.mfaDevices = ['x'];
    o.accessKeys = [{ id: 'AKIAEXAMPLE2', status: 'Inactive' }];
    f = evaluateUser(USER, o, NOW);
    assert.deepStrictEqual(notPass(f), ['warn user.accessKeys']);
  });

  it('password: none fails, initial one not replaced warns; last used: never warns, stale warns', () => {
    const o = observedUser();
    delete o.loginProfile;
    delete o.passwordLastUsed;
    assert.deepStrictEqual(notPass(evaluateUser(USER, o, NOW)), ['fail user.password', 'warn user.lastUsed']);
    o.loginProfile = { passwordResetRequired: true };
    o.passwordLastUsed = '2025-06-01T00:00:00Z';
    const f = evaluateUser(USER, o, NOW);
    assert.deepStrictEqual(notPass(f), ['warn user.password', 'warn user.lastUsed']);
    assert.match(reasonOf(f, 'user.lastUsed'), /Last sign-in 365 days ago/);
  });

  it('policies: missing or changed inline policy fails; anything extra (attached or inline) fails', () => {
    const o = observedUser();
    delete o.inlinePolicies.DenyAccessKeyCreation;
    o.managedPolicies = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    o.inlinePolicies.AssumeIncidentResponseRoles = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
    const f = evaluateUser(USER, o, NOW);
    assert.deepStrictEqual(notPass(f), ['fail user.policies', 'fail user.policies', 'fail user.policies']);
    assert.match(reasonOf(f, 'user.policies'), /DenyAccessKeyCreation is missing.*AssumeIncidentResponseRoles differs.*beyond the design: arn:aws:iam::aws:policy\/ReadOnlyAccess/);
  });

  it('account password policy: none fails, weak warns naming each weakness, strong passes', () => {
    assert.strictEqual(evaluatePasswordPolicy(null).status, 'fail');
    const weak = evaluatePasswordPolicy({ minimumPasswordLength: 8, requireSymbols: false, requireNumbers: true, requireUppercase: true, requireLowercase: true, allowUsersToChangePassword: false });
    assert.strictEqual(weak.status, 'warn');
    assert.match(weak.reason, /minimum length 8 \(< 14\); symbols not required; users cannot change their own password/);
    assert.strictEqual(evaluatePasswordPolicy({ minimumPasswordLength: 14, requireSymbols: true, requireNumbers: true, requireUppercase: true, requireLowercase: true, allowUsersToChangePassword: true }).status, 'pass');
  });

  it('exit code: 0 all pass (skips do not count), 1 warnings, 2 failures', () => {
    const f = (status: Finding['status']): Finding => ({ accountId: SEC, subject: 'account', check: 'x', status, reason: 'r' });
    assert.strictEqual(exitCodeOf([f('pass'), f('skip')]), 0);
    assert.strictEqual(exitCodeOf([f('pass'), f('warn')]), 1);
    assert.strictEqual(exitCodeOf([f('warn'), f('fail')]), 2);
  });

  it('the Markdown report has a table per account, each finding with its fix, and diffs as diff blocks', () => {
    const o = observedRole();
    o.managedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess');
    const findings: Finding[] = [...evaluateRole(ROLE, o, EXPECT), { check: 'role.guardrails', status: 'skip' as const, reason: 'not checked: no Organizations access' }].map((x) => ({ accountId: SEC, subject: `role ${ROLE.name}`, ...x }));
    const md = renderMarkdown({ generatedAt: '2026-06-01T00:00:00.000Z', live: false, exitCode: 2, findings, accounts: [{ accountId: SEC, name: 'Security', status: 'fail', pass: 12, warn: 0, fail: 1, skip: 1 }] });
    assert.match(md, /^# Break Glass readiness check$/m);
    assert.match(md, /\*\*NOT READY\*\*: 12 passed, 0 warnings, 1 failures, 1 not checked\./);
    assert.match(md, /^\| Security \(111122223333\) \| FAIL \| 12 \| 0 \| 1 \|$/m);
    assert.match(md, /^- \*\*FAIL\*\* `role\.managedPolicies` — Attached but not in template incident_responder: arn:aws:iam::aws:policy\/AdministratorAccess\.\n {2}- Fix: Detach AdministratorAccess/m);
  });
});
