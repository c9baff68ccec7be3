import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { ACCESS_LEVELS } from '../../src/core/policy/catalog';
import { buildPreviewModel, templateInput } from '../../src/core/preview/model';
import { openBreakGlass, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

// The policy preview in the real UI: opened offline from the command palette, its numbers checked against the core
// computed here in the test process, and screenshots in a dark and a light theme.

const RUN = process.env.BREAKGLASS_E2E_RUN ?? '';
const settingsFile = path.join(RUN, 'ud', 'User', 'settings.json');

/** Changes one user setting by rewriting settings.json before the workbench opens (read at start-up). */
function setUserSetting(key: string, value: unknown): void {
  const current = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  current[key] = value;
  fs.writeFileSync(settingsFile, JSON.stringify(current, null, 2));
}

/** VS Code webviews are nested iframes: the host frame, then the page's active frame. */
const webview = (wb: Workbench): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

const countOf = async (frame: FrameLocator, key: string): Promise<number> => {
  const text = (await frame.locator(`[data-count="${key}"]`).textContent({ timeout: 10000 })) ?? '';
  const m = /^\s*([\d,]+)/.exec(text);
  assert.ok(m, `a number in [data-count="${key}"]: ${JSON.stringify(text)}`);
  return Number(m[1].replace(/,/g, ''));
};

/** Opens the preview of containment_actions from the command palette, as a responder would. */
async function openContainmentPreview(wb: Workbench): Promise<void> {
  await openBreakGlass(wb.page);
  await runCommand(wb.page, 'Break Glass: Preview a Built-in Playbook');
  const input = wb.page.locator('.quick-input-widget input');
  await input.fill('containment_actions');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'containment_actions' }).first().waitFor({ timeout: 15000 });
  await wb.page.keyboard.press('Enter');
}

describe('Break Glass: Policy preview in the real VS Code UI', () => {
  let wb: Workbench;
  let original: string;

  before(async () => {
    assert.ok(RUN, 'BREAKGLASS_E2E_RUN is set by scripts/vscode-host.sh e2e');
    original = fs.readFileSync(settingsFile, 'utf8');
    setUserSetting('workbench.colorTheme', 'Dark Modern');
    wb = await openWorkbench();
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed' && wb) await screenshot(wb.page, `e2e-failure-preview-${this.currentTest?.title.slice(0, 30).replace(/\W+/g, '-')}.png`).catch(() => undefined);
  });

  after(async () => {
    if (original !== undefined) fs.writeFileSync(settingsFile, original);
    await wb?.close();
  });

  it('opens the preview of containment_actions offline from the command palette; its counts are the core\'s', async () => {
    // The extension's contributions are in once its view container is (the palette lists commands known when it opens).
    await openContainmentPreview(wb);
    const frame = webview(wb);
    await frame.locator('main#app[aria-busy="false"] table.counts').waitFor({ timeout: 60000 });
    const expected = buildPreviewModel(templateInput('incident_responder', 'containment_actions'));
    for (const level of [...ACCESS_LEVELS, 'total'] as const) {
      const pick = (c: typeof expected.counts.role) => (level === 'total' ? c.total : c.byLevel[level]).permitted;
      assert.strictEqual(await countOf(frame, `role:${level}`), pick(expected.counts.role), `role ${level}`);
      assert.strictEqual(await countOf(frame, `effective:${level}`), pick(expected.counts.effective), `effective ${level}`);
      assert.ok(expected.counts.session);
      assert.strictEqual(await countOf(frame, `session:${level}`), pick(expected.counts.session), `session alone ${level}`);
    }
    const renderMs = Number(await frame.locator('body').getAttribute('data-render-ms'));
    console.log(`      (page render of the full-catalog preview: ${renderMs} ms)`);
    assert.ok(renderMs > 0, 'the page reports its render time'); // speed is measured, not asserted
    await wb.page.locator('.tab', { hasText: 'Policy preview' }).first().waitFor({ timeout: 10000 });
  });

  it('expands a service lazily from the keyboard: kept actions, risky first, with reasons', async () => {
    const frame = webview(wb);
    const ec2 = frame.locator('details[data-service="ec2"]');
    assert.strictEqual(await ec2.locator('table.actions').count(), 0, 'not rendered before it is opened');
    await ec2.locator('summary').focus();
    await ec2.locator('summary').press('Enter');
    const kept = ec2.locator('table.actions').first();
    await kept.waitFor({ timeout: 10000 });
    assert.match((await kept.locator('caption').textContent()) ?? '', /Kept in Amazon EC2 \(7\)/);
    assert.match((await kept.locator('tbody tr').first().textContent()) ?? '', /TerminateInstances|destructive/i);
    await ec2.locator('summary').press('Enter'); // collapse again for the screenshots
  });

  it('follows the colour theme, and is restored by its serializer after a window reload', async function () {
    // Reloading the workbench under load occasionally loses the race with VS Code's own state saving; a retry starts
    // from a known state (dark theme, preview open) so it proves the same thing again rather than passing by luck.
    this.retries(1);
    const frame = webview(wb);
    if (!(await frame.locator('body.vscode-dark table.counts').isVisible().catch(() => false))) {
      setUserSetting('workbench.colorTheme', 'Dark Modern');
      await wb.page.reload({ waitUntil: 'domcontentloaded' });
      await wb.page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90000 });
      if (!(await frame.locator('table.counts').waitFor({ timeout: 20000 }).then(() => true, () => false))) await openContainmentPreview(wb);
    }
    await frame.locator('body.vscode-dark').waitFor({ timeout: 30000 });
    await screenshot(wb.page, 'preview-dark.png');
    // Switch theme in the user settings and reload the window: the preview panel comes back by itself (serializer +
    // onWebviewPanel activation), showing the same target, now in the light theme.
    for (const [theme, cls, file] of [['Light Modern', 'vscode-light', 'preview-light.png'], ['Default High Contrast', 'vscode-high-contrast', 'preview-high-contrast.png']]) {
      setUserSetting('workbench.colorTheme', theme);
      await wb.page.reload({ waitUntil: 'domcontentloaded' });
      await wb.page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90000 });
      await frame.locator(`body.${cls}`).waitFor({ timeout: 60000 });
      await frame.locator('main#app[aria-busy="false"] table.counts').waitFor({ timeout: 60000 });
      assert.match((await frame.locator('.subtitle').textContent()) ?? '', /incident_responder · playbook containment_actions/);
      await screenshot(wb.page, file);
    }
  });
});
