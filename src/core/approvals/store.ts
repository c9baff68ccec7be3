// The approvals table: one item per request, keyed by `id`. Every state change is ONE conditional write whose
// condition is the transition's precondition (status, version, expiry, who), so two writers racing on the same item
// cannot both win: DynamoDB evaluates the condition and applies the update atomically. Reads that a decision depends
// on are strongly consistent (ConsistentRead), so a decision never rests on a stale copy.
//
// Errors are BreakGlassErrors: a lost race is an ApprovalConflict naming who or what won (after a consistent re-read),
// an unreachable or missing table is an ApprovalStoreError that says which table and what to do.
import { randomUUID } from 'crypto';
import {
  ConditionalCheckFailedException, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand,
  type AttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BreakGlassError, translateAwsError } from '../aws/errors';
import { ApprovalConflict, ApprovalRefused, ApprovalStoreError, describeState } from './errors';
import type { ApprovalRequest, ApprovalStatus, ApprovalSubject, Approver, CallerIdentity } from './types';

export { ApprovalConflict, ApprovalRefused, ApprovalStoreError, describeState };

type Item = Record<string, AttributeValue>;

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });

function toItem(r: ApprovalRequest, ttlEpochSeconds: number): Item {
  const item: Item = {
    id: S(r.id), status: S(r.status), requesterArn: S(r.requesterArn), requesterUserId: S(r.requesterUserId),
    requester: S(r.requester), roleArn: S(r.roleArn), accountId: S(r.accountId), playbook: S(r.playbook),
    policyHash: S(r.policyHash), incidentId: S(r.incidentId), justification: S(r.justification),
    durationSeconds: N(r.durationSeconds), requestedAt: S(r.requestedAt), expiresAt: S(r.expiresAt),
    expiresAtMs: N(Date.parse(r.expiresAt)), ttl: N(ttlEpochSeconds), approvals: { L: r.approvals.map(approverItem) },
    approvalCount: N(r.approvals.length), failures: N(r.failures), breakGlass: { BOOL: r.breakGlass }, version: N(r.version),
  };
  for (const k of ['decidedByArn', 'decidedByUserId', 'decidedAt', 'note', 'usedAt', 'accessKeyId', 'sessionId', 'lastFailure'] as const) {
    const v = r[k];
    if (v !== undefined) item[k] = S(v);
  }
  return item;
}

function approverItem(a: Approver): AttributeValue {
  return { M: { arn: S(a.arn), userId: S(a.userId), at: S(a.at), ...(a.note ? { note: S(a.note) } : {}) } };
}

function fromItem(i: Item): ApprovalRequest {
  const s = (k: string) => i[k]?.S;
  const n = (k: string) => Number(i[k]?.N ?? 0);
  return {
    id: s('id')!, status: s('status') as ApprovalStatus, requesterArn: s('requesterArn') ?? '', requesterUserId: s('requesterUserId') ?? '',
    requester: s('requester') ?? '', roleArn: s('roleArn') ?? '', accountId: s('accountId') ?? '', playbook: s('playbook') ?? '',
    policyHash: s('policyHash') ?? '', incidentId: s('incidentId') ?? '', justification: s('justification') ?? '',
    durationSeconds: n('durationSeconds'), requestedAt: s('requestedAt') ?? '', expiresAt: s('expiresAt') ?? '',
    approvals: (i.approvals?.L ?? []).map((a) => ({
      arn: a.M?.arn?.S ?? '', userId: a.M?.userId?.S ?? '', at: a.M?.at?.S ?? '', ...(a.M?.note?.S ? { note: a.M.note.S } : {}),
    })),
    ...(s('decidedByArn') ? { decidedByArn: s('decidedByArn') } : {}),
    ...(s('decidedByUserId') ? { decidedByUserId: s('decidedByUserId') } : {}),
    ...(s('decidedAt') ? { decidedAt: s('decidedAt') } : {}),
    ...(s('note') ? { note: s('note') } : {}),
    ...(s('usedAt') ? { usedAt: s('usedAt') } : {}),
    ...(s('accessKeyId') ? { accessKeyId: s('accessKeyId') } : {}),
    ...(s('sessionId') ? { sessionId: s('sessionId') } : {}),
    ...(s('lastFailure') ? { lastFailure: s('lastFailure') } : {}),
    failures: n('failures'), breakGlass: i.breakGlass?.BOOL === true, version: n('version'),
  };
}

export interface ApprovalStoreOptions {
  client: DynamoDBClient;
  table: string;
  /** Days after expiry before DynamoDB TTL deletes the item. */
  retentionDays?: number;
  now?: () => number;
  newId?: () => string;
}

export class ApprovalStore {
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly retentionDays: number;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(opts: ApprovalStoreOptions) {
    this.client = opts.client;
    this.table = opts.table;
    this.retentionDays = opts.retentionDays ?? 90;
    this.now = opts.now ?? Date.now;
    this.newId = opts.newId ?? randomUUID;
  }

  private fail(e: unknown, op: string): never {
    if (e instanceof BreakGlassError) throw e;
    const t = translateAwsError(e, { operation: `dynamodb:${op}` });
    const name = (e as { name?: string }).name;
    const why = name === 'ResourceNotFoundException'
      ? `the table ${this.table} does not exist in this account and region. Create it with \`breakglass approvals create-table --table ${this.table}\` (or deploy the CloudFormation template), or fix approvals.table/approvals.region in .breakglass/config.json`
      : t.code === 'AccessDenied'
        ? `your identity may not use the table ${this.table} (dynamodb:${op} denied). Ask an administrator for access to the approvals table`
        : `${t.message.replace(/\.$/, '')} (table ${this.table})`;
    throw new ApprovalStoreError({
      code: t.code === 'Unknown' ? 'NetworkUnreachable' : t.code, title: 'Approval store unavailable', retryable: t.retryable,
      message: `The approvals store could not be used: ${why}.`, ...(t.awsCode ? { awsCode: t.awsCode } : {}),
    });
  }

  private ttlFor(expiresAt: string): number {
    return Math.floor(Date.parse(expiresAt) / 1000) + this.retentionDays * 86_400;
  }

  /** Strongly consistent read of one request. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    try {
      const out = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { id: S(id) }, ConsistentRead: true }));
      return out.Item ? fromItem(out.Item) : undefined;
    } catch (e) {
      this.fail(e, 'GetItem');
    }
  }

  /** Every request (strongly consistent scan; the table is small: requests are deleted by TTL). Newest first. */
  async list(filter?: (r: ApprovalRequest) => boolean): Promise<ApprovalRequest[]> {
    const out: ApprovalRequest[] = [];
    let start: Item | undefined;
    try {
      do {
        const page = await this.client.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
        for (const i of page.Items ?? []) {
          const r = fromItem(i);
          if (!filter || filter(r)) out.push(r);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (e) {
      this.fail(e, 'Scan');
    }
    return out.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  /** Creates a pending request (or, for `breakGlass`, a request used at once without approval). */
  async create(subject: ApprovalSubject, requester: CallerIdentity, expiresInMs: number, opts: { breakGlass?: boolean } = {}): Promise<ApprovalRequest> {
    const now = this.now();
    const r: ApprovalRequest = {
      id: this.newId(), status: opts.breakGlass ? 'used' : 'pending', requesterArn: requester.arn, requesterUserId: requester.userId,
      ...subject, requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + expiresInMs).toISOString(),
      approvals: [], failures: 0, breakGlass: Boolean(opts.breakGlass), version: 1,
      ...(opts.breakGlass ? { usedAt: new Date(now).toISOString() } : {}),
    };
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.table, Item: toItem(r, this.ttlFor(r.expiresAt)), ConditionExpression: 'attribute_not_exists(id)',
      }));
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new ApprovalConflict(`Request id ${r.id} already exists; try again.`, undefined);
      this.fail(e, 'PutItem');
    }
    return r;
  }

  /**
   * One conditional update. `condition` is ANDed with `version = :v` so the write applies only to the state it was
   * computed from; on a failed condition the item is re-read (consistent) and `onLost` explains what happened.
   */
  private async update(current: ApprovalRequest, set: Record<string, AttributeValue | null>, condition: string,
    values: Item, onLost: (now: ApprovalRequest | undefined) => Error): Promise<ApprovalRequest> {
    const names: Record<string, string> = { '#v': 'version' };
    const vals: Item = { ...values, ':v': N(current.version), ':v1': N(current.version + 1) };
    const sets = ['#v = :v1'];
    const removes: string[] = [];
    let k = 0;
    for (const [attr, value] of Object.entries(set)) {
      const n = `#a${k}`;
      names[n] = attr;
      if (value === null) removes.push(n);
      else {
        vals[`:a${k}`] = value;
        sets.push(`${n} = :a${k}`);
      }
      k++;
    }
    for (const m of condition.matchAll(/#(\w+)/g)) names[`#${m[1]}`] ??= m[1];
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: { id: S(current.id) },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `#v = :v AND ${condition}`,
        ExpressionAttributeNames: names, ExpressionAttributeValues: vals, ReturnValues: 'ALL_NEW',
      }));
      return fromItem(out.Attributes!);
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw onLost(await this.get(current.id));
      this.fail(e, 'UpdateItem');
    }
  }

  private conflict(id: string, what: string) {
    return (now: ApprovalRequest | undefined) => now
      ? new ApprovalConflict(`Request ${id} could not be ${what}: it is ${describeState(now)}.`, now)
      : new ApprovalConflict(`Request ${id} no longer exists (deleted by TTL after expiry, or never created).`, undefined);
  }

  /**
   * Records one approval. With `required` approvals the request turns `approved` on the last one. Refuses the
   * requester themself and an approver who already approved. A concurrent approval by someone else is not lost: the
   * write is retried from the fresh state (a compare-and-swap loop, bounded), while a concurrent decision that ended
   * the request (approved with enough approvals, denied, expired) is reported with who made it.
   */
  async approve(id: string, approver: CallerIdentity, required: 1 | 2, note?: string): Promise<ApprovalRequest> {
    let current = await this.get(id);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!current) throw this.conflict(id, 'approved')(undefined);
      this.checkDecidable(current, approver, 'approve');
      if (current.approvals.some((a) => a.userId === approver.userId)) {
        throw new ApprovalRefused('Already approved by you', `You already approved request ${id}; it needs ${required} distinct approvers (${current.approvals.length} so far).`);
      }
      const nowIso = new Date(this.now()).toISOString();
      const approvals = [...current.approvals, { arn: approver.arn, userId: approver.userId, at: nowIso, ...(note ? { note } : {}) }];
      const done = approvals.length >= required;
      try {
        return await this.update(current, {
          approvals: { L: approvals.map(approverItem) }, approvalCount: N(approvals.length),
          ...(done ? { status: S('approved'), decidedByArn: S(approver.arn), decidedByUserId: S(approver.userId), decidedAt: S(nowIso), ...(note ? { note: S(note) } : {}) } : {}),
        }, '#status = :pending AND #expiresAtMs > :now AND #requesterUserId <> :me',
        { ':pending': S('pending'), ':now': N(this.now()), ':me': S(approver.userId) }, this.conflict(id, 'approved'));
      } catch (e) {
        // Someone else added an approval meanwhile but the request is still pending: count ours on top of theirs.
        if (e instanceof ApprovalConflict && e.current?.status === 'pending' && Date.parse(e.current.expiresAt) > this.now()) {
          current = e.current;
          continue;
        }
        throw e;
      }
    }
    throw this.conflict(id, 'approved')(await this.get(id));
  }

  /** Denies a pending request (any one approver can). */
  async deny(id: string, approver: CallerIdentity, note?: string): Promise<ApprovalRequest> {
    const current = await this.get(id);
    if (!current) throw this.conflict(id, 'denied')(undefined);
    this.checkDecidable(current, approver, 'deny');
    const nowIso = new Date(this.now()).toISOString();
    return this.update(current, {
      status: S('denied'), decidedByArn: S(approver.arn), decidedByUserId: S(approver.userId), decidedAt: S(nowIso), note: note ? S(note) : null,
    }, '#status = :pending AND #requesterUserId <> :me', { ':pending': S('pending'), ':me': S(approver.userId) }, this.conflict(id, 'denied'));
  }

  private checkDecidable(r: ApprovalRequest, approver: CallerIdentity, verb: 'approve' | 'deny'): void {
    if (r.requesterUserId === approver.userId) {
      throw new ApprovalRefused('Self-approval refused', `You requested ${r.id} yourself (${r.requesterArn}); another approver must ${verb} it.`);
    }
    if (r.status !== 'pending') throw new ApprovalConflict(`Request ${r.id} cannot be ${verb === 'approve' ? 'approved' : 'denied'}: it is ${describeState(r)}.`, r);
    if (verb === 'approve' && Date.parse(r.expiresAt) <= this.now()) {
      throw new ApprovalConflict(`Request ${r.id} expired at ${r.expiresAt}; ask the requester to request again.`, r);
    }
  }

  /** Marks a pending or approved-but-unused request past its expiry as expired. Returns undefined if it was not. */
  async expire(id: string): Promise<ApprovalRequest | undefined> {
    const current = await this.get(id);
    if (!current || (current.status !== 'pending' && current.status !== 'approved')) return undefined;
    if (Date.parse(current.expiresAt) > this.now()) return undefined;
    try {
      return await this.update(current, { status: S('expired') }, '(#status = :pending OR #status = :approved) AND #expiresAtMs <= :now',
        { ':pending': S('pending'), ':approved': S('approved'), ':now': N(this.now()) }, this.conflict(id, 'expired'));
    } catch (e) {
      if (e instanceof ApprovalConflict) return undefined;
      throw e;
    }
  }

  /**
   * approved → used, atomically, for the elevation described by `subject` of `requester`: the condition repeats every
   * check (role, policy hash, incident, requester, expiry), so a second elevation on the same approval loses.
   */
  async reserve(r: ApprovalRequest, requester: CallerIdentity, subject: Pick<ApprovalSubject, 'roleArn' | 'policyHash' | 'incidentId'>): Promise<{ request: ApprovalRequest; reservation: string }> {
    const reservation = this.newId();
    const request = await this.update(r, { status: S('used'), usedAt: S(new Date(this.now()).toISOString()), reservation: S(reservation) },
      '#status = :approved AND #expiresAtMs > :now AND #requesterUserId = :me AND #roleArn = :role AND #policyHash = :hash AND #incidentId = :inc',
      { ':approved': S('approved'), ':now': N(this.now()), ':me': S(requester.userId), ':role': S(subject.roleArn), ':hash': S(subject.policyHash), ':inc': S(subject.incidentId) },
      (now) => now && now.status === 'approved' && now.version !== r.version
        ? new ApprovalConflict(`Request ${r.id} changed while the elevation started; elevate again.`, now)
        : this.conflict(r.id, 'used')(now));
    return { request, reservation };
  }

  /** Marks a break-glass item (created `used`) with its reservation, so commit/release work the same way. */
  async claim(r: ApprovalRequest): Promise<{ request: ApprovalRequest; reservation: string }> {
    const reservation = this.newId();
    const request = await this.update(r, { reservation: S(reservation) }, '#status = :used AND attribute_not_exists(#reservation)',
      { ':used': S('used') }, this.conflict(r.id, 'used'));
    return { request, reservation };
  }

  /** The elevation succeeded: record the session's access key id (not secret: CloudTrail shows it). */
  async commit(id: string, reservation: string, session: { accessKeyId: string; id: string }): Promise<ApprovalRequest> {
    const current = await this.get(id);
    if (!current) throw this.conflict(id, 'committed')(undefined);
    return this.update(current, { accessKeyId: S(session.accessKeyId), sessionId: S(session.id) },
      '#status = :used AND #reservation = :res', { ':used': S('used'), ':res': S(reservation) }, this.conflict(id, 'committed'));
  }

  /** The elevation failed after reserve: the approval goes back to `approved`, with the failure noted. */
  async release(id: string, reservation: string, failure: string): Promise<ApprovalRequest> {
    const current = await this.get(id);
    if (!current) throw this.conflict(id, 'released')(undefined);
    return this.update(current, {
      status: S(current.breakGlass ? 'used' : 'approved'), usedAt: null, reservation: null, lastFailure: S(failure.slice(0, 500)),
      failures: N(current.failures + 1),
    }, '#status = :used AND #reservation = :res', { ':used': S('used'), ':res': S(reservation) }, this.conflict(id, 'released'));
  }
}
