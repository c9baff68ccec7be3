// The baseline of the CLI-process benchmark: the least a one-shot AssumeRole process does — load the SDK's STS client,
// send one AssumeRole with MFA (the same input breakglass sends), print credential_process JSON. Bundled and minified
// like dist/cli.js. Endpoint and keys from the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …); the input as
// JSON in BENCH_ASSUME_ROLE_INPUT.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const client = new STSClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
client.send(new AssumeRoleCommand(JSON.parse(process.env.BENCH_ASSUME_ROLE_INPUT ?? '{}'))).then((out) => {
  const c = out.Credentials!;
  process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration }) + '\n');
  client.destroy();
}, (e) => {
  process.stderr.write(`${(e as Error).name}: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
