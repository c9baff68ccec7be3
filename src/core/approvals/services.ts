// Builds the approval ports from config and one AwsClients: the store, the notifier, group membership and the
// caller's identity (memoised per AwsClients: it does not change for a given set of base credentials).
import type { AwsClients } from '../aws/clients';
import type { ApprovalsConfig } from '../config';
import { callerIdentity, GroupMembership } from './identity';
import { noNotifier, snsNotifier, type Notifier } from './notify';
import type { ApprovalPorts } from './requests';
import { ApprovalStore } from './store';
import type { CallerIdentity } from './types';

const identities = new WeakMap<AwsClients, Promise<CallerIdentity>>();
const groupCaches = new WeakMap<AwsClients, GroupMembership>();

export function identityOf(clients: AwsClients): () => Promise<CallerIdentity> {
  return () => {
    let p = identities.get(clients);
    if (!p) {
      p = callerIdentity(clients.sts());
      identities.set(clients, p);
      p.catch(() => identities.delete(clients));
    }
    return p;
  };
}

export function topicRegion(topicArn: string): string | undefined {
  return topicArn.split(':')[3] || undefined;
}

export function notifierFor(approvals: ApprovalsConfig, clients: AwsClients): Notifier {
  if (!approvals.topicArn) return noNotifier;
  const arn = approvals.topicArn;
  return snsNotifier(() => clients.sns(topicRegion(arn)), arn, approvals.requestUrl);
}

export function approvalPorts(approvals: ApprovalsConfig, clients: AwsClients, extra: Partial<ApprovalPorts> = {}): ApprovalPorts {
  let groups = groupCaches.get(clients);
  if (!groups) groupCaches.set(clients, (groups = new GroupMembership(() => clients.iam())));
  return {
    store: new ApprovalStore({ client: clients.dynamodb(approvals.region), table: approvals.table, retentionDays: approvals.retentionDays, ...(extra.now ? { now: extra.now } : {}) }),
    approvals,
    identity: identityOf(clients),
    groups,
    notifier: notifierFor(approvals, clients),
    ...extra,
  };
}
