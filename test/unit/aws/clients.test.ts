import * as assert from 'assert';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsClients, regionFor, resolveEndpoint, ThrottlingOnlyRetryStrategy } from '../../../src/core/aws/clients';
import { iamRegion, parseRoleArn, partitionOfArn, partitionOfRegion } from '../../../src/core/aws/partition';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const MFA = { SerialNumber: 'arn:aws:iam::111122223333:mfa/alice' };

describe('aws/clients', () => {
  it('endpoint precedence: explicit > service-specific env > AWS_ENDPOINT_URL > default', () => {
    const env = { AWS_ENDPOINT_URL: 'http://global', AWS_ENDPOINT_URL_STS: 'http://sts', AWS_ENDPOINT_URL_IAM: 'http://iam', AWS_ENDPOINT_URL_ORGANIZATIONS: 'http://org' };
    assert.strictEqual(resolveEndpoint('sts', { env, endpointUrl: 'http://explicit' }), 'http://explicit');
    assert.strictEqual(resolveEndpoint('sts', { env }), 'http://sts');
    assert.strictEqual(resolveEndpoint('iam', { env }), 'http://iam');
    assert.strictEqual(resolveEndpoint('organizations', { env }), 'http://org');
    assert.strictEqual(resolveEndpoint('iam', { env: { AWS_ENDPOINT_URL: 'http://global' } }), 'http://global');
    assert.strictEqual(resolveEndpoint('sts', { env: {} }), undefined);
  });

  it('partitions from regions and ARNs, IAM global region per partition', () => {
    assert.strictEqual(partitionOfRegion('cn-north-1'), 'aws-cn');
    assert.strictEqual(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
    assert.strictEqual(partitionOfRegion('eu-west-1'), 'aws');
    assert.strictEqual(partitionOfArn('arn:aws-cn:iam::111122223333:role/x'), 'aws-cn');
    assert.strictEqual(iamRegion('aws-us-gov'), 'us-gov-west-1');
    assert.strictEqual(iamRegion('aws-cn'), 'cn-north-1');
    assert.strictEqual(regionFor('iam', { region: 'cn-northwest-1', env: {} }), 'cn-north-1');
    assert.strictEqual(regionFor('sts', { region: 'eu-west-1', env: {} }), 'eu-west-1');
    assert.deepStrictEqual(parseRoleArn('arn:aws:iam::111122223333:role/ir/BREAK-GLASS-X'), { partition: 'aws', accountId: '111122223333', path: '/ir/', roleName: 'BREAK-GLASS-X' });
  });

  describe('retries against the fake endpoint', () => {
    let fake: FakeAws;
    let clients: AwsClients;
    before(async () => { fake = await startFakeAws({ enforceMfa: false }); });
    after(async () => { await fake.close(); });
    beforeEach(() => {
      fake.reset();
      clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: CREDS, maxAttempts: 3, env: {} });
    });
    afterEach(() => clients.destroy());

    it('MFA client retries throttling (with backoff) and then succeeds', async () => {
      fake.setBehaviour('AssumeRole', 'throttle', { times: 1 });
      const out = await clients.stsForMfa().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', ...MFA, TokenCode: '111111' }));
      assert.ok(out.Credentials?.AccessKeyId?.startsWith('ASIA'));
      assert.strictEqual(fake.calls('AssumeRole').length, 2);
    });

    it('MFA client never replays a request after a non-throttling error (the code is single-use)', async () => {
      fake.setBehaviour('AssumeRole', 'internalError');
      await assert.rejects(clients.stsForMfa().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', ...MFA, TokenCode: '222222' })));
      assert.strictEqual(fake.calls('AssumeRole').length, 1);
      fake.reset();
      fake.setBehaviour('AssumeRole', 'wrongMfa');
      await assert.rejects(clients.stsForMfa().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', ...MFA, TokenCode: '333333' })));
      assert.strictEqual(fake.calls('AssumeRole').length, 1);
    });

    it('the standard client does retry transient server errors (maxAttempts)', async () => {
      fake.setBehaviour('GetCallerIdentity', 'internalError');
      await assert.rejects(clients.sts().send(new GetCallerIdentityCommand({})));
      assert.strictEqual(fake.calls('GetCallerIdentity').length, 3);
    });

    it('throttling-only strategy gives up after maxAttempts', async () => {
      const s = new ThrottlingOnlyRetryStrategy(2, 1, 1, () => 0);
      const t0 = await s.acquireInitialRetryToken('x');
      const t1 = await s.refreshRetryTokenForRetry(t0, { errorType: 'THROTTLING' });
      assert.strictEqual(t1.getRetryCount(), 1);
      await assert.rejects(s.refreshRetryTokenForRetry(t1, { errorType: 'THROTTLING', error: new Error('x') }), /x/);
      await assert.rejects(s.refreshRetryTokenForRetry(t0, { errorType: 'TRANSIENT', error: new Error('t') }), /t/);
    });

    it('reuses one client per service', () => {
      assert.strictEqual(clients.sts(), clients.sts());
      assert.strictEqual(clients.stsForMfa(), clients.stsForMfa());
      assert.notStrictEqual(clients.sts(), clients.stsForMfa());
    });
  });
});
