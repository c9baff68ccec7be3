import * as assert from 'assert';
import { configTemplate, parseWorkspaceConfig } from '../../src/core/config';

describe('workspace config', () => {
  it('parses the template it writes, deriving role ARNs', () => {
    const { config, problems } = parseWorkspaceConfig(configTemplate());
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(config.accounts.length, 1);
    assert.strictEqual(config.accounts[0].roles[0].arn, 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER');
  });

  it('names the broken JSON instead of throwing', () => {
    const { config, problems } = parseWorkspaceConfig('{ "accounts": [ }');
    assert.strictEqual(config.accounts.length, 0);
    assert.match(problems[0].message, /not valid JSON/);
  });

  it('reports each bad field with its path and keeps the good parts', () => {
    const { config, problems } = parseWorkspaceConfig(JSON.stringify({
      accounts: [
        { id: '12345', name: 'short' },
        { id: '444455556666', partition: 'aws-us-gov', regions: ['us-gov-west-1', 'moon-1'], roles: [
          'arn:aws-us-gov:iam::444455556666:role/ir/IR-Role',
          { name: 'bad name!' },
          { arn: 'arn:aws:iam::999999999999:role/Other' },
          { name: 'Ok', maxSessionDuration: 100 },
        ] },
      ],
    }));
    assert.deepStrictEqual(problems.map((p) => p.path), [
      'accounts[0].id', 'accounts[1].regions', 'accounts[1].roles[1].name', 'accounts[1].roles[2].arn',
      'accounts[1].roles[3].maxSessionDuration',
    ]);
    assert.strictEqual(config.accounts.length, 1);
    const acct = config.accounts[0];
    assert.deepStrictEqual(acct.regions, ['us-gov-west-1']);
    assert.deepStrictEqual(acct.roles.map((r) => [r.name, r.arn]), [
      ['IR-Role', 'arn:aws-us-gov:iam::444455556666:role/ir/IR-Role'],
      ['Ok', 'arn:aws-us-gov:iam::444455556666:role/Ok'],
    ]);
  });

  it('rejects a duplicated account', () => {
    const { config, problems } = parseWorkspaceConfig(JSON.stringify({ accounts: [{ id: '111122223333' }, { id: '111122223333' }] }));
    assert.strictEqual(config.accounts.length, 1);
    assert.match(problems[0].message, /listed twice/);
  });
});
