import * as assert from 'assert';
import { ACCESS_LEVELS } from '../../../src/core/policy/catalog';
import { diffPermissions, summarizeEffective } from '../../../src/core/policy/diff';
import { effectivePermissions, isPermitted } from '../../../src/core/policy/effective';
import { getManagedPolicy } from '../../../src/core/policy/managed';
import type { NamedPolicy } from '../../../src/core/policy/types';
import { buildPreview, buildPreviewModel, roleTemplateFor, serviceLists, sessionsModel, slimModel, templateInput, type PreviewInput } from '../../../src/core/preview/model';
import { previewSessionContext } from '../../../src/core/preview/context';
import type { WorkspaceConfig } from '../../../src/core/config';
import type { PreviewModel } from '../../../src/core/preview/types';
import type { Session, SessionCredentials } from '../../../src/core/session/types';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import { isHostMessage, isPageMessage } from '../../../src/views/preview/protocol';

const playbook = (name: string): NamedPolicy => ({ name, document: SESSION_POLICY_TEMPLATES[name].policy });
const powerUser = (): NamedPolicy => {
  const p = getManagedPolicy('arn:aws:iam::aws:policy/PowerUserAccess');
  assert.ok(p, 'PowerUserAccess in the bundled managed policies');
  return p;
};

describe('preview model: PowerUserAccess vs containment_actions', () => {
  const input: PreviewInput = { roleName: 'PowerUser', identity: [powerUser()], boundary: null, session: [playbook('containment_actions')], playbookName: 'containment_actions' };
  let model: PreviewModel;
  const role = () => effectivePermissions({ identity: input.identity });
  const eff = () => effectivePermissions({ identity: input.identity, session: input.session });

  before(() => {
    buildPreviewModel(input); // warm the catalog and managed-policy data
    model = buildPreviewModel(input);
  });

  it('role and effective counts per access level equal summarizeEffective() and diffPermissions()', () => {
    const r = role();
    const e = eff();
    const sr = summarizeEffective(r);
    const se = summarizeEffective(e);
    const d = diffPermissions(r, e);
    for (const l of ACCESS_LEVELS) {
      assert.strictEqual(model.counts.role.byLevel[l].permitted, sr.byLevel[l].allowed + sr.byLevel[l].conditional, `role ${l}`);
      assert.strictEqual(model.counts.role.byLevel[l].conditional, sr.byLevel[l].conditional, `role conditional ${l}`);
      assert.strictEqual(model.counts.role.byLevel[l].permitted, d.byLevel[l].before, `role ${l} vs diff`);
      assert.strictEqual(model.counts.effective.byLevel[l].permitted, se.byLevel[l].allowed + se.byLevel[l].conditional, `effective ${l}`);
      assert.strictEqual(model.counts.effective.byLevel[l].permitted, d.byLevel[l].after, `effective ${l} vs diff`);
      assert.strictEqual(model.removedByLevel[l], d.byLevel[l].lost, `removed ${l}`);
    }
    assert.strictEqual(model.counts.role.total.permitted, d.total.before);
    assert.strictEqual(model.counts.effective.total.permitted, d.total.after);
    assert.strictEqual(d.total.gained, 0, 'a session policy never adds permissions');
  });

  it('session-alone counts are the session policy evaluated on its own', () => {
    const alone = summarizeEffective(effectivePermissions({ identity: input.session ?? [] }));
    assert.ok(model.counts.session);
    for (const l of ACCESS_LEVELS) {
      assert.strictEqual(model.counts.session.byLevel[l].permitted, alone.byLevel[l].allowed + alone.byLevel[l].conditional);
    }
    // containment_actions grants 11 actions (all Write / Permissions management, region-conditioned), plus
    // sts:GetCallerIdentity, which AWS allows outside policy evaluation.
    assert.strictEqual(model.counts.session.total.permitted, 12);
    assert.strictEqual(model.counts.session.total.conditional, 11);
  });

  it('kept and removed lists add up to the counts; kept = what the session keeps', () => {
    const kept = model.services.flatMap((s) => s.kept);
    const removed = model.services.flatMap((s) => s.removed);
    assert.strictEqual(kept.length, model.counts.effective.total.permitted);
    assert.strictEqual(removed.length, model.counts.role.total.permitted - model.counts.effective.total.permitted);
    const e = eff();
    assert.deepStrictEqual(kept.map((k) => k.action).sort(),
      e.actions.filter((a) => isPermitted(a.status)).map((a) => a.action).sort());
    // PowerUserAccess has no iam:UpdateAccessKey etc., so only the EC2 containment actions are kept, conditionally.
    assert.strictEqual(model.services[0].service, 'ec2');
    const inPolicy = kept.filter((k) => k.action !== 'sts:GetCallerIdentity');
    assert.strictEqual(inPolicy.length, kept.length - 1, 'sts:GetCallerIdentity is kept: it needs no permission');
    assert.ok(inPolicy.every((k) => k.status === 'conditional' && /aws:RequestedRegion = us-east-1, us-west-2/.test(k.scope ?? '')));
  });

  it('sorts each list risky first (high, medium, low, then the rest), with reasons', () => {
    const rank = { high: 0, medium: 1, low: 2 } as const;
    for (const s of model.services) {
      for (const list of [s.kept, s.removed]) {
        const worst = list.map((a) => (a.risks ? rank[a.risks[0].severity] : 3));
        assert.deepStrictEqual(worst, [...worst].sort((x, y) => x - y), `${s.service} sorted by risk`);
      }
      assert.strictEqual(s.riskyKept, s.kept.filter((a) => a.risks).length);
      assert.strictEqual(s.riskyRemoved, s.removed.filter((a) => a.risks).length);
    }
    const ec2 = model.services.find((s) => s.service === 'ec2');
    const terminate = ec2?.kept.find((a) => a.action === 'ec2:TerminateInstances');
    assert.ok(terminate?.risks?.some((r) => r.category === 'destructive' && r.reason.length > 0));
    const lambda = model.services.find((s) => s.service === 'lambda');
    assert.strictEqual(lambda?.removed[0].risks?.[0].severity, 'high', 'lambda:UpdateFunctionCode (privilege escalation) first');
  });

  it('orders services: those with kept actions first, then by how much is removed', () => {
    const keys = model.services.map((s) => [s.kept.length, s.removed.length]);
    for (let i = 1; i < keys.length; i++) {
      assert.ok(keys[i - 1][0] > keys[i][0] || (keys[i - 1][0] === keys[i][0] && keys[i - 1][1] >= keys[i][1]), `order at ${i}`);
    }
  });

  it('pretty-prints both sides for the side-by-side diff and pairs them by lines', () => {
    assert.strictEqual(model.diff.approximate, false);
    const left = model.diff.rows.filter((r) => r.left).map((r) => r.left?.text).join('\n');
    const right = model.diff.rows.filter((r) => r.right).map((r) => r.right?.text).join('\n');
    assert.deepStrictEqual(JSON.parse(left), { identity: { [powerUser().name]: powerUser().document } });
    assert.deepStrictEqual(JSON.parse(right), { session: { containment_actions: SESSION_POLICY_TEMPLATES.containment_actions.policy } });
    assert.ok(model.diff.rows.some((r) => r.kind === 'same'), 'shared structure lines align');
  });

  it('lints the session policy', () => {
    assert.ok(Array.isArray(model.lint));
    // containment_actions grants iam:AttachUserPolicy: a privilege-escalation warning.
    assert.ok(model.lint.some((f) => f.code === 'privilege-escalation'), JSON.stringify(model.lint.map((f) => f.code)));
    assert.ok(model.lint.every((f) => f.line === undefined || f.line >= 1));
  });

  it('is plain JSON (survives postMessage and setState unchanged)', () => {
    assert.deepStrictEqual(JSON.parse(JSON.stringify(model)), model);
  });
});

describe('preview model: built-in templates, files and edge cases', () => {
  it('incident_responder + containment_actions: identity ∩ boundary, and the role-template input helper', () => {
    const input = templateInput('incident_responder', 'containment_actions');
    assert.ok(input.boundary, 'incident_responder has a permissions boundary');
    const model = buildPreviewModel(input);
    const r = effectivePermissions({ identity: input.identity, boundary: input.boundary });
    const e = effectivePermissions({ identity: input.identity, boundary: input.boundary, session: input.session });
    const d = diffPermissions(r, e);
    for (const l of ACCESS_LEVELS) {
      assert.strictEqual(model.counts.role.byLevel[l].permitted, d.byLevel[l].before);
      assert.strictEqual(model.counts.effective.byLevel[l].permitted, d.byLevel[l].after);
    }
    assert.strictEqual(model.policies.boundary, 'arn:aws:iam::aws:policy/PowerUserAccess');
    assert.match(model.diff.leftTitle, /permissions boundary/);
  });

  it('without a session policy the session keeps everything and says so', () => {
    const model = buildPreviewModel({ roleName: 'r', identity: [playbook('read_only_investigation')], boundary: null, session: null, playbookName: '(none)' });
    assert.strictEqual(model.counts.session, null);
    assert.deepStrictEqual(model.counts.effective, model.counts.role);
    assert.ok(model.services.every((s) => s.removed.length === 0));
    assert.ok(model.notes.some((n) => /No session policy/.test(n)));
    assert.deepStrictEqual(model.lint, []);
  });

  it('lint positions refer to the session policy text as written', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow", "Action": "ec2:StopInstancez", "Resource": "*" }\n  ]\n}\n';
    const model = buildPreviewModel({
      roleName: 'r', identity: [powerUser()], boundary: null, playbookName: 'custom.json', sessionPolicyText: text,
      session: [{ name: 'custom.json', document: JSON.parse(text) }],
    });
    const f = model.lint.find((x) => x.code === 'unknown-action');
    assert.ok(f, JSON.stringify(model.lint));
    assert.strictEqual(f.line, 4);
    assert.match(f.message, /StopInstances/);
  });

  it('maps configured roles to built-in role templates', () => {
    assert.strictEqual(roleTemplateFor({ name: 'X', template: 'forensics_analyst' }), 'forensics_analyst');
    assert.strictEqual(roleTemplateFor({ name: 'BREAK-GLASS-INCIDENT_RESPONDER' }), 'incident_responder');
    assert.strictEqual(roleTemplateFor({ name: 'security_investigator' }), 'security_investigator');
    assert.strictEqual(roleTemplateFor({ name: 'SomethingElse', template: 'nope' }), undefined);
  });

  it('templateInput rejects an unknown playbook with the known names', () => {
    assert.throws(() => templateInput('incident_responder', 'nope'), /containment_actions/);
  });
});

describe('preview sessions model: never a secret', () => {
  const creds: SessionCredentials = {
    accessKeyId: 'ASIAEXAMPLEKEY123456', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKENvalue0123456789abcdefghijklmnop', expiration: '2031-01-01T10:00:00.000Z',
  };
  const session = (id: string, expiresAt: string): Session => ({
    id, accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER',
    roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions', incidentId: 'INC-2024-001',
    justification: 'contain i-0abc', requester: 'alice', sourceIdentity: 'alice', roleSessionName: 'INC-2024-001-alice',
    issuedAt: '2031-01-01T09:00:00.000Z', expiresAt, tokenHash: '0123456789abcdef', accessKeyId: creds.accessKeyId,
    region: 'us-east-1', state: 'active',
  });

  it('keeps only display metadata, soonest expiry first', () => {
    const views = sessionsModel([session('b', '2031-01-01T11:00:00.000Z'), session('a', '2031-01-01T10:00:00.000Z')]);
    assert.deepStrictEqual(views.map((v) => v.id), ['a', 'b']);
    assert.deepStrictEqual(Object.keys(views[0]).sort(),
      ['accountId', 'expiresAt', 'id', 'incidentId', 'issuedAt', 'playbook', 'region', 'roleArn', 'roleName', 'state']);
  });

  it('no field of SessionCredentials (name or secret value) appears, even if a session object carries them', () => {
    // A careless caller might hand over an object that also holds the credentials: they must still not pass.
    const leaky = { ...session('x', '2031-01-01T10:00:00.000Z'), ...creds, credentials: creds } as unknown as Session;
    const json = JSON.stringify(sessionsModel([leaky]));
    for (const key of ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration', 'credentials', 'tokenHash']) {
      assert.ok(!json.includes(`"${key}"`), `field ${key} leaked: ${json}`);
    }
    for (const value of [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]) assert.ok(!json.includes(value), 'a secret value leaked');
  });
});

describe('preview protocol guards', () => {
  it('accepts the page messages and rejects anything else', () => {
    assert.ok(isPageMessage({ type: 'ready' }));
    assert.ok(isPageMessage({ type: 'revoke', sessionId: 'abc' }));
    assert.ok(isPageMessage({ type: 'rendered', ms: 12.5, services: 3, diffRows: 40 }));
    assert.ok(!isPageMessage({ type: 'revoke' }));
    assert.ok(!isPageMessage({ type: 'revoke', sessionId: '' }));
    assert.ok(!isPageMessage({ type: 'runCommand', command: 'workbench.action.terminal.sendSequence' }));
    assert.ok(!isPageMessage(null));
    assert.ok(isHostMessage({ type: 'sessions', sessions: [] }));
    assert.ok(!isHostMessage({ type: 'state' }));
  });
});

describe('preview model: slim state and per-service lists', () => {
  const full = buildPreviewModel(templateInput('incident_responder', 'containment_actions'));

  it('drops the action lists but keeps every count, and is far smaller', () => {
    const slim = slimModel(full);
    assert.ok(slim.services.every((s) => s.kept.length === 0 && s.removed.length === 0));
    assert.deepStrictEqual(slim.services.map((s) => [s.service, s.keptCount, s.removedCount, s.riskyKept, s.riskyRemoved]),
      full.services.map((s) => [s.service, s.kept.length, s.removed.length, s.riskyKept, s.riskyRemoved]));
    assert.deepStrictEqual(slim.counts, full.counts);
    assert.ok(JSON.stringify(slim).length * 10 < JSON.stringify(full).length, 'at least ten times smaller');
    assert.ok(full.services[0].kept.length > 0, 'the full model is untouched');
  });

  it('serves one service\'s lists from the full model', () => {
    const ec2 = serviceLists(full, 'ec2');
    assert.ok(ec2);
    assert.strictEqual(ec2.kept.length, 7);
    const view = full.services.find((s) => s.service === 'ec2')!;
    assert.deepStrictEqual([ec2.kept.length, ec2.removed.length], [view.keptCount, view.removedCount]);
    assert.strictEqual(serviceLists(full, 'no-such-service'), undefined);
  });
});

describe('preview model: on-demand lists and the real session', () => {
  const NOW = Date.parse('2026-12-01T12:00:00Z');
  const config = (regions: string[]): WorkspaceConfig => ({
    version: 1, accounts: [{ id: '111122223333', name: 'prod', partition: 'aws', regions, roles: [
      { name: 'BREAK-GLASS-INCIDENT_RESPONDER', arn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder' }] }],
  });
  const withContext = (regions: string[]): PreviewInput => {
    const { context, notes } = previewSessionContext({
      target: { kind: 'playbook', roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions' },
      config: config(regions), requester: 'alice', clock: { now: () => NOW },
    });
    return { ...templateInput('incident_responder', 'containment_actions', 'BREAK-GLASS-INCIDENT_RESPONDER'), sessionContext: context, notes };
  };

  it('buildPreview gives the same model as the eager build, lists only when asked', () => {
    const input = withContext(['us-east-1']);
    const built = buildPreview(input);
    const eager = buildPreviewModel(input);
    assert.deepStrictEqual(built.model, slimModel(eager));
    for (const s of eager.services) assert.deepStrictEqual(built.lists(s.service), { kept: s.kept, removed: s.removed }, s.service);
    assert.strictEqual(built.lists('no-such-service'), undefined);
    assert.ok(built.model.services.every((s) => s.kept.length === 0 && s.removed.length === 0));
  });

  it('splits the effective conditional counts and marks kept actions: allowed here, denied outside the playbook\'s regions', () => {
    const inside = buildPreviewModel(withContext(['us-east-1', 'us-west-2']));
    const outside = buildPreviewModel(withContext(['eu-west-1']));
    const mixed = buildPreviewModel(withContext(['us-east-1', 'eu-west-1']));
    const ec2 = (m: PreviewModel) => m.services.find((s) => s.service === 'ec2')?.kept.find((a) => a.action === 'ec2:StopInstances');
    assert.deepStrictEqual([ec2(inside)?.inSession, ec2(inside)?.keys], ['allowed', ['aws:RequestedRegion']]);
    assert.deepStrictEqual([ec2(outside)?.inSession, ec2(outside)?.keys], ['denied', ['aws:RequestedRegion']]);
    assert.deepStrictEqual([ec2(mixed)?.inSession, ec2(mixed)?.keys], ['depends', ['aws:RequestedRegion']]);
    for (const m of [inside, outside, mixed]) {
      const t = m.counts.effective.total;
      assert.ok(t.inSession, 'the effective side is split');
      assert.strictEqual(t.inSession.allowed + t.inSession.denied + t.inSession.depends, t.conditional);
      const kept = m.services.flatMap((s) => s.kept).filter((a) => a.status === 'conditional');
      assert.strictEqual(kept.filter((a) => a.inSession === 'denied').length, t.inSession.denied);
      assert.strictEqual(m.counts.role.total.inSession, undefined, 'the role side has no session');
    }
    assert.ok(outside.counts.effective.total.inSession!.denied >= 7, 'every regional containment action is denied in eu-west-1');
    // The permitted counts (the policy picture) are the same whatever the session.
    assert.deepStrictEqual(inside.counts.effective.total.permitted, outside.counts.effective.total.permitted);
    const shown = Object.fromEntries((inside.sessionContext ?? []).map((s) => [s.key, s.value]));
    assert.strictEqual(shown['aws:PrincipalArn'], 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER');
    assert.strictEqual(shown['aws:RequestedRegion'], 'us-east-1, us-west-2');
    assert.strictEqual(shown['aws:PrincipalTag/IncidentId'], 'not known before elevation');
    assert.ok(inside.notes.some((n) => /incident id are decided when you elevate/.test(n)));
  });

  it('a role missing from the config leaves principal and regions to the request, and says so', () => {
    const { context, notes } = previewSessionContext({
      target: { kind: 'playbook', roleName: 'incident_responder', playbook: 'containment_actions' }, config: { version: 1, accounts: [] },
      requester: 'alice', clock: { now: () => NOW },
    });
    assert.ok(context.unknown.has('aws:principalarn') && context.unknown.has('aws:requestedregion'));
    assert.strictEqual(context.fixed.get('aws:principaltag/sessionpolicytype'), 'containment_actions');
    assert.strictEqual(context.window.end - context.window.start, SESSION_POLICY_TEMPLATES.containment_actions.maxDuration * 1000, 'the playbook\'s maximum duration');
    assert.ok(notes.some((n) => /not in \.breakglass\/config\.json/.test(n)));
    const model = buildPreviewModel({ ...templateInput('incident_responder', 'containment_actions'), sessionContext: context });
    const stop = model.services.find((s) => s.service === 'ec2')?.kept.find((a) => a.action === 'ec2:StopInstances');
    assert.strictEqual(stop?.inSession, 'depends');
  });

  it('a live session: its own tags, issue and expiry instants, and the account\'s regions', () => {
    const s: Session = {
      id: 's1', accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER', roleName: 'BREAK-GLASS-INCIDENT_RESPONDER',
      playbook: 'containment_actions', incidentId: 'INC-2024-009', justification: 'j', requester: 'carol', sourceIdentity: 'carol',
      roleSessionName: 'INC-2024-009-carol', issuedAt: '2026-12-01T11:00:00.000Z', expiresAt: '2026-12-01T13:00:00.000Z', tokenHash: '0123456789abcdef',
      accessKeyId: 'ASIAEXAMPLE', region: 'eu-west-1', state: 'active',
    };
    const { context } = previewSessionContext({ target: { kind: 'session', session: s }, config: config(['us-west-2']), clock: { now: () => NOW } });
    assert.strictEqual(context.fixed.get('aws:principaltag/incidentid'), 'INC-2024-009');
    assert.strictEqual(context.fixed.get('aws:sourceidentity'), 'carol');
    assert.strictEqual(context.fixed.get('aws:tokenissuetime'), '2026-12-01T11:00:00Z');
    assert.deepStrictEqual(context.window, { start: Date.parse(s.issuedAt), end: Date.parse(s.expiresAt) });
    assert.deepStrictEqual(context.regions, ['us-west-2']);
    const noRegions = previewSessionContext({ target: { kind: 'session', session: s }, config: { version: 1, accounts: [] }, clock: { now: () => NOW } });
    assert.deepStrictEqual(noRegions.context.regions, ['eu-west-1'], 'the session\'s own region when the account lists none');
  });
});

