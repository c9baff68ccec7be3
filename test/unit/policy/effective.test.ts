import * as assert from 'assert';
import { loadCatalog } from '../../../src/core/policy/catalog';
import { effectiveFor, effectivePermissions, explainEffective, type EffectiveConfig } from '../../../src/core/policy/effective';
import { evaluate } from '../../../src/core/policy/evaluate';
import { getManagedPolicy } from '../../../src/core/policy/managed';
import { loadPolicySource, loadRoleTemplate } from '../../../src/core/policy/sources';
import type { NamedPolicy, Statement } from '../../../src/core/policy/types';
import { buildSessionContext, type SessionContextInput } from '../../../src/core/policy/sessionContext';

const policy = (name: string, ...Statement: Statement[]): NamedPolicy => ({ name, document: { Version: '2012-10-17', Statement } });

describe('policy/effective', () => {
  describe('small hand-made configurations', () => {
    it('allows what the identity allows on *, and nothing else', () => {
      const r = effectivePermissions({ identity: [policy('p', { Effect: 'Allow', Action: ['s3:GetObject', 'ec2:Describe*'], Resource: '*' })] });
      assert.strictEqual(r.get('s3:GetObject')?.status, 'allowed');
      assert.strictEqual(r.get('ec2:DescribeInstances')?.status, 'allowed');
      const put = r.get('s3:PutObject');
      assert.strictEqual(put?.status, 'notAllowed');
      assert.deepStrictEqual(put?.missing, ['identity']);
      // + s3:GetObject, + sts:GetCallerIdentity (allowed outside policy evaluation).
      assert.strictEqual(r.counts.allowed, loadCatalog().expand('ec2:Describe*').length + 2);
      assert.strictEqual(r.actions.length, loadCatalog().actions.length);
    });

    it('specific resources and conditions make an action conditional, naming the limits and the layer', () => {
      const r = effectivePermissions({
        identity: [policy('id', { Effect: 'Allow', Action: '*', Resource: '*' })],
        session: [policy('sess',
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::evidence-*/*' },
          { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
          // ListAllMyBuckets takes only "*": a bucket ARN grants nothing.
          { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: 'arn:aws:s3:::evidence-bucket' },
          // An s3 ARN never matches an ec2 action.
          { Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: 'arn:aws:s3:::x' })],
      });
      const get = r.get('s3:GetObject');
      assert.strictEqual(get?.status, 'conditional');
      assert.deepStrictEqual(get?.limits?.map((l) => [l.statement.layer, l.statement.statementIndex, l.resources]), [['session', 0, ['arn:aws:s3:::evidence-*/*']]]);
      const stop = r.get('ec2:StopInstances');
      assert.strictEqual(stop?.status, 'conditional');
      assert.deepStrictEqual(stop?.limits?.[0].conditions, [{ operator: 'StringEquals', key: 'aws:RequestedRegion', values: ['us-east-1'] }]);
      assert.strictEqual(r.get('s3:ListAllMyBuckets')?.status, 'notAllowed');
      assert.strictEqual(r.get('ec2:TerminateInstances')?.status, 'notAllowed');
      assert.match(explainEffective(stop!), /conditional — allowed if StringEquals aws:RequestedRegion \(session sess statement 1\)/);
    });

    it('an unconditional Deny wins everywhere; a conditional Deny makes an allowed action conditional', () => {
      const r = effectivePermissions({
        identity: [policy('id',
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
          { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
          { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::prod/*' },
          // NotResource naming only s3 ARNs cannot limit an ec2 action: a full deny.
          { Effect: 'Deny', Action: 'ec2:RunInstances', NotResource: 'arn:aws:s3:::x' })],
      });
      const iam = r.get('iam:CreateUser');
      assert.strictEqual(iam?.status, 'denied');
      assert.deepStrictEqual(iam?.deniedBy, [{ layer: 'identity', policy: 'id', statementIndex: 1, sid: 'NoIam', effect: 'Deny' }]);
      assert.strictEqual(r.get('s3:DeleteBucket')?.status, 'conditional');
      assert.strictEqual(r.get('s3:DeleteBucket')?.conditionalDenies?.[0].statement.statementIndex, 2);
      assert.strictEqual(r.get('s3:PutObject')?.status, 'conditional');
      assert.deepStrictEqual(r.get('s3:PutObject')?.conditionalDenies?.[0].resources, ['arn:aws:s3:::prod/*']);
      assert.strictEqual(r.get('ec2:RunInstances')?.status, 'denied');
      assert.strictEqual(r.get('s3:GetObject')?.status, 'allowed');
    });

    it('NotAction allows the complement; a missing boundary grant is reported as the failing layer', () => {
      const r = effectivePermissions({
        identity: [policy('id', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
        boundary: policy('pb', { Effect: 'Allow', Action: ['s3:*', 'iam:GetUser'], Resource: '*' }),
      });
      assert.strictEqual(r.get('s3:GetObject')?.status, 'allowed');
      assert.deepStrictEqual(r.get('ec2:StopInstances')?.missing, ['boundary']);
      assert.deepStrictEqual(r.get('iam:GetUser')?.missing, ['identity']);
      assert.deepStrictEqual(r.layers, ['identity', 'boundary']);
    });

    it('effectiveFor classifies one action the same way', () => {
      const config: EffectiveConfig = { identity: [policy('id', { Effect: 'Allow', Action: 'ec2:*', Resource: '*' })] };
      assert.deepStrictEqual(effectiveFor(config, 'ec2:StopInstances'), effectivePermissions(config).get('ec2:StopInstances'));
      assert.strictEqual(effectiveFor(config, 'ec2:Nope'), undefined);
    });
  });

  describe('canonical configuration (PowerUserAccess + IncidentResponsePolicy, boundary PowerUserAccess, session containment_actions)', () => {
    let config: EffectiveConfig;
    before(async () => {
      const pu = getManagedPolicy('arn:aws:iam::aws:policy/PowerUserAccess') as NamedPolicy;
      const inline = loadRoleTemplate('incident_responder').identity.find((p) => p.name.endsWith('IncidentResponsePolicy')) as NamedPolicy;
      config = { identity: [pu, inline], boundary: pu, session: await loadPolicySource('containment_actions', '.') };
    });

    it('classifies the documented examples', () => {
      const r = effectivePermissions(config);
      const stop = r.get('ec2:StopInstances');
      assert.strictEqual(stop?.status, 'conditional');
      assert.deepStrictEqual(stop?.limits?.map((l) => [l.statement.layer, l.conditions?.map((c) => c.key)]), [['session', ['aws:RequestedRegion']]]);
      const orgs = r.get('organizations:ListAccounts');
      assert.strictEqual(orgs?.status, 'denied');
      assert.deepStrictEqual(orgs?.deniedBy?.map((d) => `${d.layer}:${d.policy}`), ['session:containment_actions']);
      assert.strictEqual(r.get('iam:CreateUser')?.status, 'denied');
      assert.strictEqual(r.get('iam:CreateUser')?.deniedBy?.length, 2);
      const get = r.get('s3:GetObject');
      assert.strictEqual(get?.status, 'notAllowed');
      assert.deepStrictEqual(get?.missing, ['session']);
      // The boundary (PowerUserAccess) excludes iam:*, so the session's IAM grants are void.
      assert.deepStrictEqual(r.get('iam:AttachUserPolicy')?.missing, ['boundary']);
      // Only sts:GetCallerIdentity, which needs no permission (outside policy evaluation).
      assert.strictEqual(r.counts.allowed, 1);
      assert.ok(r.get('sts:GetCallerIdentity')?.outsidePolicy);
      assert.ok(r.counts.conditional >= 7);
    });

    it('sts:GetCallerIdentity is allowed even under an explicit Deny, as evaluate() says (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)', () => {
      const deny: NamedPolicy = { name: 'deny-all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } as NamedPolicy['document'] };
      const r = effectivePermissions({ ...config, session: [deny] });
      const e = r.get('sts:GetCallerIdentity');
      assert.strictEqual(e?.status, 'allowed');
      assert.match(e?.outsidePolicy ?? '', /explicit Deny/);
      assert.strictEqual(r.get('sts:AssumeRole')?.status, 'denied', 'the deny still applies to everything else');
      assert.strictEqual(r.counts.allowed, 1);
      assert.strictEqual(effectiveFor({ ...config, session: [deny] } as typeof config, 'sts:GetCallerIdentity')?.status, 'allowed');
    });

    it('agrees with evaluate() on resource "*" for every action that has no conditions involved', () => {
      const r = effectivePermissions(config);
      const policies = { identity: config.identity, boundary: config.boundary ?? null, session: config.session ?? null };
      for (const e of r.actions) {
        if (e.status === 'conditional') continue;
        const res = evaluate({ action: e.action, resource: '*', context: {} }, policies);
        const d = res.decision;
        const expected = e.status === 'allowed' ? 'Allowed' : e.status === 'denied' ? 'ExplicitDeny' : 'ImplicitDeny';
        // A typed action denied/not allowed here may still be decided differently for "*": only check untyped ones
        // and the allowed/denied outcomes, which hold for every resource.
        if (e.status !== 'notAllowed' || loadCatalog().action(e.action)?.wildcardOnly) assert.strictEqual(d, expected, e.action);
      }
    });
  });

  // The session's context keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
  // (aws:PrincipalArn is the role ARN for a role session; aws:MultiFactorAuthAge is absent without MFA;
  // aws:RequestedRegion is the region of the call), session tags as principal tags:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
  describe('the real session: allowed in this session, denied in this session, depends on the request', () => {
    const NOW = Date.parse('2026-12-01T12:00:00Z');
    const session = (over: Partial<SessionContextInput> = {}) => buildSessionContext({
      roleArn: 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions',
      requester: 'alice@example.com', incidentId: 'INC-2024-001', clock: { now: () => NOW }, regions: ['us-east-1', 'us-west-2'],
      durationSeconds: 3600, mfa: true, ...over,
    });
    const allowAll = policy('id', { Effect: 'Allow', Action: '*', Resource: '*' });
    const verdict = (ctx: ReturnType<typeof session>, action: string, ...statements: Statement[]) =>
      effectivePermissions({ identity: [allowAll, policy('guard', ...statements)], context: ctx }).get(action)?.inSession;

    it('builds the context the elevation will carry: principal, tags, SourceIdentity, MFA, issue time, regions', () => {
      const ctx = session({ roleId: 'AROAEXAMPLEID' });
      assert.strictEqual(ctx.fixed.get('aws:principalarn'), 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-INCIDENT_RESPONDER');
      assert.strictEqual(ctx.fixed.get('aws:principalaccount'), '111122223333');
      assert.strictEqual(ctx.fixed.get('aws:principaltype'), 'AssumedRole');
      assert.strictEqual(ctx.fixed.get('aws:userid'), 'AROAEXAMPLEID:INC-2024-001-alice@example.com');
      assert.strictEqual(ctx.fixed.get('aws:principaltag/incidentid'), 'INC-2024-001');
      assert.strictEqual(ctx.fixed.get('aws:principaltag/sessionpolicytype'), 'containment_actions');
      assert.strictEqual(ctx.fixed.get('aws:principaltag/requester'), 'alice@example.com');
      assert.strictEqual(ctx.fixed.get('aws:sourceidentity'), 'alice@example.com');
      assert.strictEqual(ctx.fixed.get('aws:multifactorauthpresent'), 'true');
      assert.strictEqual(ctx.fixed.get('aws:tokenissuetime'), '2026-12-01T12:00:00Z');
      assert.deepStrictEqual(ctx.regions, ['us-east-1', 'us-west-2']);
      assert.deepStrictEqual(ctx.window, { start: NOW, end: NOW + 3600_000 });
      assert.ok(ctx.absent.has('aws:username'));
      // Without a role id, aws:userid is not known offline; without an incident, neither is the IncidentId tag.
      const partial = session({ incidentId: undefined, roleTags: { IncidentId: 'role-default', Team: 'ir' } });
      assert.ok(partial.unknown.has('aws:userid') && partial.unknown.has('aws:principaltag/incidentid'));
      // The session tag overrides the role tag of the same key, even while its value is not known yet.
      assert.strictEqual(partial.fixed.get('aws:principaltag/incidentid'), undefined);
      assert.strictEqual(partial.fixed.get('aws:principaltag/team'), 'ir');
    });

    it('a Deny on aws:SourceIdentity is denied in this session when it matches the requester, irrelevant when not', () => {
      const deny: Statement = { Effect: 'Deny', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceIdentity': 'bob' } } };
      const v = verdict(session(), 'ec2:StopInstances', deny);
      assert.strictEqual(v?.outcome, 'denied');
      assert.deepStrictEqual(v?.keys, ['aws:SourceIdentity']);
      assert.strictEqual(v?.deniedBy?.policy, 'guard');
      assert.strictEqual(verdict(session({ requester: 'bob' }), 'ec2:StopInstances', deny)?.outcome, 'allowed');
    });

    it('a Deny on aws:RequestedRegion: denied when no account region escapes it, depends when some do', () => {
      const deny: Statement = { Effect: 'Deny', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } } };
      assert.strictEqual(verdict(session({ regions: ['eu-west-1'] }), 'ec2:StopInstances', deny)?.outcome, 'denied');
      assert.strictEqual(verdict(session({ regions: ['us-east-1', 'us-west-2'] }), 'ec2:StopInstances', deny)?.outcome, 'allowed');
      const mixed = verdict(session({ regions: ['us-east-1', 'eu-west-1'] }), 'ec2:StopInstances', deny);
      assert.deepStrictEqual(mixed, { outcome: 'depends', keys: ['aws:RequestedRegion'] });
      const e = effectivePermissions({ identity: [allowAll, policy('guard', deny)], context: session({ regions: ['eu-west-1'] }) }).get('ec2:StopInstances');
      assert.match(explainEffective(e!), /; in this session: denied \(aws:RequestedRegion\)$/);
      // No regions known: the region is the request's.
      assert.strictEqual(verdict(session({ regions: [] }), 'ec2:StopInstances', deny)?.outcome, 'depends');
    });

    it('a Deny on the SessionPolicyType principal tag follows the playbook', () => {
      const deny: Statement = { Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/SessionPolicyType': 'emergency_admin' } } };
      assert.strictEqual(verdict(session(), 'ec2:TerminateInstances', deny)?.outcome, 'denied');
      assert.strictEqual(verdict(session({ playbook: 'emergency_admin' }), 'ec2:TerminateInstances', deny)?.outcome, 'allowed');
      // An unknown incident leaves an IncidentId condition to the request.
      const incident: Statement = { Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/IncidentId': 'true' } } };
      assert.strictEqual(verdict(session(), 'ec2:TerminateInstances', incident)?.outcome, 'allowed');
      assert.deepStrictEqual(verdict(session({ incidentId: undefined }), 'ec2:TerminateInstances', incident)?.keys, ['aws:PrincipalTag/IncidentId']);
    });

    it('MFA age and token issue time are decided over the whole session window', () => {
      const oldMfa: Statement = { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } } };
      assert.strictEqual(verdict(session({ durationSeconds: 3600 }), 's3:GetObject', oldMfa)?.outcome, 'allowed');
      assert.deepStrictEqual(verdict(session({ durationSeconds: 4 * 3600 }), 's3:GetObject', oldMfa), { outcome: 'depends', keys: ['aws:MultiFactorAuthAge'] });
      const noMfa: Statement = { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } };
      assert.strictEqual(verdict(session(), 's3:GetObject', noMfa)?.outcome, 'allowed');
      assert.strictEqual(verdict(session({ mfa: false }), 's3:GetObject', noMfa)?.outcome, 'denied');
      const stale: Statement = { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-06-01T00:00:00Z' } } };
      assert.strictEqual(verdict(session(), 's3:GetObject', stale)?.outcome, 'allowed');
      assert.strictEqual(verdict(session({ clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } }), 's3:GetObject', stale)?.outcome, 'denied');
    });

    it('resource tags, source IP and specific resources depend on the request, with the deciding keys', () => {
      const r = effectivePermissions({
        identity: [policy('id',
          { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/IncidentId': '${aws:PrincipalTag/IncidentId}' } } },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::evidence/*' },
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
          { Effect: 'Allow', Action: 'ec2:RebootInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'ap-south-1' }, IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })],
        context: session(),
      });
      assert.deepStrictEqual(r.get('ec2:StopInstances')?.inSession, { outcome: 'depends', keys: ['aws:ResourceTag/IncidentId'] });
      assert.deepStrictEqual(r.get('s3:GetObject')?.inSession, { outcome: 'depends', keys: ['Resource'] });
      assert.deepStrictEqual(r.get('kms:Decrypt')?.inSession, { outcome: 'depends', keys: ['aws:SourceIp'] });
      // A false session condition decides even next to a request-dependent one: the only Allow never applies.
      assert.deepStrictEqual(r.get('ec2:RebootInstances')?.inSession, { outcome: 'denied', keys: ['aws:RequestedRegion'], missing: 'identity' });
      assert.deepStrictEqual(r.inSession, { allowed: 0, denied: 1, depends: 3 });
      // Without a context nothing changes: no split.
      const plain = effectivePermissions({ identity: [policy('id', { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })] });
      assert.strictEqual(plain.get('ec2:StopInstances')?.inSession, undefined);
      assert.strictEqual(plain.inSession, undefined);
    });

    it('agrees with evaluate() on every request the session can make (canonical role, containment_actions, several region sets)', async () => {
      const pu = getManagedPolicy('arn:aws:iam::aws:policy/PowerUserAccess') as NamedPolicy;
      const role = loadRoleTemplate('incident_responder');
      const extra = policy('guards',
        { Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceIdentity': 'alice@example.com' } } },
        { Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/SessionPolicyType': 'containment_actions' } } },
        { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '1800' } } });
      const session_ = await loadPolicySource('containment_actions', '.');
      let checked = 0;
      for (const regions of [['us-east-1'], ['eu-west-1'], ['us-east-1', 'eu-west-1']]) {
        const ctx = session({ regions });
        const config: EffectiveConfig = { identity: [...role.identity, extra], boundary: role.boundary ?? pu, session: session_, context: ctx };
        const r = effectivePermissions(config);
        if (regions.length > 1) assert.ok((r.inSession?.depends ?? 0) > 0, 'a region set straddling the playbook\'s regions leaves actions to the request');
        for (const e of r.actions) {
          if (e.status !== 'conditional' || !e.inSession || e.inSession.outcome === 'depends') continue;
          for (const region of regions) {
            for (const t of [ctx.window.start, ctx.window.end]) {
              const context: Record<string, string> = Object.fromEntries([...ctx.fixed].filter(([k]) => !ctx.absent.has(k)));
              context['aws:requestedregion'] = region;
              context['aws:currenttime'] = new Date(t).toISOString();
              context['aws:multifactorauthage'] = String(Math.floor((t - ctx.window.start) / 1000));
              const d = evaluate({ action: e.action, resource: '*', context }, config).decision;
              assert.strictEqual(d === 'Allowed', e.inSession.outcome === 'allowed', `${e.action} in ${region} at ${new Date(t).toISOString()}: ${d} vs ${e.inSession.outcome}`);
              checked++;
            }
          }
        }
      }
      assert.ok(checked > 20, `session-decided actions checked: ${checked}`);
    });
  });
});
