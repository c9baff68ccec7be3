// The approvals table itself: created by `breakglass approvals create-table` (on-demand billing, TTL on the `ttl`
// attribute — the expiry plus the retention days — and point-in-time recovery), or as a CloudFormation resource that
// the provisioning template includes. The key is `id` (a random UUID per request).
import {
  CreateTableCommand, DescribeTableCommand, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BreakGlassError, translateAwsError } from '../aws/errors';

export const TTL_ATTRIBUTE = 'ttl';

export interface CreateTableResult {
  created: boolean;
  /** Steps done and anything that failed (each a sentence), in order. */
  steps: string[];
  ok: boolean;
}

/** Creates the table (or finds it), waits until ACTIVE, then turns on TTL and PITR. Never throws for a failed step. */
export async function createApprovalsTable(ddb: DynamoDBClient, table: string, opts: { pollMs?: number; timeoutMs?: number } = {}): Promise<CreateTableResult> {
  const steps: string[] = [];
  let ok = true;
  let created = false;
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      steps.push(`${what}: done.`);
    } catch (e) {
      ok = false;
      steps.push(`${what}: FAILED — ${translateAwsError(e, { operation: what }).message}`);
    }
  };
  try {
    await ddb.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      SSESpecification: { Enabled: true },
      Tags: [{ Key: 'Purpose', Value: 'IncidentResponse' }, { Key: 'ManagedBy', Value: 'breakglass' }],
    }));
    created = true;
    steps.push(`Create table ${table} (on-demand billing, encrypted): done.`);
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUseException') {
      throw new BreakGlassError(translateAwsError(e, { operation: 'dynamodb:CreateTable' }));
    }
    steps.push(`Table ${table} already exists: kept.`);
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const d = await ddb.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) return { created, ok: false, steps: [...steps, `Table ${table} did not become ACTIVE in time; run the command again to finish TTL and PITR.`] };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
  await step(`Time to live on attribute "${TTL_ATTRIBUTE}" (dynamodb:UpdateTimeToLive)`, () => ddb.send(new UpdateTimeToLiveCommand({
    TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
  })));
  await step('Point-in-time recovery (dynamodb:UpdateContinuousBackups)', () => ddb.send(new UpdateContinuousBackupsCommand({
    TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  })));
  return { created, ok, steps };
}

/** The CloudFormation resources for the approvals table (and, if a topic name is given, its SNS topic). */
export function approvalsCloudFormation(opts: { table: string; logicalId?: string; topicName?: string }): Record<string, unknown> {
  const id = opts.logicalId ?? 'BreakGlassApprovalsTable';
  const resources: Record<string, unknown> = {
    [id]: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: opts.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        Tags: [{ Key: 'Purpose', Value: 'IncidentResponse' }, { Key: 'ManagedBy', Value: 'breakglass' }],
      },
    },
  };
  if (opts.topicName) {
    resources[`${id}Topic`] = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: opts.topicName, Tags: [{ Key: 'Purpose', Value: 'IncidentResponse' }] },
    };
  }
  return resources;
}
