import * as assert from 'assert';
import {
  canonicalManagedArn, findManagedPolicyByName, getManagedPolicy, getManagedPolicyInfo, listManagedPolicies, suggestManagedPolicies,
} from '../../../src/core/policy/managed';
import { dataLoadStats } from '../../../src/core/policy/catalog';
import type { Statement } from '../../../src/core/policy/types';

describe('policy/managed', () => {
  it('resolves managed policy ARNs to their default version', () => {
    const pu = getManagedPolicy('arn:aws:iam::aws:policy/PowerUserAccess');
    assert.ok(pu);
    assert.strictEqual(pu.name, 'arn:aws:iam::aws:policy/PowerUserAccess');
    const first = (pu.document.Statement as Statement[])[0];
    assert.strictEqual(first.Effect, 'Allow');
    assert.ok([first.NotAction].flat().includes('iam:*'));
    assert.match(getManagedPolicyInfo('arn:aws:iam::aws:policy/PowerUserAccess')?.versionId ?? '', /^v\d+$/);
    const admin = getManagedPolicy('arn:aws:iam::aws:policy/AdministratorAccess');
    assert.deepStrictEqual(admin?.document.Statement, [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
  });

  it('resolves job-function/ and service-role/ paths, and other partitions', () => {
    assert.ok(getManagedPolicy('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'));
    assert.ok(getManagedPolicy('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'));
    const cn = getManagedPolicy('arn:aws-cn:iam::aws:policy/ReadOnlyAccess');
    assert.strictEqual(cn?.name, 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess');
    assert.ok(getManagedPolicy('arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess'));
    assert.strictEqual(canonicalManagedArn('arn:aws-us-gov:iam::aws:policy/job-function/X'), 'arn:aws:iam::aws:policy/job-function/X');
    // IAM requires the right path.
    assert.strictEqual(getManagedPolicy('arn:aws:iam::aws:policy/ViewOnlyAccess'), undefined);
    assert.strictEqual(getManagedPolicy('arn:aws:iam::123456789012:policy/Mine'), undefined);
  });

  it('lists policies and suggests the right ARN for a near miss', () => {
    const all = listManagedPolicies();
    assert.ok(all.length > 1000);
    assert.ok(all.some((p) => p.path === '/job-function/'));
    assert.ok(all.some((p) => p.path === '/service-role/'));
    assert.strictEqual(findManagedPolicyByName('viewonlyaccess')?.arn, 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess');
    assert.deepStrictEqual(suggestManagedPolicies('arn:aws:iam::aws:policy/ViewOnlyAccess'), ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess']);
    assert.ok(suggestManagedPolicies('arn:aws-cn:iam::aws:policy/PowerUserAcess').includes('arn:aws-cn:iam::aws:policy/PowerUserAccess'));
    assert.ok((dataLoadStats().managed?.policies ?? 0) > 1000);
  });
});
