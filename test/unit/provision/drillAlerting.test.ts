// The readiness drill checks the break-glass alerting (issue 11's EventBridge → SNS, src/core/trail/alerting) in each
// account when asked (`breakglass check --alerting`): missing rules fail, an unconfirmed subscription warns, provisioned
// and confirmed alerting passes. IAM answers from the local IAM endpoint, EventBridge and SNS from the local trail
// endpoint (both following AWS's wire formats).
import * as assert from 'assert';
import { AwsClients } from '../../../src/core/aws/clients';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { desiredState } from '../../../src/core/provision/desired';
import { runDrill } from '../../../src/core/readiness/drill';
import { provisionAlerting } from '../../../src/core/trail/alerting';
import { ROLE_TEMPLATES } from '../../../src/core/templates';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { TEST_CREDS } from '../helpers/aws';

const SEC = '111122223333';
const desired = desiredState(parseWorkspaceConfig(JSON.stringify({
  version: 1,
  accounts: [{ id: SEC, name: 'Security', regions: ['us-east-1'], roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder', path: '/incident-response/' }] }],
  provisioning: { securityAccountId: SEC, users: [] },
})).config, ROLE_TEMPLATES);

describe('readiness/drill alerting (--alerting)', () => {
  let aws: FakeAws;
  let trail: FakeTrail;
  let clients: AwsClients;
  before(async () => {
    aws = await startFakeAws({ accountId: SEC });
    trail = await startFakeTrail();
    clients = new AwsClients({
      region: 'us-east-1', credentials: TEST_CREDS, maxAttempts: 1,
      env: { AWS_ENDPOINT_URL_IAM: aws.url, AWS_ENDPOINT_URL_STS: aws.url, AWS_ENDPOINT_URL_EVENTBRIDGE: trail.url, AWS_ENDPOINT_URL_SNS: trail.url },
    });
  });
  after(async () => { clients.destroy(); await trail.close(); await aws.close(); });
  const alertingOf = async (on = true) => (await runDrill(desired, { clientsFor: async () => clients, ...(on ? { alerting: {} } : {}) }))
    .findings.filter((f) => f.check.startsWith('alerting'));

  it('is not checked unless asked', async () => {
    assert.deepStrictEqual(await alertingOf(false), []);
  });

  it('missing rules fail with the fix; after provisioning, an unconfirmed subscription warns; confirmed, all pass', async () => {
    const missing = await alertingOf();
    assert.ok(missing.some((f) => f.status === 'fail' && /does not exist/.test(f.reason) && /alerting provision/.test(f.fix ?? '')), JSON.stringify(missing));
    const p = await provisionAlerting({ events: clients.eventBridge(), sns: clients.sns(), logs: clients.cloudWatchLogs() }, { emails: ['oncall@example.com'] });
    const pending = await alertingOf();
    assert.deepStrictEqual(pending.filter((f) => f.status !== 'pass').map((f) => `${f.check} ${f.status}`), ['alerting.topic.subscription fail']);
    trail.confirm(p.topicArn, 'oncall@example.com');
    const ok = await alertingOf();
    assert.ok(ok.length >= 5 && ok.every((f) => f.status === 'pass' && f.accountId === SEC), JSON.stringify(ok));
  });
});
