import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../helpers/io';

// `breakglass simulate --role … --session <playbook>`: the real session's context (session tags as principal tags,
// SourceIdentity, MFA, RequestedRegion — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
const ROLE = 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-INCIDENT_RESPONDER';
type Listed = { action: string; keys: string[] };

describe('cli: breakglass simulate --role --session (the real session)', () => {
  it('splits conditional actions by the session\'s regions: containment_actions outside its regions is denied in this session', async () => {
    const run = async (...regions: string[]) => {
      const io = memoryIO();
      const code = await runCli(['simulate', '--role', ROLE, '--session', 'containment_actions', '--requester', 'alice', '--incident', 'INC-2024-001',
        ...regions.flatMap((r) => ['--region', r]), '--json'], io);
      assert.strictEqual(code, 0, io.err());
      return JSON.parse(io.out()) as { inSession: Record<string, number>; allowedInSession: Listed[]; deniedInSession: Listed[]; dependsOnRequest: Listed[];
        sessionContext: Array<{ key: string; value: string }> };
    };
    const outside = await run('eu-west-1');
    const stop = outside.deniedInSession.find((a) => a.action === 'ec2:StopInstances');
    assert.deepStrictEqual(stop?.keys, ['aws:RequestedRegion']);
    assert.ok(!outside.allowedInSession.some((a) => a.action === 'ec2:StopInstances'));
    const inside = await run('us-east-1', 'us-west-2');
    assert.ok(inside.allowedInSession.some((a) => a.action === 'ec2:StopInstances'), JSON.stringify(inside.inSession));
    const mixed = await run('us-east-1', 'eu-west-1');
    assert.deepStrictEqual(mixed.dependsOnRequest.find((a) => a.action === 'ec2:StopInstances')?.keys, ['aws:RequestedRegion']);
    const shown = Object.fromEntries(inside.sessionContext.map((s) => [s.key, s.value]));
    assert.strictEqual(shown['aws:PrincipalArn'], ROLE);
    assert.strictEqual(shown['aws:PrincipalTag/SessionPolicyType'], 'containment_actions');
    assert.strictEqual(shown['aws:PrincipalTag/IncidentId'], 'INC-2024-001');
    assert.strictEqual(shown['aws:SourceIdentity'], 'alice');
    assert.strictEqual(shown.principal, 'arn:aws:sts::111122223333:assumed-role/BREAK-GLASS-INCIDENT_RESPONDER/INC-2024-001-alice');
  });

  it('decides one request in the session\'s context (region, SourceIdentity from the requester)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-simsession-'));
    try {
      fs.writeFileSync(path.join(dir, 'guard.json'), JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceIdentity': 'bob' } } }] }));
      const decide = async (requester: string, region: string, action = 'ec2:TerminateInstances') => {
        const io = memoryIO();
        const code = await runCli(['simulate', '--role', ROLE, '--session', 'containment_actions', '--identity', 'guard.json', '--requester', requester,
          '--region', region, '--action', action, '--resource', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0'], { ...io, cwd: dir });
        assert.strictEqual(code, 0, io.err());
        return io.out();
      };
      assert.match(await decide('alice', 'us-east-1'), /^ExplicitDeny: ec2:TerminateInstances/);
      assert.match(await decide('bob', 'us-east-1'), /^Allowed: ec2:TerminateInstances/);
      assert.match(await decide('bob', 'eu-west-1'), /^ImplicitDeny: ec2:TerminateInstances[\s\S]*no applicable Allow in: session/);
      assert.match(await decide('bob', 'us-east-1'), /aws:SourceIdentity\s+bob/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks for the role\'s policies when its name stands for no template, and for the playbook', async () => {
    let io = memoryIO();
    assert.strictEqual(await runCli(['simulate', '--role', 'arn:aws:iam::111122223333:role/SomethingElse', '--session', 'containment_actions'], io), 2);
    assert.match(io.err(), /not known offline: pass them with --identity/);
    io = memoryIO();
    assert.strictEqual(await runCli(['simulate', '--role', ROLE], io), 2);
    assert.match(io.err(), /--session <playbook/);
    io = memoryIO();
    assert.strictEqual(await runCli(['simulate', '--role', 'not-an-arn', '--session', 'containment_actions'], io), 2);
    assert.match(io.err(), /--role must be an IAM role ARN/);
  });
});
