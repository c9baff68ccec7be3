import * as assert from 'assert';
import { closestMatches, dataLoadStats, editDistance, loadCatalog, suggestActions } from '../../../src/core/policy/catalog';

describe('policy/catalog', () => {
  const c = loadCatalog();

  it('holds every service with contiguous, sorted action ranges', () => {
    assert.ok(c.services.length > 400, `${c.services.length} services`);
    assert.ok(c.actions.length > 18000, `${c.actions.length} actions`);
    for (const s of c.services.slice(0, 50)) {
      assert.strictEqual(s.actions[0].index, s.start);
      assert.strictEqual(s.actions.length, s.end - s.start);
      assert.ok(s.actions.every((a) => a.service === s.prefix));
    }
    assert.ok(c.actions.every((a, i) => a.index === i));
  });

  it('looks actions up case-insensitively with access levels and resource types', () => {
    const stop = c.action('EC2:stopinstances');
    assert.ok(stop);
    assert.strictEqual(stop.id, 'ec2:StopInstances');
    assert.strictEqual(stop.accessLevel, 'Write');
    assert.deepStrictEqual(stop.resourceTypes, ['instance']);
    assert.strictEqual(stop.wildcardOnly, false);
    assert.strictEqual(c.action('iam:AttachUserPolicy')?.accessLevel, 'Permissions management');
    assert.strictEqual(c.action('iam:TagRole')?.accessLevel, 'Tagging');
    assert.strictEqual(c.action('iam:ListUsers')?.accessLevel, 'List');
    assert.strictEqual(c.action('s3:GetObject')?.accessLevel, 'Read');
    assert.strictEqual(c.action('s3:ListAllMyBuckets')?.wildcardOnly, true);
    assert.strictEqual(c.action('ec2:DescribeInstances')?.wildcardOnly, true);
    assert.strictEqual(c.action('ec2:NoSuchAction'), undefined);
    assert.strictEqual(c.service('EC2')?.name.includes('EC2'), true);
  });

  it('expands wildcard patterns to catalog actions', () => {
    const describe = c.expand('ec2:Describe*');
    assert.ok(describe.length > 100);
    assert.ok(describe.every((a) => a.id.startsWith('ec2:Describe')));
    assert.strictEqual(c.expand('*').length, c.actions.length);
    assert.strictEqual(c.expand('iam:*').length, c.service('iam')?.actions.length);
    assert.deepStrictEqual(c.expand('s3:GetObjec?').map((a) => a.id), ['s3:GetObject']);
    assert.deepStrictEqual(c.expand('nosuch:*'), []);
    const crossService = c.expand('*:GetObject');
    assert.ok(crossService.some((a) => a.id === 's3:GetObject'));
  });

  it('knows condition key types, global and per service, including tag templates', () => {
    assert.strictEqual(c.conditionKeyType('aws:SourceIp'), 'IPAddress');
    assert.strictEqual(c.conditionKeyType('aws:multifactorauthpresent'), 'Bool');
    assert.strictEqual(c.conditionKeyType('aws:CurrentTime'), 'Date');
    assert.strictEqual(c.conditionKeyType('aws:MultiFactorAuthAge'), 'Numeric');
    assert.strictEqual(c.conditionKeyType('aws:ResourceTag/Team'), 'String');
    assert.strictEqual(c.conditionKeyType('ec2:ResourceTag/Env'), 'String');
    assert.strictEqual(c.conditionKeyType('ec2:AssociatePublicIpAddress'), 'Bool');
    assert.strictEqual(c.conditionKeyType('aws:NoSuchKey'), undefined);
  });

  it('suggests close names', () => {
    assert.strictEqual(editDistance('kitten', 'sitting'), 3);
    assert.deepStrictEqual(closestMatches('containment_action', ['containment_actions', 'emergency_admin']), ['containment_actions']);
    assert.ok(suggestActions('ec2:StopInstance').includes('ec2:StopInstances'));
    assert.ok(suggestActions('ecc2:StopInstances').includes('ec2:StopInstances'));
  });

  it('records load statistics', () => {
    const s = dataLoadStats();
    assert.ok(s.dataDir);
    assert.ok(s.catalog && s.catalog.actions === c.actions.length && s.catalog.ms >= 0);
  });
});
