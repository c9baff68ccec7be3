// Issue 16: WCAG 2.1 A/AA in the policy preview, checked with axe-core on the real page inside the real VS Code — the
// real model (role incident_responder, playbook containment_actions, built by the extension host) with three sessions
// (expired, expiring, active), in the dark, light and high-contrast themes and reflowed at 320 CSS px (what a 640 px
// editor beside the code shows at 200% zoom). Also: a live-preview rebuild and a countdown tick add nothing to any live
// region while deadline crossings are announced once each; the first paint of a render already shows the countdowns
// and disables an expired session's buttons.
//
// The three sessions reach the page as the host sends them: a `sessions`/`state` message of the page's protocol
// (src/views/preview/protocol.ts), posted into the page's own window. The model in them is the one the host posted.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, FrameLocator } from 'playwright-core';
import type { SessionView, StateMessage } from '../../src/views/preview/protocol';
import { openBreakGlass, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

const RUN = process.env.BREAKGLASS_E2E_RUN ?? '';
const settingsFile = path.join(RUN, 'ud', 'User', 'settings.json');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function setUserSetting(key: string, value: unknown): void {
  const current = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  current[key] = value;
  fs.writeFileSync(settingsFile, JSON.stringify(current, null, 2));
}

const webview = (wb: Workbench): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

/** The page's own frame (the inner iframe of the webview), to evaluate in. */
async function pageFrame(wb: Workbench): Promise<Frame> {
  const handle = await webview(wb).locator('body').elementHandle({ timeout: 60000 });
  const frame = await handle?.ownerFrame();
  assert.ok(frame, 'the preview page frame');
  return frame;
}

/**
 * Runs "Preview a Built-in Playbook" → containment_actions from the command palette. Rows are clicked (not Enter), and
 * each step waits for its own box, so a keystroke never lands in the webview that may hold the focus.
 */
async function openContainmentPreview(wb: Workbench, panelOpen = false): Promise<void> {
  const { page } = wb;
  // A (re)loaded webview takes the focus once its page is up, which closes an open quick pick: give it the focus first.
  // Wait until the (restored) page has finished its chunked render, so nothing in it runs while the quick pick is open.
  if (panelOpen) {
    await webview(wb).locator('body[data-complete="true"]').waitFor({ state: 'attached', timeout: 60000 });
    await webview(wb).locator('h1').click();
  }
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15000 });
  await input.fill('>Break Glass: Preview a Built-in Playbook');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Break Glass: Preview a Built-in Playbook' }).first().click({ timeout: 15000 });
  const picker = page.locator('.quick-input-widget input[placeholder^="Which playbook?"]');
  await picker.waitFor({ timeout: 15000 });
  await picker.fill('containment_actions');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'containment_actions' }).first().click({ timeout: 15000 });
}

/** tsx compiles this file keeping function names (a `__name` helper); functions evaluated in the page need it there. */
const defineName = (frame: Frame) => frame.evaluate('window.__name = window.__name || ((f) => f)');

/** What the probe installed in the page records (see installProbe). */
interface Probe {
  states: number;
  lastState?: StateMessage;
  /** Per handled message, right after the page's own handler ran (before any timer or frame): the sessions table. */
  snapshots: Array<Array<{ id: string; countdown: string; buttonsDisabled: boolean[] }>>;
  /** Changes inside (or insertions of) live regions, with the text concerned. */
  live: string[];
}

/**
 * Installs in the page: a message listener registered after the page's own (so it runs right after render(), in the
 * same task: what it sees is the first paint), and a MutationObserver counting every change inside a live region
 * (aria-live other than off, or role status/alert/log/marquee/timer) and every live region inserted with text.
 */
async function installProbe(frame: Frame): Promise<void> {
  await defineName(frame);
  await frame.evaluate(() => {
    const w = window as unknown as { __probe: Probe };
    if (w.__probe) return;
    const probe: Probe = { states: 0, snapshots: [], live: [] };
    w.__probe = probe;
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as { type?: string };
      if (m?.type !== 'state' && m?.type !== 'sessions') return;
      if (m.type === 'state') { probe.states++; probe.lastState = e.data as StateMessage; }
      probe.snapshots.push([...document.querySelectorAll<HTMLElement>('tr[data-session]')].map((tr) => ({
        id: tr.dataset.session ?? '',
        countdown: tr.querySelector('.countdown')?.textContent ?? '',
        buttonsDisabled: [...tr.querySelectorAll<HTMLButtonElement>('button[data-needs-live]')].map((b) => b.disabled),
      })));
    });
    const LIVE = '[aria-live]:not([aria-live="off"]),[role="status"],[role="alert"],[role="log"],[role="marquee"],[role="timer"]';
    const liveAncestor = (n: Node | null): Element | null => {
      for (let e = n && (n.nodeType === 1 ? n as Element : n.parentElement); e; e = e.parentElement) {
        if (e.matches(LIVE)) return e;
        if (e.getAttribute('aria-live') === 'off') return null;
      }
      return null;
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (liveAncestor(r.target)) {
          probe.live.push(r.type === 'characterData' ? r.target.textContent ?? '' : [...r.addedNodes].map((n) => n.textContent).join(' ') || `(${r.type})`);
          continue;
        }
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const el = n as Element;
          for (const region of [...(el.matches(LIVE) ? [el] : []), ...el.querySelectorAll(LIVE)]) {
            if (region.textContent?.trim()) probe.live.push(`(inserted live region) ${region.textContent.slice(0, 200)}`);
          }
        }
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const probe = (frame: Frame): Promise<Probe> => frame.evaluate(() => (window as unknown as { __probe: Probe }).__probe);

/** Asks the host for the preview again (the same target: what a live rebuild sends) and waits for that render. */
async function hostRebuild(wb: Workbench, frame: Frame): Promise<StateMessage> {
  const before = (await probe(frame)).states;
  await openContainmentPreview(wb, true);
  await frame.waitForFunction((n) => (window as unknown as { __probe: Probe }).__probe.states > n, before, { timeout: 60000 });
  await frame.waitForSelector('body[data-complete="true"]', { timeout: 60000 });
  const state = (await probe(frame)).lastState;
  assert.ok(state?.model, 'the host posted the real model');
  return state;
}

const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
function session(id: string, incidentId: string, state: SessionView['state'], expiresInMs: number): SessionView {
  return {
    id, incidentId, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER',
    accountId: '111122223333', playbook: 'containment_actions', region: 'us-east-1', issuedAt: iso(-15 * 60_000), expiresAt: iso(expiresInMs), state,
  };
}
/** Expired, expiring (5 min left) and active (2 h left), soonest expiry first as the host sorts them. */
const threeSessions = (): SessionView[] => [
  session('s-expired', 'INC-2024-101', 'expired', -60_000),
  session('s-expiring', 'INC-2024-102', 'expiring', 5 * 60_000),
  session('s-active', 'INC-2024-103', 'active', 2 * 3600_000),
];

/** Renders the host's last state again with the given sessions, through the page's message handler. */
async function renderWith(frame: Frame, state: StateMessage, sessions: SessionView[]): Promise<void> {
  await frame.evaluate((m) => window.postMessage(m, '*'), { ...state, sessions });
  await frame.waitForFunction((ids) => ids.every((id) => document.querySelector(`tr[data-session="${id}"]`)), sessions.map((s) => s.id), { timeout: 10000 });
  await frame.waitForSelector('body[data-complete="true"]', { timeout: 60000 });
}

interface AxeSummary { serious: string[]; other: string[] }

/** Runs axe-core (WCAG 2.1 A/AA rules, label-in-name included) on the page; prints and returns the violations. */
async function runAxe(frame: Frame, label: string): Promise<AxeSummary> {
  await defineName(frame);
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(AXE_SOURCE); // an evaluated script: the page's CSP does not apply
  const result = await frame.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[]; failureSummary?: string }> }>; passes: unknown[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, rules: { 'label-content-name-mismatch': { enabled: true } }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length, first: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240)}`) }));
  }, AXE_TAGS);
  const line = (v: typeof result[number]) => `${v.id} (${v.impact}) × ${v.count}`;
  console.log(`      axe ${label}: ${result.length ? result.map(line).join('; ') : 'no violations'}`);
  for (const v of result) for (const f of v.first) console.log(`        ${v.id}: ${f}`);
  return {
    serious: result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(line),
    other: result.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map(line),
  };
}

describe('Break Glass: accessibility of the policy preview (WCAG 2.1 AA, axe-core)', () => {
  let wb: Workbench;
  let original: string;
  let frame: Frame;
  let state: StateMessage;

  before(async () => {
    assert.ok(RUN, 'BREAKGLASS_E2E_RUN is set by scripts/vscode-host.sh e2e');
    original = fs.readFileSync(settingsFile, 'utf8');
    setUserSetting('workbench.colorTheme', 'Dark Modern');
    wb = await openWorkbench();
    await openBreakGlass(wb.page);
    await openContainmentPreview(wb);
    await webview(wb).locator('body.vscode-dark main#app[aria-busy="false"] table.counts').waitFor({ timeout: 60000 });
    frame = await pageFrame(wb);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed' && wb) await screenshot(wb.page, `e2e-failure-a11y-${this.currentTest?.title.slice(0, 30).replace(/\W+/g, '-')}.png`).catch(() => undefined);
  });

  after(async () => {
    if (original !== undefined) fs.writeFileSync(settingsFile, original);
    await wb?.close();
  });

  /** After a theme change (a window reload): the page again, the probe, the host's state, the three sessions. */
  async function preparePage(cls: string): Promise<void> {
    await webview(wb).locator(`body.${cls} main#app[aria-busy="false"] table.counts`).waitFor({ timeout: 60000 });
    frame = await pageFrame(wb);
    await installProbe(frame);
    state = await hostRebuild(wb, frame);
    await renderWith(frame, state, threeSessions());
    // One service open, so its kept/removed tables (risk severities) are checked too.
    const ec2 = webview(wb).locator('details[data-service="ec2"]');
    if ((await ec2.getAttribute('open')) === null) await ec2.locator('summary').click();
    await ec2.locator('table.actions').first().waitFor({ timeout: 15000 });
  }

  it('dark theme: no serious or critical WCAG 2.1 A/AA violation (real model, three sessions)', async () => {
    await preparePage('vscode-dark');
    await screenshot(wb.page, 'a11y-preview-dark-services.png');
    await frame.evaluate(() => window.scrollTo(0, 0));
    await webview(wb).locator('table.sessions').scrollIntoViewIfNeeded();
    await screenshot(wb.page, 'a11y-preview-dark.png');
    const axe = await runAxe(frame, 'dark');
    assert.deepStrictEqual(axe.serious, [], 'serious or critical violations in the dark theme');
    // In the editor half beside the code too, every session button is on screen and the page does not scroll sideways.
    const fit = await frame.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      return {
        width: vw,
        outside: [...document.querySelectorAll('table.sessions button')].filter((b) => b.getBoundingClientRect().right > vw + 0.5).length,
        scrolls: document.documentElement.scrollWidth > vw + 1,
        // What sticks out, outermost first (named in the failure message).
        wide: [...document.querySelectorAll('#app *')].filter((e) => e.getBoundingClientRect().right > vw + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > vw + 1))
          .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      };
    });
    assert.deepStrictEqual(fit, { width: fit.width, outside: 0, scrolls: false, wide: [] }, 'session buttons fit the editor');
  });

  it('the first paint of a render shows every countdown and disables an expired session\'s buttons', async () => {
    const snaps = (await probe(frame)).snapshots;
    const withSessions = snaps.filter((s) => s.length === 3);
    assert.ok(withSessions.length > 0, 'a render with the three sessions was observed');
    for (const snap of withSessions) {
      const by = Object.fromEntries(snap.map((r) => [r.id, r]));
      assert.strictEqual(by['s-expired'].countdown, 'Expired');
      assert.ok(by['s-expired'].buttonsDisabled.length === 3 && by['s-expired'].buttonsDisabled.every(Boolean), 'expired: Open terminal, Console, Revoke disabled at once');
      for (const id of ['s-expiring', 's-active']) {
        assert.match(by[id].countdown, /\d+s left$/, `${id} countdown in the first paint`);
        assert.ok(by[id].buttonsDisabled.every((d) => !d), `${id}: its buttons enabled`);
      }
    }
  });

  it('a live rebuild and a countdown tick add nothing to any live region; deadline crossings are announced once each', async () => {
    // Opened on a new target, the page announced a one-line summary in its one small live region.
    const announcer = webview(wb).locator('#announcer');
    assert.strictEqual(await announcer.getAttribute('aria-live'), 'polite');
    assert.strictEqual(await webview(wb).locator('main#app').getAttribute('aria-live'), null, 'the page itself is no live region');
    const p0 = await probe(frame);
    // A rebuild of the same target (what the host sends while a playbook is typed) and re-rendering with sessions.
    const start = p0.live.length;
    state = await hostRebuild(wb, frame);
    await renderWith(frame, state, threeSessions());
    // A countdown tick: wait until the active session's countdown text has changed.
    const cd = webview(wb).locator('tr[data-session="s-active"] .countdown');
    const first = await cd.textContent();
    await frame.waitForFunction((t) => document.querySelector('tr[data-session="s-active"] .countdown')?.textContent !== t, first, { timeout: 10000 });
    const after = await probe(frame);
    assert.deepStrictEqual(after.live.slice(start), [], 'a rebuild and a tick added to a live region');

    // Deadline crossings: one session crosses into "expiring" (10 min left), one expires, one is revoked — one short
    // announcement each, nothing else.
    const crossing = [
      session('s-expires', 'INC-2024-201', 'active', 3000),
      session('s-warns', 'INC-2024-202', 'active', 10 * 60_000 + 2000),
      session('s-revoked', 'INC-2024-203', 'active', 3600_000),
    ];
    await frame.evaluate((m) => window.postMessage(m, '*'), { type: 'sessions', sessions: crossing });
    await webview(wb).locator('tr[data-session="s-expires"] .countdown', { hasText: 'Expired' }).waitFor({ timeout: 15000 });
    await webview(wb).locator('tr[data-session="s-warns"].expiring').waitFor({ timeout: 15000 });
    await frame.evaluate((m) => window.postMessage(m, '*'), { type: 'sessions', sessions: crossing.map((s) => (s.id === 's-revoked' ? { ...s, state: 'revoked' } : s)) });
    await webview(wb).locator('tr[data-session="s-revoked"] .countdown', { hasText: 'Revoked' }).waitFor({ timeout: 15000 });
    await frame.waitForFunction((n) => (window as unknown as { __probe: Probe }).__probe.live.length >= n, after.live.length + 3, { timeout: 5000 });
    const said = (await probe(frame)).live.slice(after.live.length);
    assert.strictEqual(said.length, 3, `three announcements: ${JSON.stringify(said)}`);
    assert.ok(said.some((t) => /INC-2024-201.*expired/i.test(t)), JSON.stringify(said));
    assert.ok(said.some((t) => /INC-2024-202.*expir(es|ing)/i.test(t)), JSON.stringify(said));
    assert.ok(said.some((t) => /INC-2024-203.*revoked/i.test(t)), JSON.stringify(said));
    assert.ok(said.every((t) => t.length < 200), 'each announcement is one short line');
  });

  it('reflows at 320 CSS px (200% zoom of a 640 px editor): buttons reachable, diff wraps, filter fits, no serious violation', async () => {
    await renderWith(frame, state, threeSessions());
    await runCommand(wb.page, 'View: Close Primary Side Bar');
    const width = async () => frame.evaluate(() => window.innerWidth);
    const viewport = wb.page.viewportSize() ?? { width: 1400, height: 900 };
    // The webview is the window less the activity bar (and borders): size the window so the page is 320 CSS px wide.
    for (let i = 0; i < 3; i++) {
      const w = await width();
      if (Math.abs(w - 320) <= 2) break;
      const target = (wb.page.viewportSize() ?? viewport).width - (w - 320);
      await wb.page.setViewportSize({ width: target, height: viewport.height });
      await frame.waitForFunction((old) => window.innerWidth !== old, w, { timeout: 10000 }).catch(() => undefined);
    }
    const w = await width();
    assert.ok(Math.abs(w - 320) <= 2, `the page is 320 CSS px wide (it is ${w})`);
    try {
      const m = await frame.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const outside = (el: Element) => { const r = el.getBoundingClientRect(); return r.left < -0.5 || r.right > vw + 0.5; };
        return {
          pageScrolls: document.documentElement.scrollWidth > vw + 1,
          buttonsOutside: [...document.querySelectorAll('table.sessions button')].filter(outside).map((b) => b.getAttribute('aria-label') ?? b.textContent),
          buttons: document.querySelectorAll('table.sessions button').length,
          filterOutside: outside(document.querySelector('#service-filter') as Element),
          cutDiffCells: [...document.querySelectorAll<HTMLElement>('table.diff td.code')].filter((td) => td.scrollWidth > td.clientWidth + 1).length,
          diffCells: document.querySelectorAll('table.diff td.code').length,
        };
      });
      await screenshot(wb.page, 'a11y-preview-320px.png');
      await webview(wb).locator('table.diff').scrollIntoViewIfNeeded();
      await screenshot(wb.page, 'a11y-preview-320px-diff.png');
      assert.strictEqual(m.buttons, 15, 'five buttons for each of the three sessions');
      assert.deepStrictEqual(m.buttonsOutside, [], 'session buttons off-screen at 320 px');
      assert.strictEqual(m.filterOutside, false, 'the filter box fits');
      assert.ok(m.diffCells > 100);
      assert.strictEqual(m.cutDiffCells, 0, `diff cells cut off (of ${m.diffCells})`);
      assert.strictEqual(m.pageScrolls, false, 'no horizontal scrolling of the page');
      const axe = await runAxe(frame, '320 px');
      assert.deepStrictEqual(axe.serious, [], 'serious or critical violations at 320 px');
    } finally {
      await wb.page.setViewportSize(viewport);
      await runCommand(wb.page, 'View: Toggle Primary Side Bar Visibility');
    }
  });

  for (const [theme, cls] of [['Light Modern', 'vscode-light'], ['Default High Contrast', 'vscode-high-contrast']]) {
    it(`${theme}: no serious or critical WCAG 2.1 A/AA violation`, async () => {
      setUserSetting('workbench.colorTheme', theme);
      await wb.page.reload({ waitUntil: 'domcontentloaded' });
      await wb.page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90000 });
      await preparePage(cls);
      await screenshot(wb.page, `a11y-preview-${cls.replace('vscode-', '')}-services.png`);
      await frame.evaluate(() => window.scrollTo(0, 0));
      await webview(wb).locator('table.sessions').scrollIntoViewIfNeeded();
      await screenshot(wb.page, `a11y-preview-${cls.replace('vscode-', '')}.png`);
      const axe = await runAxe(frame, theme);
      assert.deepStrictEqual(axe.serious, [], `serious or critical violations in ${theme}`);
    });
  }
});
