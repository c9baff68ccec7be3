import * as assert from 'assert';
import { AwsClients } from '../../../src/core/aws/clients';
import { discover, discoverRoles, MfaSerialCache } from '../../../src/core/aws/discovery';
import { parseWorkspaceConfig, configTemplate } from '../../../src/core/config';
import { TEST_CREDS, useFakeAws } from '../helpers/aws';


describe('aws/discovery', () => {
  const aws = useFakeAws();

  it('finds roles by name prefix without extra calls, and by Purpose tag via ListRoleTags only for the rest', async () => {
    const r = await discoverRoles(aws.clients.iam());
    assert.ok(r.ok);
    assert.deepStrictEqual(r.value.map((x) => x.name), ['BREAK-GLASS-INCIDENT_RESPONDER', 'BREAK-GLASS-SECURITY_INVESTIGATOR', 'ir-forensics']);
    assert.strictEqual(r.value[0].maxSessionDuration, 28800);
    assert.strictEqual(r.value[0].mfaRequired, true);
    assert.deepStrictEqual(aws.fake.calls('ListRoleTags').map((c) => c.params.RoleName).sort(), ['app-deployer', 'ir-forensics']);
  });

  it('paginates ListRoles', async () => {
    for (let i = 0; i < 150; i++) aws.fake.roles.set(`BREAK-GLASS-X${i}`, { name: `BREAK-GLASS-X${i}` });
    try {
      const r = await discoverRoles(aws.clients.iam());
      assert.ok(r.ok && r.value.length === 153);
      assert.strictEqual(aws.fake.calls('ListRoles').length, 2);
    } finally {
      for (let i = 0; i < 150; i++) aws.fake.roles.delete(`BREAK-GLASS-X${i}`);
    }
  });

  it('merges with the workspace config and degrades with one line per failed source', async () => {
    const { config } = parseWorkspaceConfig(configTemplate());
    const ok = await discover(aws.clients, config, { organizations: true });
    assert.deepStrictEqual(ok.notes, []);
    const prod = ok.config.accounts.find((a) => a.id === '111122223333');
    assert.ok(prod?.roles.some((r) => r.name === 'ir-forensics'));
    assert.strictEqual(prod?.roles.filter((r) => r.name === 'BREAK-GLASS-INCIDENT_RESPONDER').length, 1, 'no duplicate');
    assert.ok(ok.config.accounts.some((a) => a.id === '444455556666'));

    aws.fake.setBehaviour('ListRoles', 'accessDenied');
    aws.fake.setBehaviour('ListAccounts', 'notInOrganization');
    const degraded = await discover(aws.clients, config, { organizations: true });
    assert.strictEqual(degraded.notes.length, 2);
    assert.match(degraded.notes[0], /^Accounts: .*not in an AWS Organization/);
    assert.match(degraded.notes[1], /^Roles: could not list IAM roles \(access denied\)/);
    assert.deepStrictEqual(degraded.config, config);
  });

  it('degrades on network failure without throwing', async () => {
    const dead = new AwsClients({ endpointUrl: 'http://127.0.0.1:9', region: 'us-east-1', credentials: TEST_CREDS, env: {}, maxAttempts: 1 });
    const r = await discover(dead, { version: 1, accounts: [] }, { organizations: true });
    assert.strictEqual(r.notes.length, 2);
    assert.match(r.notes.join('\n'), /aws unreachable/);
    dead.destroy();
  });

  it('discovers the MFA serial once and caches it', async () => {
    const cache = new MfaSerialCache(aws.clients.iam());
    assert.strictEqual(await cache.get(), 'arn:aws:iam::111122223333:mfa/alice');
    assert.strictEqual(await cache.get(), 'arn:aws:iam::111122223333:mfa/alice');
    assert.strictEqual(aws.fake.calls('ListMFADevices').length, 1);
  });
});
