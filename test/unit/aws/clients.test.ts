import * as assert from 'assert';
import * as net from 'net';
import { GetRoleCommand } from '@aws-sdk/client-iam';
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

  describe('one factory for any identity', () => {
    let fake: FakeAws;
    let base: AwsClients;
    before(async () => { fake = await startFakeAws({ enforceMfa: false }); });
    after(async () => { await fake.close(); });
    beforeEach(() => {
      fake.reset();
      base = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: CREDS, maxAttempts: 1, env: {} });
    });
    afterEach(() => base.destroy());

    it('forSession signs with the session\'s keys; withCredentials keeps endpoint and region', async () => {
      const out = await base.sts().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'live-1' }));
      const c = out.Credentials!;
      const session = base.forSession({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration!.toISOString() });
      const who = await session.sts().send(new GetCallerIdentityCommand({}));
      assert.strictEqual(who.Arn, 'arn:aws:sts::111122223333:assumed-role/BREAK-GLASS-INCIDENT_RESPONDER/live-1');
      assert.strictEqual(fake.calls('GetCallerIdentity')[0].accessKeyId, c.AccessKeyId);
      assert.strictEqual(session.options.endpointUrl, fake.url);
      session.destroy();
    });

    it('forRole assumes a provisioning role on first use only, once, and signs with its credentials', async () => {
      const prov = base.forRole({ roleArn: 'arn:aws:iam::111122223333:role/app-deployer', roleSessionName: 'provision-1', durationSeconds: 900 });
      assert.strictEqual(fake.requests.length, 0, 'nothing is called until a request is made');
      await prov.sts().send(new GetCallerIdentityCommand({}));
      await prov.iam().send(new GetRoleCommand({ RoleName: 'BREAK-GLASS-INCIDENT_RESPONDER' }));
      const assumed = fake.calls('AssumeRole');
      assert.strictEqual(assumed.length, 1, 'credentials are cached');
      assert.deepStrictEqual([assumed[0].params.RoleArn, assumed[0].params.RoleSessionName, assumed[0].accessKeyId], ['arn:aws:iam::111122223333:role/app-deployer', 'provision-1', CREDS.accessKeyId]);
      const issued = fake.issued.at(-1)!.accessKeyId;
      assert.deepStrictEqual([fake.calls('GetCallerIdentity')[0].accessKeyId, fake.calls('GetRole')[0].accessKeyId], [issued, issued]);
      prov.destroy();
    });

    it('the request timeout is a real deadline: a server that never answers fails the call', async () => {
      const silent = net.createServer((sock) => { sock.on('data', () => undefined); });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      const c = new AwsClients({ endpointUrl: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, region: 'us-east-1', credentials: CREDS, maxAttempts: 1, env: {}, requestTimeoutMs: 300 });
      try {
        // Without throwOnRequestTimeout the SDK only logs a warning and waits for ever.
        await assert.rejects(c.sts().send(new GetCallerIdentityCommand({})), (e: Error) => /timeout/i.test(`${e.name} ${e.message}`));
      } finally {
        c.destroy();
        silent.close();
      }
    });
  });
});
