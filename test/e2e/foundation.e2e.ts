import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { E2E_WS, openBreakGlass, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

describe('Break Glass in the real VS Code UI (packaged .vsix, Chromium)', () => {
  let wb: Workbench;
  before(async () => {
    fs.rmSync(path.join(E2E_WS, '.breakglass'), { recursive: true, force: true });
    wb = await openWorkbench();
  });
  after(async () => wb?.close());

  it('opens the Break Glass container and shows the welcome content in an empty workspace', async () => {
    await openBreakGlass(wb.page);
    const welcome = wb.page.locator('.welcome-view-content', { hasText: 'Break Glass gives you pre-provisioned' });
    await welcome.waitFor({ timeout: 30000 });
    await wb.page.getByRole('button', { name: 'Create .breakglass/config.json' }).waitFor({ timeout: 10000 });
    await screenshot(wb.page, 'e2e-welcome.png');
  });

  it('runs "Create Workspace Configuration" from the command palette: the file is written, opened and the tree fills', async () => {
    await runCommand(wb.page, 'Break Glass: Create Workspace Configuration');
    const file = path.join(E2E_WS, '.breakglass', 'config.json');
    for (const end = Date.now() + 20000; !fs.existsSync(file); await wb.page.waitForTimeout(200)) {
      if (Date.now() > end) assert.fail(`${file} was not created`);
    }
    await wb.page.locator('.tab', { hasText: 'config.json' }).first().waitFor({ timeout: 15000 });
    await wb.page.locator('.monaco-list-row', { hasText: 'Production' }).first().waitFor({ timeout: 15000 });
    await wb.page.locator('.monaco-list-row', { hasText: 'BREAK-GLASS-INCIDENT_RESPONDER' }).first().waitFor({ timeout: 15000 });
    await screenshot(wb.page, 'e2e-config-created.png');
  });

  it('shows the log from the command palette', async () => {
    await runCommand(wb.page, 'Break Glass: Show Log');
    await wb.page.locator('.part.panel .view-lines', { hasText: 'activated' }).first().waitFor({ timeout: 20000 });
    await wb.page.locator('.part.panel .view-lines', { hasText: 'loaded .breakglass/config.json' }).first().waitFor({ timeout: 20000 });
    await screenshot(wb.page, 'e2e-log.png');
  });
});
