// A two-person world for the approval tests: the local fake STS/IAM (several identities, an IAM group), a real
// DynamoDB (dynalite) with the approvals table created by our own createApprovalsTable, and a local SNS endpoint.
// One AwsClients per person, each with its own access key, so GetCallerIdentity tells them apart.
import { AwsClients } from '../../../src/core/aws/clients';
import type { ApprovalsConfig, WorkspaceConfig } from '../../../src/core/config';
import { approvalPorts } from '../../../src/core/approvals/services';
import type { ApprovalPorts } from '../../../src/core/approvals/requests';
import { createApprovalsTable } from '../../../src/core/approvals/table';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog } from '../../../src/core/audit/log';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { builtinPlaybook, type PlaybookRef, type ResolvedPlaybook } from '../../../src/core/playbooks';
import type { ElevationGate } from '../../../src/core/session/gate';
import { planElevation, type ElevationInput, type ElevationPlan } from '../../../src/core/session/elevate';
import { describeProblems, runElevation } from '../../../src/core/session/run';
import type { SessionStore } from '../../../src/core/session/store';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { startFakeSns, type FakeSns } from '../../support/fake-sns';

export const TOPIC = 'arn:aws:sns:us-east-1:111122223333:breakglass-approvals';
export const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
export const OPEN_ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-SECURITY_INVESTIGATOR';

export const PEOPLE = {
  alice: { key: 'AKIAALICEEXAMPLE0001', arn: 'arn:aws:iam::111122223333:user/alice', userId: 'AIDAALICEEXAMPLE' },
  bob: { key: 'AKIABOBEXAMPLE000001', arn: 'arn:aws:iam::111122223333:user/approvers/bob', userId: 'AIDABOBEXAMPLE' },
  carol: { key: 'AKIACAROLEXAMPLE0001', arn: 'arn:aws:iam::111122223333:user/carol', userId: 'AIDACAROLEXAMPLE' },
  mallory: { key: 'AKIAMALLORYEXAMPLE01', arn: 'arn:aws:iam::111122223333:user/mallory', userId: 'AIDAMALLORYEXAMPLE' },
} as const;
export type Person = keyof typeof PEOPLE;

export function approvalsConfig(over: Partial<ApprovalsConfig> = {}): ApprovalsConfig {
  return {
    table: 'breakglass-approvals', approvers: { principals: ['arn:aws:iam::111122223333:user/approvers/*'], groups: ['IncidentApprovers'] },
    required: 1, expiresInMinutes: 60, retentionDays: 90, allowBreakGlassAnyway: false, topicArn: TOPIC, ...over,
  };
}

export function workspaceConfig(approvals: ApprovalsConfig | undefined = approvalsConfig()): WorkspaceConfig {
  return {
    version: 1,
    accounts: [{ id: '111122223333', name: 'Production', partition: 'aws', regions: ['us-east-1'], roles: [
      { name: 'BREAK-GLASS-INCIDENT_RESPONDER', arn: ROLE, requiresApproval: true, mfaRequired: true },
      { name: 'BREAK-GLASS-SECURITY_INVESTIGATOR', arn: OPEN_ROLE, mfaRequired: true },
    ] }],
    ...(approvals ? { approvals } : {}),
  };
}

export interface World {
  fake: FakeAws;
  ddb: LocalDynamo;
  sns: FakeSns;
  env: NodeJS.ProcessEnv;
  clients(p: Person): AwsClients;
  ports(p: Person, approvals?: ApprovalsConfig, extra?: Partial<ApprovalPorts>): ApprovalPorts;
}

/** A playbook as the tests name it: a built-in name, or an inline document (written to a file, as a responder would). */
export type TestPlaybook = string | { name: string; policy: object };
export type PlanOver = Partial<Omit<ElevationInput, 'playbook'>> & { playbook?: TestPlaybook };

const inlineDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-approvals-playbooks-'));
function playbookRef(p: TestPlaybook): PlaybookRef {
  if (typeof p === 'string') return { kind: 'builtin', name: p };
  const file = path.join(inlineDir, `${p.name}.json`);
  fs.writeFileSync(file, JSON.stringify(p.policy));
  return { kind: 'file', file };
}
function resolved(p: TestPlaybook): ResolvedPlaybook {
  if (typeof p === 'string') return builtinPlaybook(p);
  const ref = playbookRef(p);
  return { ref, name: `file:${p.name}`, policy: p.policy as ResolvedPlaybook['policy'], policyArns: [] };
}

const DEFAULTS = {
  roleArn: ROLE, playbook: 'containment_actions' as TestPlaybook, incidentId: 'INC-2024-042', justification: 'Contain the compromised instance',
  requester: 'alice', region: 'us-east-1', mfaSerial: 'arn:aws:iam::111122223333:mfa/alice', tokenCode: '123456',
};

/** The plan the elevation will send (what a request's policy hash is computed from). */
export function plan(over: PlanOver = {}): ElevationPlan {
  const o = { ...DEFAULTS, ...over };
  const r = planElevation({ ...o, playbook: resolved(o.playbook) });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join(' '));
  return r.plan;
}

/**
 * Elevates through the one elevation use-case (runElevation) with a gate, as the extension and the CLI do; resolves
 * with the granted session, rejects with the gate's refusal or AWS's translated error.
 */
export async function elevateThroughGate(clients: AwsClients, gate: ElevationGate | undefined, over: PlanOver = {},
  extra: { audit?: AuditLog; store?: SessionStore } = {}) {
  const o = { ...DEFAULTS, ...over };
  const audit = extra.audit ?? new AuditLog(path.join(inlineDir, `audit-${Math.random().toString(36).slice(2)}.jsonl`));
  const outcome = await runElevation({ ...o, playbook: playbookRef(o.playbook) }, {
    clients, audit, gate, store: extra.store, readPlaybookFile: (f) => fs.promises.readFile(f, 'utf8'),
  });
  if (outcome.status === 'granted') {
    await outcome.durable;
    return outcome;
  }
  if (outcome.status === 'refused') throw outcome.error ? new BreakGlassError(outcome.error) : new Error(describeProblems(outcome.problems));
  if (outcome.status === 'failed') throw new BreakGlassError(outcome.error);
  throw new Error('cancelled');
}

/** Starts the world once per describe block; the table is emptied (recreated under a new name) per test. */
export function useWorld(): World & { table: () => string } {
  const w = {} as World & { table: () => string };
  const made: AwsClients[] = [];
  let n = 0;
  let table = '';
  before(async () => {
    w.fake = await startFakeAws({
      identities: Object.fromEntries(Object.values(PEOPLE).map((p) => [p.key, { arn: p.arn, userId: p.userId }])),
      groups: { IncidentApprovers: ['carol'] },
    });
    w.ddb = await startDynalite();
    w.sns = await startFakeSns([TOPIC]);
    w.env = { AWS_ENDPOINT_URL: w.fake.url, AWS_ENDPOINT_URL_DYNAMODB: w.ddb.url, AWS_ENDPOINT_URL_SNS: w.sns.url };
    w.clients = (p) => {
      const c = new AwsClients({ region: 'us-east-1', env: w.env, maxAttempts: 1, credentials: { accessKeyId: PEOPLE[p].key, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
      made.push(c);
      return c;
    };
    const byPerson = new Map<Person, AwsClients>();
    // One AwsClients per person, as in the product (its identity and group caches live with it).
    const of = (p: Person) => byPerson.get(p) ?? byPerson.set(p, w.clients(p)).get(p)!;
    w.ports = (p, approvals, extra) => approvalPorts({ ...approvalsConfig(), ...approvals, table }, of(p), extra);
  });
  beforeEach(async () => {
    table = `breakglass-approvals-${++n}`;
    w.sns.published.length = 0;
    w.fake.reset();
    const c = w.clients('alice');
    await createApprovalsTable(c.dynamodb(), table, { pollMs: 5 });
  });
  after(async () => {
    for (const c of made) c.destroy();
    await Promise.all([w.fake?.close(), w.ddb?.close(), w.sns?.close()]);
  });
  w.table = () => table;
  return w;
}
