// The approval gate in the elevation flow, against dynalite + the local STS: no approval, no AssumeRole; one approval,
// one elevation; a failed STS call gives the approval back; an unreachable store fails closed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { AuditLog } from '../../../src/core/audit/log';
import { AwsClients } from '../../../src/core/aws/clients';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { approvalGate, approvalRequired, type ApprovalGateOptions } from '../../../src/core/approvals/gate';
import { planPolicyHash } from '../../../src/core/approvals/hash';
import { decideRequest, requestAccess } from '../../../src/core/approvals/requests';
import { approvalPorts } from '../../../src/core/approvals/services';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore } from '../../../src/core/session/types';
import { OPEN_ROLE, PEOPLE, approvalsConfig, elevateThroughGate, plan, useWorld, workspaceConfig, type Person } from './world';

let code = 100000;
const nextCode = () => String(++code);

describe('approvals/gate in the elevation flow', () => {
  const w = useWorld();
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-gate-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function gateFor(p: Person, over: Partial<ApprovalGateOptions> & { approvals?: ReturnType<typeof approvalsConfig> } = {}) {
    const approvals = { ...approvalsConfig(), ...over.approvals, table: w.table() };
    const ports = w.ports(p, approvals);
    const warnings: string[] = [];
    const gate = approvalGate({
      config: workspaceConfig(approvals), store: ports.store, identity: ports.identity, notifier: ports.notifier,
      onWarning: (m) => warnings.push(m), ...over,
    });
    return { gate, ports, warnings };
  }

  async function approved(over: Parameters<typeof plan>[0] = {}) {
    const { request } = await requestAccess(plan(over), w.ports('alice'));
    await decideRequest(request.id, 'approve', 'go', w.ports('bob'));
    return request;
  }

  function elevateWith(gate: ReturnType<typeof gateFor>['gate'], over: Parameters<typeof plan>[0] = {}, audit?: AuditLog) {
    return elevateThroughGate(w.clients('alice'), gate, { tokenCode: nextCode(), ...over },
      { store: new SessionStore({ secrets: new MemorySecretStore() }), ...(audit ? { audit } : {}) });
  }

  it('only roles/playbooks marked requiresApproval are gated', async () => {
    const cfg = workspaceConfig();
    assert.strictEqual(approvalRequired(cfg, plan()), true);
    assert.strictEqual(approvalRequired(cfg, plan({ roleArn: OPEN_ROLE })), false);
    assert.strictEqual(approvalRequired({ ...cfg, playbooks: { read_only_investigation: { requiresApproval: true } } },
      plan({ roleArn: OPEN_ROLE, playbook: 'read_only_investigation' })), true);
    const { gate } = gateFor('alice');
    const e = await elevateWith(gate, { roleArn: OPEN_ROLE });
    assert.ok(e.session.accessKeyId);
  });

  it('no approval: refused before any AssumeRole, with what to do', async () => {
    const { gate } = gateFor('alice');
    await assert.rejects(elevateWith(gate), (e: unknown) => e instanceof BreakGlassError && /needs a request approved by another person/.test(e.message) && /Request Access/.test(e.message));
    assert.strictEqual(w.fake.calls('AssumeRole').length, 0);
  });

  it('a pending request is not enough', async () => {
    await requestAccess(plan(), w.ports('alice'));
    const { gate } = gateFor('alice');
    await assert.rejects(elevateWith(gate), /still waiting for approval/);
    assert.strictEqual(w.fake.calls('AssumeRole').length, 0);
  });

  it('approved: one elevation, the request becomes used with the session\'s access key; reuse is refused', async () => {
    const request = await approved();
    const { gate, ports } = gateFor('alice');
    const e = await elevateWith(gate);
    await e.durable;
    const used = (await ports.store.get(request.id))!;
    assert.strictEqual(used.status, 'used');
    assert.strictEqual(used.accessKeyId, e.session.accessKeyId);
    assert.strictEqual(used.sessionId, e.session.id);
    // The table never holds a secret: not the credentials, not the MFA code that was sent.
    const raw = JSON.stringify((await w.clients('alice').dynamodb().send(new ScanCommand({ TableName: w.table() }))).Items);
    const sent = w.fake.calls('AssumeRole')[0].params.TokenCode;
    for (const secret of [e.credentials.secretAccessKey, e.credentials.sessionToken, sent]) assert.ok(!raw.includes(secret), 'secret in the table');
    await assert.rejects(elevateWith(gate), /already used/);
    assert.strictEqual(w.fake.calls('AssumeRole').length, 1);
  });

  it('two elevations on one approval at once: exactly one reaches STS', async () => {
    for (let round = 0; round < 4; round++) {
      w.fake.reset();
      await approved();
      const a = gateFor('alice').gate;
      const b = gateFor('alice').gate;
      const results = await Promise.allSettled([elevateWith(a), elevateWith(b)]);
      assert.strictEqual(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as Error;
      assert.match(lost.message, /already used|changed while/);
      assert.strictEqual(w.fake.calls('AssumeRole').length, 1);
    }
  });

  it('policy-hash mismatch: an approval for one playbook does not cover another (nor another incident or requester)', async () => {
    const request = await approved({ playbook: 'containment_actions' });
    assert.strictEqual(request.policyHash, planPolicyHash(plan({ playbook: 'containment_actions' })));
    const { gate } = gateFor('alice');
    await assert.rejects(elevateWith(gate, { playbook: 'read_only_investigation' }), /different session policy/);
    // Same name, different document: still a different hash.
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' }] };
    await assert.rejects(elevateWith(gate, { playbook: { name: 'containment_actions', policy: doc } }), /different session policy/);
    await assert.rejects(elevateWith(gate, { incidentId: 'INC-2024-999' }), /needs a request approved/);
    // Bob has the same base role rights but it is not his request.
    await assert.rejects(elevateThroughGate(w.clients('bob'), gateFor('bob').gate, { tokenCode: nextCode() }), /needs a request approved/);
    await assert.rejects(approvalGate({ ...gateOptions('bob'), requestId: request.id }).reserve(plan()), /used only by its requester/);
    assert.strictEqual(w.fake.calls('AssumeRole').length, 0);

    function gateOptions(p: Person): ApprovalGateOptions {
      const ports = w.ports(p);
      return { config: workspaceConfig({ ...approvalsConfig(), table: w.table() }), store: ports.store, identity: ports.identity };
    }
  });

  it('expired approval: refused', async () => {
    const request = await approved();
    const ports = w.ports('alice', undefined, { now: () => Date.parse(request.expiresAt) + 1000 });
    const gate = approvalGate({ config: workspaceConfig({ ...approvalsConfig(), table: w.table() }), store: ports.store, identity: ports.identity, now: () => Date.parse(request.expiresAt) + 1000 });
    await assert.rejects(elevateWith(gate), /expired at/);
    assert.strictEqual(w.fake.calls('AssumeRole').length, 0);
  });

  it('STS fails after the reservation: the approval goes back to approved with the failure noted, then works', async () => {
    const request = await approved();
    const { gate, ports } = gateFor('alice');
    w.fake.setBehaviour('AssumeRole', 'wrongMfa', { times: 1 });
    await assert.rejects(elevateWith(gate), /MFA/);
    const back = (await ports.store.get(request.id))!;
    assert.strictEqual(back.status, 'approved');
    assert.strictEqual(back.failures, 1);
    assert.match(back.lastFailure!, /^MfaInvalid: /);
    const e = await elevateWith(gate);
    await e.durable;
    assert.strictEqual((await ports.store.get(request.id))?.accessKeyId, e.session.accessKeyId);
  });

  it('store unreachable: a clear message, and a requiresApproval role fails closed; other roles still elevate', async () => {
    const port = await freePort();
    const deadClients = new AwsClients({
      region: 'us-east-1', env: { ...w.env, AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` }, maxAttempts: 1,
      credentials: { accessKeyId: PEOPLE.alice.key, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    try {
      const approvals = { ...approvalsConfig(), table: w.table() };
      const ports = approvalPorts(approvals, deadClients);
      const gate = approvalGate({ config: workspaceConfig(approvals), store: ports.store, identity: ports.identity });
      await assert.rejects(elevateThroughGate(deadClients, gate, { tokenCode: nextCode() }), (e: unknown) =>
        e instanceof BreakGlassError && e.translated.title === 'Approval store unavailable' && /ECONNREFUSED/.test(e.message) && /fail closed/.test(e.message));
      assert.strictEqual(w.fake.calls('AssumeRole').length, 0);
      await assert.rejects(requestAccess(plan(), ports), /Approval store unavailable|approvals store could not be used/);
      const ok = await elevateThroughGate(deadClients, gate, { roleArn: OPEN_ROLE, tokenCode: nextCode() });
      assert.ok(ok.session.accessKeyId);
    } finally {
      deadClients.destroy();
    }
  });

  it('no approvals block in config: requiresApproval roles are refused', async () => {
    const ports = w.ports('alice');
    const gate = approvalGate({ config: workspaceConfig(undefined), identity: ports.identity });
    await assert.rejects(gate.reserve(plan()), /no approvals table is configured/);
  });

  describe('break glass anyway', () => {
    it('not allowed by config: the port is never asked', async () => {
      let asked = 0;
      const { gate } = gateFor('alice', { breakGlassAnyway: async () => { asked++; return 'x'.repeat(30); } });
      await assert.rejects(elevateWith(gate), /needs a request approved/);
      assert.strictEqual(asked, 0);
    });

    it('allowed: mandatory justification, an audit record first, a breakGlass item and an immediate notification', async () => {
      const audit = new AuditLog(path.join(dir, 'override.jsonl'));
      const approvals = approvalsConfig({ allowBreakGlassAnyway: true });
      let why = '';
      const short = gateFor('alice', { approvals, audit, breakGlassAnyway: async () => 'because' });
      await assert.rejects(elevateWith(short.gate, {}, audit), /at least 15 characters/);
      const none = gateFor('alice', { approvals, audit, breakGlassAnyway: async () => undefined });
      await assert.rejects(elevateWith(none.gate, {}, audit), /no "Break glass anyway" justification/);
      assert.strictEqual(w.fake.calls('AssumeRole').length, 0);

      const { gate, ports } = gateFor('alice', { approvals, audit, breakGlassAnyway: async (_p, reason) => { why = reason; return 'Approvers unreachable, prod is down'; } });
      const e = await elevateWith(gate, {}, audit);
      await e.durable;
      assert.match(why, /needs a request approved/);
      const { records } = await audit.read();
      const override = records.find((r) => r.event === 'break_glass_override')!;
      assert.strictEqual(override.justification, 'Approvers unreachable, prod is down');
      assert.ok(records.indexOf(override) < records.findIndex((r) => r.event === 'granted'));
      const items = await ports.store.list((r) => r.breakGlass);
      assert.strictEqual(items.length, 1);
      assert.strictEqual(items[0].accessKeyId, e.session.accessKeyId);
      assert.match(items[0].justification, /^BREAK GLASS ANYWAY: /);
      const notice = w.sns.published.at(-1)!;
      assert.match(notice.subject!, /BREAK GLASS ANYWAY/);
      assert.match(notice.subject!, /^[\x20-\x7e]{1,99}$/, 'a subject SNS accepts');
      assert.ok(!notice.raw.includes(e.credentials.secretAccessKey) && !notice.raw.includes(encodeURIComponent(e.credentials.sessionToken)));
      await audit.dispose();
    });

    it('allowed and the store is down: still possible, recorded in the audit log, the missing table record shown', async () => {
      const port = await freePort();
      const dead = new AwsClients({
        region: 'us-east-1', env: { ...w.env, AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` }, maxAttempts: 1,
        credentials: { accessKeyId: PEOPLE.alice.key, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      });
      try {
        const approvals = { ...approvalsConfig({ allowBreakGlassAnyway: true }), table: w.table() };
        const ports = approvalPorts(approvals, dead);
        const audit = new AuditLog(path.join(dir, 'down.jsonl'));
        const gate = approvalGate({
          config: workspaceConfig(approvals), store: ports.store, identity: ports.identity, notifier: ports.notifier, audit,
          breakGlassAnyway: async (_p, reason) => (/Approval|approvals store/.test(reason) ? 'Store down and prod is burning' : undefined),
        });
        const e = await elevateThroughGate(dead, gate, { tokenCode: nextCode() }, { audit });
        assert.ok(e.session.accessKeyId);
        assert.ok((await audit.read()).records.some((r) => r.event === 'break_glass_override'));
        assert.match(w.sns.published.at(-1)!.subject!, /BREAK GLASS ANYWAY/);
        await audit.dispose();
      } finally {
        dead.destroy();
      }
    });
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
