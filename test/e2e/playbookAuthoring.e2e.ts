import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { E2E_WS, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

// Playbooks as code in the real UI: a playbook with a misspelt action is opened, previewed, fixed with the quick fix
// from the keyboard (Ctrl+.), and the preview follows the unsaved edit.

const webview = (wb: Workbench): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
const effectiveTotal = async (frame: FrameLocator): Promise<number> => {
  const text = (await frame.locator('[data-count="effective:total"]').textContent({ timeout: 10000 })) ?? '';
  return Number((/^\s*([\d,]+)/.exec(text) ?? ['', 'NaN'])[1].replace(/,/g, ''));
};

describe('Break Glass: editing a playbook in the real VS Code UI', () => {
  let wb: Workbench;
  const file = path.join(E2E_WS, '.breakglass', 'playbooks', 'e2e-isolate.json');

  before(async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, [
      '// Isolate one instance (e2e)',
      '{',
      '  "name": "e2e-isolate",',
      '  "phase": "containment",',
      '  "sessionPolicy": {',
      '    "Version": "2012-10-17",',
      '    "Statement": [',
      '      { "Effect": "Allow", "Action": ["ec2:StopInstancesz", "ec2:DescribeInstances"], "Resource": "*" }',
      '    ]',
      '  }',
      '}',
      '',
    ].join('\n'));
    wb = await openWorkbench();
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed' && wb) await screenshot(wb.page, `e2e-failure-playbook-${this.currentTest?.title.slice(0, 30).replace(/\W+/g, '-')}.png`).catch(() => undefined);
  });

  after(async () => {
    await wb?.close();
    fs.rmSync(file, { force: true });
  });

  it('previews the playbook, applies the quick fix for the misspelt action, and the preview follows', async () => {
    const page = wb.page;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 15000 });
    await input.fill('e2e-isolate.json');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'e2e-isolate.json' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 30000 });
    // The CodeLens is there.
    await page.locator('.codelens-decoration', { hasText: 'Preview effective permissions' }).first().waitFor({ timeout: 30000 });
    // The misspelt action is squiggled.
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 30000 });

    await runCommand(page, 'Break Glass: Preview This Playbook');
    const frame = webview(wb);
    await frame.locator('main#app[aria-busy="false"] table.counts').waitFor({ timeout: 60000 });
    // ec2:DescribeInstances, and sts:GetCallerIdentity, which AWS allows outside policy evaluation.
    assert.strictEqual(await effectiveTotal(frame), 2, 'only ec2:DescribeInstances exists (and sts:GetCallerIdentity)');

    // The preview's page takes the focus once it has rendered: let it finish before going back to the editor.
    await frame.locator('body[data-complete="true"]').waitFor({ state: 'attached', timeout: 60000 });
    // Back to the editor: select the misspelt action with Find, then the quick fix from the keyboard.
    await editor.click({ position: { x: 200, y: 20 } });
    await page.keyboard.press('Control+F');
    await page.keyboard.type('ec2:StopInstancesz');
    await page.keyboard.press('Escape');
    // Ctrl+. goes to whatever has focus: wait until the find widget is gone and the editor itself (its textarea), not
    // the find box or the preview's webview, holds the focus with the selection.
    await page.locator('.monaco-editor .find-widget.visible').waitFor({ state: 'hidden', timeout: 10000 });
    await page.waitForFunction(() => {
      const a = document.activeElement;
      // The editor's input element (a textarea, or the EditContext element in newer workbenches), not the find box.
      return Boolean(a && a.closest('.monaco-editor') !== null && !a.closest('.find-widget'));
    }, undefined, { timeout: 10000 });
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Replace with 'ec2:StopInstances'" }).first();
    await fix.waitFor({ timeout: 15000 });
    await screenshot(page, 'playbook-quickfix.png');
    await fix.click();
    // The preview follows the unsaved edit.
    await frame.locator('[data-count="effective:total"]', { hasText: /^\s*3\b/ }).waitFor({ timeout: 30000 });
    assert.strictEqual(await effectiveTotal(frame), 3);
    await screenshot(page, 'playbook-after-fix.png');
  });
});
