// Shared helpers for suites running inside the extension host.
import * as vscode from 'vscode';
import type { BreakGlassApi } from '../../../src/extension';

export const EXTENSION_ID = 'breakglass.breakglass';

export async function activateExtension(): Promise<{ ext: vscode.Extension<BreakGlassApi>; api: BreakGlassApi }> {
  const ext = vscode.extensions.getExtension<BreakGlassApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  const api = await ext.activate();
  return { ext, api };
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 15000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
