// Requests and decisions against a real DynamoDB (dynalite): conditional writes decide every race.
// DynamoDB semantics relied on: a ConditionExpression is evaluated and the write applied atomically, and a failed
// condition is ConditionalCheckFailedException — https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
// ConsistentRead on GetItem/Scan returns the latest acknowledged write —
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
import * as assert from 'assert';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { decideRequest, listRequests, requestAccess } from '../../../src/core/approvals/requests';
import { ApprovalConflict, ApprovalRefused } from '../../../src/core/approvals/store';
import { notificationText } from '../../../src/core/approvals/notify';
import { PEOPLE, TOPIC, approvalsConfig, plan, useWorld } from './world';

describe('approvals/store against dynalite', () => {
  const w = useWorld();

  it('the table is created on-demand (PAY_PER_REQUEST) with `id` as its key', async () => {
    const d = await w.clients('alice').dynamodb().send(new DescribeTableCommand({ TableName: w.table() }));
    assert.strictEqual(d.Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepStrictEqual(d.Table?.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  });

  it('a request is stored pending with the requester\'s stable user id, and SNS is told without secrets', async () => {
    const p = plan();
    const { request, notified } = await requestAccess(p, w.ports('alice'));
    assert.strictEqual(request.status, 'pending');
    assert.strictEqual(request.requesterUserId, PEOPLE.alice.userId);
    assert.strictEqual(request.requesterArn, PEOPLE.alice.arn);
    assert.match(request.policyHash, /^[0-9a-f]{64}$/);
    assert.ok(notified.ok, notified.message);
    assert.strictEqual(w.sns.published.length, 1);
    const sent = w.sns.published[0];
    assert.strictEqual(sent.topicArn, TOPIC);
    for (const part of ['INC-2024-042', 'alice', 'BREAK-GLASS-INCIDENT_RESPONDER', 'containment_actions', request.id]) assert.ok(sent.message.includes(part), part);
    // The plan carries an MFA code: it must not travel.
    assert.ok(!sent.raw.includes('123456'), 'MFA code sent to SNS');
    const stored = await w.ports('bob').store.get(request.id);
    assert.deepStrictEqual(stored, request);
  });

  it('self-approval is refused by stable user id, even when the requester matches an approver pattern', async () => {
    const approvals = approvalsConfig({ approvers: { principals: ['arn:aws:iam::111122223333:user/*'], groups: [] } });
    const { request } = await requestAccess(plan(), w.ports('alice', approvals));
    await assert.rejects(decideRequest(request.id, 'approve', undefined, w.ports('alice', approvals)),
      (e: unknown) => e instanceof ApprovalRefused && /Self-approval refused/.test(e.translated.title) && /another approver/.test(e.message));
    assert.strictEqual((await w.ports('bob').store.get(request.id))?.status, 'pending');
  });

  it('approvers come from ARN patterns or IAM group membership (cached); anyone else is refused', async () => {
    const { request } = await requestAccess(plan(), w.ports('alice'));
    await assert.rejects(decideRequest(request.id, 'approve', undefined, w.ports('mallory')),
      (e: unknown) => e instanceof ApprovalRefused && /mallory is not an approver/.test(e.message));
    const carol = w.ports('carol'); // not in the pattern; in the IncidentApprovers group
    const lists = await listRequests(carol);
    assert.ok(lists.isApprover);
    assert.deepStrictEqual(lists.pending.map((r) => r.id), [request.id]);
    const out = await decideRequest(request.id, 'approve', 'ok, go', carol);
    assert.strictEqual(out.request.status, 'approved');
    assert.strictEqual(out.request.decidedByArn, PEOPLE.carol.arn);
    const carols = w.fake.calls('ListGroupsForUser').filter((c) => c.params.UserName === 'carol');
    assert.strictEqual(carols.length, 1, 'group membership looked up once and cached');
  });

  it('two approvers at once: exactly one wins, the other is told who did', async () => {
    for (let round = 0; round < 5; round++) {
      const { request } = await requestAccess(plan(), w.ports('alice'));
      const results = await Promise.allSettled([
        decideRequest(request.id, 'approve', 'bob says yes', w.ports('bob')),
        decideRequest(request.id, 'approve', 'carol says yes', w.ports('carol')),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.strictEqual(won.length, 1, `round ${round}: ${JSON.stringify(results.map((r) => r.status))}`);
      assert.ok(lost[0].reason instanceof ApprovalConflict, String(lost[0].reason));
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof decideRequest>>>).value.request.decidedByArn!;
      assert.ok((lost[0].reason as Error).message.includes(`already approved by ${winner}`), (lost[0].reason as Error).message);
      const final = await w.ports('bob').store.get(request.id);
      assert.strictEqual(final?.status, 'approved');
      assert.deepStrictEqual(final?.approvals.map((a) => a.arn), [winner]);
    }
  });

  it('approve vs deny at once: one decision stands, the other names it', async () => {
    const { request } = await requestAccess(plan(), w.ports('alice'));
    const results = await Promise.allSettled([
      decideRequest(request.id, 'approve', undefined, w.ports('bob')),
      decideRequest(request.id, 'deny', 'not this incident', w.ports('carol')),
    ]);
    assert.strictEqual(results.filter((r) => r.status === 'fulfilled').length, 1);
    const final = (await w.ports('bob').store.get(request.id))!;
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as Error;
    assert.ok(loser.message.includes(final.status === 'approved' ? 'already approved by' : 'already denied by'), loser.message);
  });

  it('approvals.required: 2 needs two distinct approvers; concurrent approvals both count; one person twice does not', async () => {
    const approvals = approvalsConfig({ required: 2 });
    const { request } = await requestAccess(plan(), w.ports('alice', approvals));
    const first = await decideRequest(request.id, 'approve', undefined, w.ports('bob', approvals));
    assert.strictEqual(first.request.status, 'pending');
    assert.match(w.sns.published.at(-1)!.subject ?? '', /one of two/);
    await assert.rejects(decideRequest(request.id, 'approve', undefined, w.ports('bob', approvals)), /already approved/);
    const second = await decideRequest(request.id, 'approve', undefined, w.ports('carol', approvals));
    assert.strictEqual(second.request.status, 'approved');
    assert.deepStrictEqual(second.request.approvals.map((a) => a.userId), [PEOPLE.bob.userId, PEOPLE.carol.userId]);

    // Both at once: neither approval is lost (the loser recounts on the fresh state).
    const { request: r2 } = await requestAccess(plan(), w.ports('alice', approvals));
    const both = await Promise.all([
      decideRequest(r2.id, 'approve', undefined, w.ports('bob', approvals)),
      decideRequest(r2.id, 'approve', undefined, w.ports('carol', approvals)),
    ]);
    assert.deepStrictEqual(both.map((b) => b.request.status).sort(), ['approved', 'pending']);
    const final = await w.ports('bob').store.get(r2.id);
    assert.strictEqual(final?.status, 'approved');
    assert.strictEqual(final?.approvals.length, 2);
  });

  it('expiry: an expired request cannot be approved, and listing moves it to expired', async () => {
    let now = Date.now();
    const clock = () => now;
    const { request } = await requestAccess(plan(), w.ports('alice', undefined, { now: clock }));
    now += 61 * 60_000;
    await assert.rejects(decideRequest(request.id, 'approve', undefined, w.ports('bob', undefined, { now: clock })), /expired at/);
    const mine = await listRequests(w.ports('alice', undefined, { now: clock }));
    assert.strictEqual(mine.mine[0].status, 'expired');
    assert.strictEqual((await w.ports('bob').store.get(request.id))?.status, 'expired');
  });

  it('approve vs expire (clocks disagree): exactly one transition applies', async () => {
    for (let round = 0; round < 5; round++) {
      const { request } = await requestAccess(plan(), w.ports('alice'));
      const approver = w.ports('bob'); // its clock: before expiry
      const sweeper = w.ports('carol', undefined, { now: () => Date.parse(request.expiresAt) + 1 }); // after expiry
      const [approved, expired] = await Promise.allSettled([
        decideRequest(request.id, 'approve', undefined, approver),
        sweeper.store.expire(request.id),
      ]);
      const final = (await approver.store.get(request.id))!;
      const approveWon = approved.status === 'fulfilled';
      const expireWon = expired.status === 'fulfilled' && expired.value !== undefined;
      assert.notStrictEqual(approveWon, expireWon, `round ${round}: both or neither applied`);
      assert.strictEqual(final.status, approveWon ? 'approved' : 'expired');
      if (!approveWon) assert.match(((approved as PromiseRejectedResult).reason as Error).message, /expired/);
    }
  });

  it('a denial is final and tells later approvers who denied it and why', async () => {
    const { request } = await requestAccess(plan(), w.ports('alice'));
    const d = await decideRequest(request.id, 'deny', 'wrong account', w.ports('bob'));
    assert.strictEqual(d.request.status, 'denied');
    assert.match(w.sns.published.at(-1)!.message, /Decided by: +arn:aws:iam::111122223333:user\/approvers\/bob — "wrong account"/);
    await assert.rejects(decideRequest(request.id, 'approve', undefined, w.ports('carol')),
      (e: unknown) => e instanceof ApprovalConflict && /already denied by arn:aws:iam::111122223333:user\/approvers\/bob/.test(e.message) && /wrong account/.test(e.message));
  });

  it('a notification that fails does not block the decision, and says why', async () => {
    const { request } = await requestAccess(plan(), w.ports('alice'));
    w.sns.failNext({ status: 403, code: 'AuthorizationError', message: 'User is not authorized to perform: SNS:Publish' });
    const out = await decideRequest(request.id, 'approve', undefined, w.ports('bob'));
    assert.strictEqual(out.request.status, 'approved');
    assert.strictEqual(out.notified.ok, false);
    assert.match(out.notified.message!, /was not sent/);
    assert.ok(!/<|Error>/.test(out.notified.message!), 'raw XML leaked into the message');
  });

  it('the notification text names incident, requester, role, playbook and a link', () => {
    const { message, subject } = notificationText('requested', {
      id: 'r-1', status: 'pending', requesterArn: PEOPLE.alice.arn, requesterUserId: PEOPLE.alice.userId, requester: 'alice',
      roleArn: 'arn:aws:iam::111122223333:role/X', accountId: '111122223333', playbook: 'file:/w/.breakglass/playbooks/dns.json',
      policyHash: 'a'.repeat(64), incidentId: 'INC-1', justification: 'why', durationSeconds: 900, requestedAt: '', expiresAt: '',
      approvals: [], failures: 0, breakGlass: false, version: 1,
    }, 'https://tickets.example.com/bg/{id}');
    assert.match(subject, /INC-1 X/);
    assert.match(message, /Playbook: +dns /);
    assert.match(message, /https:\/\/tickets\.example\.com\/bg\/r-1/);
  });
});
