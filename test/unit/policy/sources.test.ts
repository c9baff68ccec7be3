import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadPolicySource, loadRoleTemplate } from '../../../src/core/policy/sources';

describe('policy/sources', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-sources-'));
    fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*" }]\n}\n');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ "Version": "2012-10-17", ');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a policy file relative to cwd', async () => {
    const [p] = await loadPolicySource('good.json', dir);
    assert.strictEqual(p.name, 'good.json');
    assert.deepStrictEqual(p.document.Statement, [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
  });

  it('rejects an invalid policy file naming the file, JSON path, line:column and a fix', async () => {
    await assert.rejects(loadPolicySource('bad.json', dir), (e: Error) => {
      assert.match(e.message, /bad\.json:3:\d+: Statement\[0\]\.Principal/);
      assert.match(e.message, /Fix the JSON/);
      return true;
    });
    await assert.rejects(loadPolicySource('broken.json', dir), /broken\.json:1:\d+/);
  });

  it('loads managed policy ARNs in any partition', async () => {
    const [p] = await loadPolicySource('arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess', dir);
    assert.strictEqual(p.name, 'arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess');
    await assert.rejects(loadPolicySource('arn:aws:iam::aws:policy/PowerUserAcess', dir), /did you mean 'arn:aws:iam::aws:policy\/PowerUserAccess'/i);
    await assert.rejects(loadPolicySource('arn:aws:iam::111122223333:policy/Mine', dir), /Customer managed policies/);
  });

  it('loads session-policy and role templates', async () => {
    const [s] = await loadPolicySource('containment_actions', dir);
    assert.strictEqual(s.name, 'containment_actions');
    const ir = await loadPolicySource('incident_responder', dir);
    assert.deepStrictEqual(ir.map((p) => p.name), ['arn:aws:iam::aws:policy/PowerUserAccess', 'incident_responder/IncidentResponsePolicy']);
    const t = loadRoleTemplate('security_investigator');
    assert.strictEqual(t.identity.length, 3);
    assert.strictEqual(t.boundary?.name, 'arn:aws:iam::aws:policy/PowerUserAccess');
    assert.strictEqual(t.maxSessionDuration, 14400);
    assert.strictEqual(loadRoleTemplate('break_glass_admin').boundary, null);
    assert.throws(() => loadRoleTemplate('incident_responders'), /did you mean 'incident_responder'/i);
  });

  it('names what was tried for an unknown reference, with did-you-mean', async () => {
    await assert.rejects(loadPolicySource('containment_action', dir), (e: Error) => {
      assert.match(e.message, /not a file/);
      assert.match(e.message, /not an AWS managed policy ARN/);
      assert.match(e.message, /Did you mean 'containment_actions'/);
      return true;
    });
    await assert.rejects(loadPolicySource('ViewOnlyAccess', dir), /arn:aws:iam::aws:policy\/job-function\/ViewOnlyAccess/);
  });
});
