// The local STS/IAM endpoint for a describe block, with one AwsClients pointed at it (no retries, so a refused
// request is seen at once). Recorded requests and behaviours are reset before each test.
import { AwsClients } from '../../../src/core/aws/clients';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../../support/fake-aws';

export const TEST_CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export function useFakeAws(opts: FakeAwsOptions = {}): { readonly fake: FakeAws; readonly clients: AwsClients } {
  const ctx = {} as { fake: FakeAws; clients: AwsClients };
  before(async () => {
    ctx.fake = await startFakeAws(opts);
    ctx.clients = new AwsClients({ endpointUrl: ctx.fake.url, region: 'us-east-1', credentials: TEST_CREDS, env: {}, maxAttempts: 1 });
  });
  after(async () => {
    ctx.clients?.destroy();
    await ctx.fake?.close();
  });
  beforeEach(() => ctx.fake.reset());
  return ctx;
}
