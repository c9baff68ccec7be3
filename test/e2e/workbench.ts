// Browser-side helpers for the end-to-end tests: open the real VS Code workbench served by code-server
// (scripts/vscode-host.sh e2e) in Debian's Chromium and drive it like a person would.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launch } = require('../harness/browser');

export const E2E_URL = process.env.BREAKGLASS_E2E_URL ?? '';
export const E2E_WS = process.env.BREAKGLASS_E2E_WS ?? '';
export const SHOTS = path.resolve(__dirname, '../../test-results');

export interface Workbench {
  page: Page;
  close(): Promise<void>;
}

export async function openWorkbench(folder = E2E_WS, colorScheme: 'dark' | 'light' = 'dark'): Promise<Workbench> {
  if (!E2E_URL) throw new Error('BREAKGLASS_E2E_URL is not set: run the e2e tests through `npm run test:e2e`');
  const { page, close } = await launch({ colorScheme });
  await page.goto(`${E2E_URL}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90000 });
  return { page, close };
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15000 });
  await input.fill('>' + title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

export async function openBreakGlass(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="Break Glass"]').first().click({ timeout: 30000 });
  // A container with one view hides that view's header, so wait for it to be attached rather than visible.
  await page.locator('.part.sidebar .pane-header[aria-label^="Accounts"]').first().waitFor({ state: 'attached', timeout: 30000 });
}

/** Merges values into the user settings of the code-server under test; VS Code applies the change live. */
export function updateUserSettings(values: Record<string, unknown>): void {
  const run = process.env.BREAKGLASS_E2E_RUN;
  if (!run) throw new Error('BREAKGLASS_E2E_RUN is not set: run the e2e tests through `npm run test:e2e`');
  const file = path.join(run, 'ud', 'User', 'settings.json');
  const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete current[k];
    else current[k] = v;
  }
  fs.writeFileSync(file, JSON.stringify(current, null, 2));
}

/**
 * Types into the open quick input (pick or input box) and accepts. `step` ("3/7") waits for that step's title first,
 * so an answer never lands in the previous step's box while the next one is opening.
 */
export async function answerQuickInput(page: Page, text: string, expectRow?: string, step?: string): Promise<void> {
  if (step) await page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step})` }).first().waitFor({ timeout: 15000 });
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15000 });
  await input.fill(text);
  if (expectRow) await page.locator('.quick-input-list .monaco-list-row', { hasText: expectRow }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file });
  return file;
}
