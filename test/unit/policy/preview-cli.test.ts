import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../helpers/io';

describe('cli: breakglass preview', () => {
  it('previews a managed policy against a playbook offline, as a table with risks and per-service summary', async () => {
    const io = memoryIO();
    const code = await runCli(['preview', '--identity', 'arn:aws:iam::aws:policy/PowerUserAccess', '--session', 'containment_actions'], io);
    assert.strictEqual(code, 0, io.err());
    const out = io.out();
    assert.match(out, /identity: arn:aws:iam::aws:policy\/PowerUserAccess/);
    assert.match(out, /Access level\s+Before\s+After\s+Lost\s+Gained/);
    assert.match(out, /Write\s+\d+\s+7\s+\d+\s+0/);
    // 7 containment writes, plus sts:GetCallerIdentity (Read), which AWS allows outside policy evaluation.
    assert.match(out, /Read\s+\d+\s+1\s+\d+\s+0/);
    assert.match(out, /Total\s+\d+\s+8\s+\d+\s+0/);
    assert.match(out, /Risky actions removed \(\d+\):\n\s+high\s+\S+/);
    assert.match(out, /ec2:StopInstances: conditional — allowed if StringEquals aws:RequestedRegion/);
    assert.match(out, /Per service/);
    assert.match(out, /… and \d+ more services/);
  });

  it('applies a role template\'s boundary and prints JSON', async () => {
    const io = memoryIO();
    const code = await runCli(['preview', '--identity', 'incident_responder', '--session', 'containment_actions', '--json'], io);
    assert.strictEqual(code, 0, io.err());
    const j = JSON.parse(io.out());
    assert.deepStrictEqual(j.identity, ['arn:aws:iam::aws:policy/PowerUserAccess', 'incident_responder/IncidentResponsePolicy']);
    assert.strictEqual(j.boundary, 'arn:aws:iam::aws:policy/PowerUserAccess');
    assert.strictEqual(j.total.after, j.kept.length);
    assert.strictEqual(j.total.lost, j.lost.length);
    assert.strictEqual(j.after.denied > 0, true);
    assert.ok(j.kept.some((k: { action: string; status: string }) => k.action === 'ec2:StopInstances' && k.status === 'conditional'));
  });

  it('reads policy files relative to cwd and reports unknown references', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-preview-'));
    try {
      fs.writeFileSync(path.join(dir, 'session.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }));
      let io = { ...memoryIO(), cwd: dir };
      const m = memoryIO();
      io = { ...m, cwd: dir };
      assert.strictEqual(await runCli(['preview', '--identity', 'arn:aws:iam::aws:policy/ReadOnlyAccess', '--session', 'session.json', '--json'], io), 0, m.err());
      const j = JSON.parse(m.out());
      assert.strictEqual(j.total.after, 2, 's3:GetObject, and sts:GetCallerIdentity (allowed outside policy evaluation)');
      const bad = memoryIO();
      assert.strictEqual(await runCli(['preview', '--identity', 'arn:aws:iam::aws:policy/ReadOnlyAccess', '--session', 'containment_action'], bad), 1);
      assert.match(bad.err(), /Did you mean 'containment_actions'/);
      const usage = memoryIO();
      assert.strictEqual(await runCli(['preview', '--session', 'containment_actions'], usage), 2);
      assert.match(usage.err(), /--identity is required/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
