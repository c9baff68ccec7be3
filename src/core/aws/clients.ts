// The ONE place AWS SDK v3 clients are made (STS, IAM, Organizations, DynamoDB, SNS), so every client honours the same region,
// credentials, endpoint override and retry policy.
//
// Endpoint precedence (same idea as the SDKs' "service-specific endpoints" feature, with the explicit setting first):
//   1. the explicit `endpointUrl` option (the extension's `breakglass.endpointUrl` setting, the CLI's --endpoint-url);
//   2. AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_ORGANIZATIONS);
//   3. AWS_ENDPOINT_URL;
//   4. the SDK's default endpoint for the region.
//
// Retries: throttling is retried with exponential backoff by the SDK (`maxAttempts`, default 3). An AssumeRole that
// carries an MFA code must not be replayed after anything but throttling: the code is single-use, so a replay after a
// timeout or a 5xx (which may have consumed the code) would fail with a confusing "invalid MFA" error — the
// `stsForMfa()` client therefore uses ThrottlingOnlyRetryStrategy.
//
// Timeouts: `requestTimeoutMs` is a real deadline (`throwOnRequestTimeout`): without it the SDK's HTTP handler only
// logs a warning and keeps waiting for a silent server.
//
// Identities: one AwsClients per identity. `withCredentials()` gives clients for another identity with the same region,
// endpoint and retry settings: a live break-glass session (`forSession`) or a provisioning role (`forRole`, which
// assumes the role lazily with this identity's STS client and refreshes it before it expires).
import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
// --- audit trail services (issue 11) ---
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
// --- end audit trail services ---
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; // approvals (issue 12)
import { SNSClient } from '@aws-sdk/client-sns'; // audit alerts (issue 11), approvals (issue 12)
import { defaultRegion, iamRegion, partitionOfRegion, type Partition } from './partition';

export type AwsService = 'sts' | 'iam' | 'organizations' | 'logs' | 'cloudtrail' | 'events' | 'sns' | 'dynamodb';
export type CredentialsInput = STSClientConfig['credentials'];

export interface AwsClientOptions {
  /** Region for STS (regional endpoint). IAM and Organizations use their partition's global region. */
  region?: string;
  /** Partition when no region is given; derived from the region otherwise. */
  partition?: Partition;
  /** Static credentials or a provider; the SDK default chain when omitted. */
  credentials?: CredentialsInput;
  /** Explicit endpoint for every service (wins over the environment). */
  endpointUrl?: string;
  /** Environment to read AWS_ENDPOINT_URL* from (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** Total attempts including the first, for throttling and transient errors. Default 3. */
  maxAttempts?: number;
  /** Per-request socket timeout; default 15 s. */
  requestTimeoutMs?: number;
  /** TCP connect timeout; default 5 s. */
  connectionTimeoutMs?: number;
}

const ENV_SUFFIX: Record<AwsService, string> = {
  sts: 'STS', iam: 'IAM', organizations: 'ORGANIZATIONS',
  logs: 'CLOUDWATCH_LOGS', cloudtrail: 'CLOUDTRAIL', events: 'EVENTBRIDGE', sns: 'SNS', dynamodb: 'DYNAMODB',
};

/** The endpoint URL to use for a service, or undefined for the SDK default. */
export function resolveEndpoint(service: AwsService, opts: Pick<AwsClientOptions, 'endpointUrl' | 'env'> = {}): string | undefined {
  const env = opts.env ?? process.env;
  const explicit = opts.endpointUrl?.trim();
  // The explicit endpoint (breakglass.endpointUrl, --endpoint-url) is for STS, IAM, Organizations and the audit-trail
  // services (CloudWatch Logs, CloudTrail, EventBridge); the approvals table and every SNS topic take
  // AWS_ENDPOINT_URL_DYNAMODB / _SNS / AWS_ENDPOINT_URL only, so an STS VPC endpoint never redirects them.
  if (explicit && service !== 'dynamodb' && service !== 'sns') return explicit;
  const specific = env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`]?.trim();
  if (specific) return specific;
  const global = env.AWS_ENDPOINT_URL?.trim();
  return global || undefined;
}

/** The region a client for `service` signs for. */
export function regionFor(service: AwsService, opts: Pick<AwsClientOptions, 'region' | 'partition' | 'env'> = {}): string {
  const env = opts.env ?? process.env;
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const partition = opts.partition ?? partitionOfRegion(region);
  if (service === 'iam') return iamRegion(partition);
  if (service === 'organizations') return partition === 'aws-cn' ? 'cn-northwest-1' : iamRegion(partition);
  return region ?? defaultRegion(partition);
}

interface RetryTokenLike { getRetryCount(): number; getRetryDelay(): number }
interface RetryErrorInfoLike { errorType: string; retryAfterHint?: Date; error?: unknown }

/**
 * A retry strategy (SDK RetryStrategyV2 shape) that retries ONLY throttling errors, with full-jitter exponential
 * backoff honouring Retry-After. Used for AssumeRole with an MFA code.
 */
export class ThrottlingOnlyRetryStrategy {
  readonly mode = 'standard';
  constructor(
    private readonly maxAttempts = 3,
    private readonly baseDelayMs = 500,
    private readonly maxDelayMs = 20_000,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<RetryTokenLike> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: RetryTokenLike, info: RetryErrorInfoLike): Promise<RetryTokenLike> {
    const count = previous.getRetryCount() + 1;
    if (info.errorType !== 'THROTTLING' || count >= this.maxAttempts) {
      throw info.error instanceof Error ? info.error : new Error('not retried');
    }
    const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
    const backoff = Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (count - 1)));
    return token(count, Math.min(this.maxDelayMs, Math.max(hinted, backoff)));
  }

  recordSuccess(_token: RetryTokenLike): void {
    // Nothing to account for: no retry quota is shared between calls.
  }
}

function token(count: number, delay: number): RetryTokenLike {
  return { getRetryCount: () => count, getRetryDelay: () => delay };
}

type AnyClient = STSClient | IAMClient | OrganizationsClient | CloudWatchLogsClient | CloudTrailClient | EventBridgeClient | SNSClient | DynamoDBClient;

/**
 * Creates and caches the SDK clients for one set of options. Reuse one AwsClients per base identity: the clients keep
 * their HTTP keep-alive connections, so a second call skips TCP and TLS setup.
 */
export class AwsClients {
  private cache = new Map<string, AnyClient>();

  constructor(readonly options: AwsClientOptions = {}) {}

  private common(service: AwsService, regionOverride?: string) {
    const o = regionOverride ? { ...this.options, region: regionOverride } : this.options;
    const endpoint = resolveEndpoint(service, o);
    return {
      region: regionFor(service, o),
      ...(o.credentials ? { credentials: o.credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: o.maxAttempts ?? 3,
      requestHandler: {
        requestTimeout: o.requestTimeoutMs ?? 15_000, connectionTimeout: o.connectionTimeoutMs ?? 5_000, throwOnRequestTimeout: true,
      },
    };
  }

  private memo<T extends AnyClient>(key: string, make: () => T): T {
    let c = this.cache.get(key) as T | undefined;
    if (!c) this.cache.set(key, (c = make()));
    return c;
  }

  /** STS with the SDK's standard retries (GetCallerIdentity, AssumeRole without MFA). */
  sts(): STSClient {
    return this.memo('sts', () => new STSClient(this.common('sts')));
  }

  /** STS for AssumeRole with an MFA code: only throttling is retried. */
  stsForMfa(): STSClient {
    return this.memo('sts-mfa', () => new STSClient({
      ...this.common('sts'),
      retryStrategy: new ThrottlingOnlyRetryStrategy(this.options.maxAttempts ?? 3),
    }));
  }

  // IAM and Organizations are loaded when first asked for: an elevation from the CLI needs STS (and IAM only for
  // iam:GetRole), and evaluating the Organizations client costs every process that never lists accounts.
  /* eslint-disable @typescript-eslint/no-require-imports */
  iam(): IAMClient {
    return this.memo('iam', () => new (require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam')).IAMClient(this.common('iam')));
  }

  organizations(): OrganizationsClient {
    return this.memo('org', () => new (require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations')).OrganizationsClient(this.common('organizations')));
  }
  /* eslint-enable @typescript-eslint/no-require-imports */

  /** Clients for another identity, with the same region, endpoint, environment, retries and timeouts. */
  withCredentials(credentials: CredentialsInput, overrides: Omit<AwsClientOptions, 'credentials'> = {}): AwsClients {
    return new AwsClients({ ...this.options, ...overrides, credentials });
  }

  /** Clients acting as a live session (its temporary credentials), e.g. to call AWS with a break-glass session. */
  forSession(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: string }, region?: string): AwsClients {
    return this.withCredentials({
      accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken,
      ...(c.expiration ? { expiration: new Date(c.expiration) } : {}),
    }, region ? { region } : {});
  }

  /**
   * Clients acting as a role this identity may assume without MFA (a provisioning or automation role). Nothing is
   * called until the first request; the role's credentials are renewed five minutes before they expire.
   */
  forRole(role: AssumeRoleSpec): AwsClients {
    let cached: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } | undefined;
    let pending: Promise<typeof cached> | undefined;
    const provider = async () => {
      if (cached && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
      pending ??= this.sts().send(new AssumeRoleCommand({
        RoleArn: role.roleArn, RoleSessionName: role.roleSessionName, DurationSeconds: role.durationSeconds ?? 3600,
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
        ...(role.policy ? { Policy: role.policy } : {}),
        ...(role.tags?.length ? { Tags: role.tags } : {}),
        ...(role.sourceIdentity ? { SourceIdentity: role.sourceIdentity } : {}),
      })).then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error(`STS returned no credentials for ${role.roleArn}`);
        cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
        return cached;
      }).finally(() => { pending = undefined; });
      return (await pending)!;
    };
    return this.withCredentials(provider, role.region ? { region: role.region } : {});
  }

  // --- audit trail services (issue 11): regional, like STS ---
  cloudWatchLogs(): CloudWatchLogsClient {
    return this.memo('logs', () => new CloudWatchLogsClient(this.common('logs')));
  }

  cloudTrail(): CloudTrailClient {
    return this.memo('cloudtrail', () => new CloudTrailClient(this.common('cloudtrail')));
  }

  eventBridge(): EventBridgeClient {
    return this.memo('events', () => new EventBridgeClient(this.common('events')));
  }

  // --- end audit trail services ---
  // ---- approvals (issue 12) ----
  /** DynamoDB (the approvals table), in `region` when it differs from the STS region. */
  dynamodb(region?: string): DynamoDBClient {
    return this.memo(`dynamodb:${region ?? ''}`, () => new DynamoDBClient(this.common('dynamodb', region)));
  }

  /** SNS (approval notifications), in the topic's region. */
  sns(region?: string): SNSClient {
    return this.memo(`sns:${region ?? ''}`, () => new SNSClient(this.common('sns', region)));
  }
  // ---- end approvals ----

  /** Closes keep-alive sockets. */
  destroy(): void {
    for (const c of this.cache.values()) c.destroy();
    this.cache.clear();
  }
}

/** A role to act as through `AwsClients.forRole` (assumed with the parent identity, without MFA). */
export interface AssumeRoleSpec {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  /** A session policy (JSON text) to scope the role further. */
  policy?: string;
  tags?: Array<{ Key: string; Value: string }>;
  sourceIdentity?: string;
  region?: string;
}
