// The policy preview page's first render, measured where it runs: Chromium (headless, Debian's /usr/bin/chromium via
// playwright-core, as the e2e tests), loading the production page bundle dist/webview/preview.js with its stylesheet,
// and receiving the state message the host posts for incident_responder vs containment_actions (built here by the
// same core code as the panel). VS Code's webview host is replaced by the one function the page needs,
// acquireVsCodeApi(), which records what the page posts.
//
// Timed: from posting the state message to the first frame after the page reports `rendered` (requestAnimationFrame
// after the render: style, layout and paint of what the page put on screen), in a fresh document per run. Also
// printed: the page's own render time (its `rendered` message) and the size of the message.
import * as fs from 'fs';
import * as path from 'path';
import type { Benchmark } from './index';
import { previewSessionContext } from '../src/core/preview/context';
import { buildPreview, templateInput } from '../src/core/preview/model';
import type { StateMessage } from '../src/views/preview/protocol';

const RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 20);

/** The state the panel posts for the default preview (built-in playbook, built-in role, no workspace config). */
export function defaultState(): StateMessage {
  const input = templateInput('incident_responder', 'containment_actions');
  const { context, notes } = previewSessionContext({
    target: { kind: 'playbook', roleName: 'incident_responder', playbook: 'containment_actions' },
    config: { version: 1, accounts: [] }, requester: 'bench@example.com', clock: { now: () => Date.now() },
  });
  const t0 = performance.now();
  const { model } = buildPreview({ ...input, sessionContext: context, notes });
  return {
    type: 'state', target: { kind: 'playbook', roleName: 'incident_responder', roleTemplate: 'incident_responder', playbook: 'containment_actions' },
    model, sessions: [], modelMs: Math.round(performance.now() - t0), listsOmitted: true,
  };
}

function pageHtml(root: string): string {
  const css = fs.readFileSync(path.join(root, 'media', 'preview', 'preview.css'), 'utf8');
  const js = fs.readFileSync(path.join(root, 'dist', 'webview', 'preview.js'), 'utf8');
  // The stand-in for VS Code's webview API: postMessage records, state lives in memory.
  const api = `window.__posted = []; let __state; window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m), getState: () => __state, setState: (s) => { __state = s; } });`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><style>${css}</style><title>Policy preview</title></head>
<body class="vscode-dark"><main id="app" aria-busy="true"><p class="loading">Computing the policy preview…</p></main>
<script>${api}</script><script>${js}</script></body></html>`;
}

export const pageBenchmarks: Benchmark[] = [{
  name: 'page',
  description: 'policy preview page, first render in headless Chromium: incident_responder vs containment_actions, the state message as the host posts it',
  async run(report) {
    const root = path.resolve(__dirname, '../..');
    if (!fs.existsSync(path.join(root, 'dist', 'webview', 'preview.js'))) throw new Error('dist/webview/preview.js is missing: npm run bench builds it first');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { launch } = require(path.join(root, 'test', 'harness', 'browser.js')) as {
      launch(o?: object): Promise<{ page: import('playwright-core').Page; close(): Promise<void> }>;
    };
    const state = defaultState();
    const html = pageHtml(root);
    const browser = await launch();
    const frame: number[] = [];
    const own: number[] = [];
    const complete: number[] = [];
    try {
      for (let i = 0; i < RUNS + 2; i++) {
        await browser.page.setContent(html, { waitUntil: 'load' });
        await browser.page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
        const r = await browser.page.evaluate((msg) => new Promise<{ frame: number; own: number; start: number }>((resolve) => {
          const w = window as unknown as { __posted: Array<{ type: string; ms?: number }> };
          const t0 = performance.now();
          const seen = w.__posted.length;
          window.postMessage(msg, '*');
          const poll = () => {
            const done = w.__posted.slice(seen).find((m) => m.type === 'rendered');
            if (!done) return void setTimeout(poll, 0);
            requestAnimationFrame(() => resolve({ frame: performance.now() - t0, own: done.ms ?? NaN, start: t0 }));
          };
          poll();
        }), state);
        if (i < 2) continue; // warm-up: the first documents pay for compiling the bundle
        frame.push(r.frame);
        own.push(r.own);
        // The rest arrives one chunk per frame: it must all be there in the end (the figure would be a lie otherwise).
        await browser.page.waitForSelector('body[data-complete="true"]', { timeout: 30_000 });
        complete.push(await browser.page.evaluate(() => performance.now()) - r.start);
      }
      const shown = await browser.page.evaluate(() => ({
        services: document.querySelectorAll('details[data-service]').length,
        diffRows: document.querySelectorAll('table.diff tbody tr').length,
        split: document.querySelector('[data-split="effective:total"]')?.textContent ?? '',
      }));
      if (shown.services !== state.model?.services.length || shown.diffRows !== state.model?.diff.rows.length) {
        throw new Error(`the page did not render everything: ${JSON.stringify(shown)}`);
      }
      report.note(`the session split on the page: ${shown.split}`);
    } finally {
      await browser.close();
    }
    const f = report.stats(frame);
    const o = report.stats(own);
    report.figure({ name: `first render, state posted → next frame, median of ${f.runs}`, value: f.median, unit: 'ms', target: { max: 50 } });
    report.figure({ name: 'first render, state posted → next frame, p95', value: f.p95, unit: 'ms', target: { max: 50 } });
    report.note(`everything rendered (all services, the diff), state posted → last chunk: median ${report.stats(complete).median.toFixed(0)} ms`);
    report.note(`the page's own render (its 'rendered' message): median ${o.median.toFixed(1)} ms, p95 ${o.p95.toFixed(1)} ms; ` +
      `state message ${(JSON.stringify(state).length / 1024).toFixed(0)} KiB, ${state.model?.services.length} services, ${state.model?.diff.rows.length} diff rows`);
  },
}];
