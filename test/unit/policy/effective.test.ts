import * as assert from 'assert';
import { loadCatalog } from '../../../src/core/policy/catalog';
import { effectiveFor, effectivePermissions, explainEffective, type EffectiveConfig } from '../../../src/core/policy/effective';
import { evaluate } from '../../../src/core/policy/evaluate';
import { getManagedPolicy } from '../../../src/core/policy/managed';
import { loadPolicySource, loadRoleTemplate } from '../../../src/core/policy/sources';
import type { NamedPolicy, Statement } from '../../../src/core/policy/types';

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
      assert.strictEqual(r.counts.allowed, loadCatalog().expand('ec2:Describe*').length + 1);
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
      assert.strictEqual(r.counts.allowed, 0);
      assert.ok(r.counts.conditional >= 7);
    });

    it('agrees with evaluate() on resource "*" for every action that has no conditions involved', () => {
      const r = effectivePermissions(config);
      const policies = { identity: config.identity, boundary: config.boundary ?? null, session: config.session ?? null };
      for (const e of r.actions) {
        if (e.status === 'conditional') continue;
        const res = evaluate({ action: e.action, resource: '*', context: {} }, policies);
        // sts:GetCallerIdentity is decided outside policy evaluation (evaluate.test.ts asserts it is Allowed);
        // effective.ts still classifies it by the policies.
        if (res.note) continue;
        const d = res.decision;
        const expected = e.status === 'allowed' ? 'Allowed' : e.status === 'denied' ? 'ExplicitDeny' : 'ImplicitDeny';
        // A typed action denied/not allowed here may still be decided differently for "*": only check untyped ones
        // and the allowed/denied outcomes, which hold for every resource.
        if (e.status !== 'notAllowed' || loadCatalog().action(e.action)?.wildcardOnly) assert.strictEqual(d, expected, e.action);
      }
    });
  });
});
