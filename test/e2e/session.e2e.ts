// A responder's path through the real UI: Elevate from the command palette (every step of the multi-step input typed
// as a person would), against a local endpoint that answers STS and IAM like AWS; the session appears in the tree and
// the status bar, its countdown moves, and it can be revoked.
import * as assert from 'assert';
import { startFakeAws, type FakeAws } from '../support/fake-aws';
import { answerQuickInput, openBreakGlass, openWorkbench, runCommand, screenshot, updateUserSettings, type Workbench } from './workbench';

describe('elevation in the real VS Code UI', () => {
  let wb: Workbench;
  let fake: FakeAws;

  before(async () => {
    // Sessions from this endpoint expire 5 minutes after they are issued, so the countdown shows seconds.
    fake = await startFakeAws({
      roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 28800, mfaRequired: true }],
      mfaSerial: 'arn:aws:iam::111122223333:mfa/alice',
      now: () => Date.now() - (900 - 300) * 1000,
    });
    updateUserSettings({
      'breakglass.endpointUrl': fake.url, 'breakglass.region': 'us-east-1', 'breakglass.requester': 'alice@example.com',
      'breakglass.revokeInAws': 'always',
    });
    wb = await openWorkbench();
    await openBreakGlass(wb.page);
    await wb.page.locator('.monaco-list-row', { hasText: 'BREAK-GLASS-INCIDENT_RESPONDER' }).first().waitFor({ timeout: 30000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `e2e-failure-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`);
  });

  after(async () => {
    await wb?.close();
    await fake?.close();
  });

  it('elevates through the multi-step input with an MFA code; exactly one AssumeRole reaches the endpoint', async () => {
    const { page } = wb;
    await runCommand(page, 'Break Glass: Elevate…');
    await answerQuickInput(page, 'INCIDENT_RESPONDER', 'BREAK-GLASS-INCIDENT_RESPONDER', '2/7');
    await answerQuickInput(page, 'containment_actions', 'containment_actions', '3/7');
    await answerQuickInput(page, 'INC-2024-777', undefined, '4/7');
    await answerQuickInput(page, 'Contain the crypto-miner on i-0abc', undefined, '5/7');
    await answerQuickInput(page, '15 min', '15 min', '6/7');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(7/7)' }).first().waitFor({ timeout: 15000 });
    await page.locator('.quick-input-widget', { hasText: 'arn:aws:iam::111122223333:mfa/alice' }).first().waitFor({ timeout: 15000 });
    assert.strictEqual(await page.locator('.quick-input-widget input').first().getAttribute('type'), 'password', 'the MFA code is masked');
    await screenshot(page, 'e2e-mfa-step.png');
    await answerQuickInput(page, '123456');
    await page.locator('.monaco-list-row', { hasText: 'Active sessions' }).first().waitFor({ timeout: 30000 });
    // The caller identity is asked before the code (the prompt); then exactly one AssumeRole.
    assert.deepStrictEqual(fake.requests.filter((r) => r.service === 'sts').map((r) => r.action), ['GetCallerIdentity', 'AssumeRole']);
    const p = fake.calls('AssumeRole')[0].params;
    assert.strictEqual(p.TokenCode, '123456');
    assert.strictEqual(p.DurationSeconds, '900');
    assert.strictEqual(p.SerialNumber, 'arn:aws:iam::111122223333:mfa/alice');
  });

  it('shows the session in the tree and the status bar, and the countdown decreases', async () => {
    const { page } = wb;
    const bar = page.locator('.statusbar-item', { hasText: 'INC-2024-777' }).first();
    await bar.waitFor({ timeout: 15000 });
    const first = (await bar.innerText()).trim();
    await page.locator('.monaco-list-row', { hasText: /INC-2024-777.*left/ }).first().waitFor({ timeout: 15000 });
    await screenshot(page, 'e2e-session-1.png');
    await page.waitForTimeout(2500);
    const second = (await bar.innerText()).trim();
    await screenshot(page, 'e2e-session-2.png');
    const seconds = (t: string) => { const m = /(\d+)m (\d+)s/.exec(t); assert.ok(m, `countdown in "${t}"`); return Number(m[1]) * 60 + Number(m[2]); };
    assert.ok(seconds(second) < seconds(first), `countdown moved: "${first}" → "${second}"`);
    assert.ok(seconds(first) <= 300 && seconds(first) > 200, `about five minutes left: ${first}`);
  });

  it('revokes the session from the policy preview webview (locally and on AWS); tree and status bar clear', async () => {
    const { page } = wb;
    await runCommand(page, 'Break Glass: Preview a Built-in Playbook');
    await answerQuickInput(page, 'containment_actions', 'containment_actions');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const row = frame.locator('tr[data-session]', { hasText: 'INC-2024-777' });
    await row.waitFor({ timeout: 60000 });
    const countdown = row.locator('td.countdown');
    await frame.locator('tr[data-session] td.countdown', { hasText: /left/ }).first().waitFor({ timeout: 10000 });
    const before = (await countdown.innerText()).trim();
    await page.waitForTimeout(1500);
    assert.notStrictEqual((await countdown.innerText()).trim(), before, 'the page counts down by itself');
    await screenshot(page, 'e2e-preview-session.png');
    fake.reset();
    await row.getByRole('button', { name: /^Revoke session INC-2024-777/ }).click();
    await page.locator('.monaco-list-row', { hasText: 'Active sessions' }).first().waitFor({ state: 'detached', timeout: 15000 });
    await page.locator('.statusbar-item', { hasText: 'INC-2024-777' }).first().waitFor({ state: 'detached', timeout: 15000 });
    const put = fake.calls('PutRolePolicy');
    assert.strictEqual(put.length, 1, 'revoked on AWS too (breakglass.revokeInAws = always)');
    assert.strictEqual(put[0].params.PolicyName, 'AWSRevokeOlderSessions');
    await screenshot(page, 'e2e-revoked.png');
  });
});
