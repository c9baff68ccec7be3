// How provisioning and the drill reach each account: the current credentials, or a provisioning role assumed per
// account (provisioning.provisioningRoleName). Kept in this one small function so it can be swapped for the shared
// client factory's per-identity clients. Whatever the route, the credentials must belong to the target account:
// GetCallerIdentity is checked, so a config can never make us write one account's roles into another.
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsClients } from '../aws/clients';
import type { Partition } from '../config';
import { BreakGlassError, translateAwsError } from '../aws/errors';

export type AccountClients = (accountId: string, partition: Partition) => Promise<AwsClients>;

/** A session name AWS accepts ([\w+=,.@-]{2,64}) that says what it was for. */
const SESSION_NAME = 'breakglass-provisioning';

export function accountClientsFactory(base: AwsClients, provisioningRoleName?: string): { clientsFor: AccountClients; dispose(): void } {
  const made: AwsClients[] = [];
  // One session per account and run: the plan and the apply that follows reuse it.
  const cache = new Map<string, Promise<AwsClients>>();
  const clientsFor: AccountClients = (accountId, partition) => {
    let c = cache.get(accountId);
    if (!c) {
      c = reach(accountId, partition);
      cache.set(accountId, c);
      c.catch(() => cache.delete(accountId));
    }
    return c;
  };
  const reach = async (accountId: string, partition: Partition): Promise<AwsClients> => {
    let clients = base;
    if (provisioningRoleName) {
      const name = provisioningRoleName.replace(/^\/+/, '');
      const roleArn = `arn:${partition}:iam::${accountId}:role/${name}`;
      let out;
      try {
        out = await base.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, DurationSeconds: 900 }));
      } catch (e) {
        throw new BreakGlassError(translateAwsError(e, { operation: 'AssumeRole', roleArn }));
      }
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new BreakGlassError({ code: 'Unknown', title: 'No credentials', message: `AssumeRole into ${roleArn} returned no credentials.`, retryable: true });
      }
      clients = new AwsClients({ ...base.options, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
      made.push(clients);
    }
    let who;
    try {
      who = await clients.sts().send(new GetCallerIdentityCommand({}));
    } catch (e) {
      throw new BreakGlassError(translateAwsError(e, { operation: 'GetCallerIdentity' }));
    }
    if (who.Account !== accountId) {
      throw new BreakGlassError({
        code: 'AccessDenied', title: 'Wrong account', retryable: false,
        message: `The credentials reach account ${who.Account ?? 'unknown'}, not ${accountId}. Set "provisioningRoleName" in the provisioning block (a role assumed in each account, e.g. OrganizationAccountAccessRole) or use credentials of ${accountId}.`,
      });
    }
    return clients;
  };
  return { clientsFor, dispose: () => made.forEach((c) => c.destroy()) };
}
