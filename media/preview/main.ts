// The page of the "Break Glass: Policy preview" webview: vanilla TypeScript + DOM, bundled by esbuild into
// dist/webview/preview.js (a browser IIFE). It renders what the host posts (src/views/preview/protocol.ts) and posts
// typed messages back; it computes nothing about policies itself.
//
// - Handshake: posts `ready` once loaded; the host posts the state only then (and again after every reload).
// - State: the panel does not retain its context while hidden, so the small UI state (target, open services, filter,
//   scroll position) goes to vscode.setState and is re-applied when the state arrives again.
// - Countdowns are computed here from the absolute expiresAt instants, once per second, so they are right after the
//   panel was hidden (a hidden webview receives no messages) and switch to "Expired" on their own.
// - Lazy lists: a service's kept/removed actions are rendered when its <details> is first opened (PowerUserAccess
//   versus a narrow playbook is ~22,000 removed actions over ~400 services); the host sends them only then.
// - Incremental first render: the header, the counts and the first dozen services are rendered at once (that is
//   the `rendered` report); the remaining services and the side-by-side diff follow in small chunks, one per frame, so
//   the page is on screen in one frame instead of waiting for ~450 services and the policy texts.
// - Text from policies is only ever set with textContent (never innerHTML).
// - Accessibility (WCAG 2.1 AA, issue 16; checked with axe-core in test/e2e/a11y.e2e.ts): the page is no live region;
//   one small polite region (#announcer, in the host's HTML) says a one-line summary when a new target is shown, the
//   filter's result once typing pauses, and session deadline crossings (expiring, expired, revoked) — re-renders, live
//   rebuilds and countdown ticks are silent. Accessible names start with the visible text (2.5.3).
import {
  isHostMessage, type HostMessage, type PageMessage, type PageState, type PreviewModel, type PreviewTarget,
  type SessionView, type StateMessage,
} from '../../src/views/preview/protocol';
import type { AccessLevel, ActionView, CountsView, DiffRow, LintView, ServiceView } from '../../src/core/preview/types';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): PageState | undefined;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let uiState: PageState = vscode.getState() ?? {};
let current: StateMessage | undefined;
let sessions: SessionView[] = [];

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

// One formatter (Number#toLocaleString builds one per call, which made formatting the ~2,000 numbers of a render slow).
const NUMBER = new Intl.NumberFormat('en-US');
const fmt = (n: number): string => NUMBER.format(n);
const plural = (n: number, one: string, many = `${one}s`): string => `${fmt(n)} ${n === 1 ? one : many}`;

function saveState(patch: Partial<PageState>): void {
  uiState = { ...uiState, ...patch };
  vscode.setState(uiState);
}

function post(message: PageMessage): void {
  vscode.postMessage(message);
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

function header(state: StateMessage, model: PreviewModel | null): HTMLElement {
  const t = state.target;
  const subtitle = t.kind === 'session' ? `Live session ${t.sessionId}` : `Role ${t.roleName} · playbook ${t.playbook}`;
  const el = h('header', {}, h('h1', {}, 'Policy preview'), h('p', { class: 'subtitle' }, model ? `Role ${model.roleName} · playbook ${model.playbookName}` : subtitle));
  if (model) {
    const dl = h('dl', { class: 'policies' },
      h('dt', {}, 'Identity policies'), h('dd', {}, model.policies.identity.join(', ') || 'none'),
      h('dt', {}, 'Permissions boundary'), h('dd', {}, model.policies.boundary ?? 'none'),
      h('dt', {}, 'Session policy'), h('dd', {}, model.policies.session?.join(', ') ?? 'none'));
    el.append(dl);
    if (model.notes.length) el.append(h('ul', { class: 'notes', 'aria-label': 'Notes' }, ...model.notes.map((n) => h('li', {}, n))));
  }
  const nav = h('nav', { 'aria-label': 'Sections' });
  for (const [id, label] of [['sessions', 'Live sessions'], ['counts', 'Access levels'], ['services', 'Services'], ['diff', 'Side-by-side'], ['lint', 'Lint']]) {
    const b = h('button', { type: 'button', class: 'link' }, label);
    // Focus moves to the section's heading (tabindex -1), which shows a focus ring (preview.css: h2:focus).
    b.addEventListener('click', () => document.getElementById(`${id}-h`)?.focus());
    nav.append(b);
  }
  el.append(nav);
  return el;
}

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h`, tabindex: -1 }, title), ...children);
}

// --- Live sessions -------------------------------------------------------------------------------------------

function formatRemaining(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const p2 = (n: number) => String(n).padStart(2, '0');
  if (hh) return `${hh}h ${p2(mm)}m ${p2(ss)}s left`;
  if (mm) return `${mm}m ${p2(ss)}s left`;
  return `${ss}s left`;
}

type Phase = 'active' | 'expiring' | 'expired' | 'revoked';

/** The last phase each session was seen in, to announce deadline crossings once (kept across renders). */
const knownPhase = new Map<string, Phase>();

/** Under this much time left, a session is shown (and announced) as expiring. */
const EXPIRING_MS = 10 * 60_000;

/**
 * Paints one session row for `now`: the countdown text, the row's state class and whether the buttons that need a
 * live session are enabled. Called when the row is built (so the first paint is right) and once per second.
 */
function paintRow(row: HTMLTableRowElement, now: number): Phase {
  const remaining = Date.parse(row.dataset.expires ?? '') - now;
  const state = row.dataset.state;
  const phase: Phase = state === 'revoked' ? 'revoked' : state === 'expired' || !(remaining > 0) ? 'expired'
    : remaining <= EXPIRING_MS ? 'expiring' : 'active';
  const text = phase === 'revoked' ? 'Revoked' : phase === 'expired' ? 'Expired' : formatRemaining(remaining);
  const chip = row.querySelector<HTMLElement>('.countdown .chip');
  if (chip && chip.textContent !== text) chip.textContent = text;
  const cls = phase === 'revoked' || phase === 'expired' ? `ended ${phase}` : phase === 'expiring' ? 'live expiring' : 'live';
  if (row.className !== cls) {
    row.className = cls;
    for (const b of row.querySelectorAll<HTMLButtonElement>('button[data-needs-live]')) b.disabled = cls.startsWith('ended');
  }
  return phase;
}

const CROSSING: Record<Phase, string> = {
  active: 'is active again', expiring: 'expires in under 10 minutes', expired: 'has expired', revoked: 'was revoked',
};

/**
 * Paints the rows and announces, in one short line, the sessions that crossed a deadline since they were last seen
 * (active → expiring, → expired, → revoked). A session seen for the first time is not announced: the table says it.
 */
function paintSessions(rows: Iterable<HTMLTableRowElement>, now: number): void {
  const crossed: string[] = [];
  for (const row of rows) {
    const id = row.dataset.session ?? '';
    const phase = paintRow(row, now);
    const before = knownPhase.get(id);
    knownPhase.set(id, phase);
    if (before && before !== phase && phase !== 'active') crossed.push(`Session ${row.dataset.incident} (${row.dataset.role}) ${CROSSING[phase]}`);
  }
  if (crossed.length) announce(`${crossed.join('; ')}.`);
}

/** Updates every countdown from its absolute instant; called once per second. */
function tick(): void {
  paintSessions(document.querySelectorAll<HTMLTableRowElement>('tr[data-session]'), Date.now());
}

/**
 * The page's one live region (#announcer, outside #app, polite): a one-line summary when a new target is shown, the
 * filter's result while typing, and session deadline crossings. Nothing else is announced: re-renders, live rebuilds
 * and countdown ticks change the page silently.
 */
function announce(text: string): void {
  const el = document.getElementById('announcer');
  if (el) el.textContent = text;
}

function sessionsSection(): HTMLElement {
  const body = h('div', { id: 'sessions-body' });
  fillSessions(body);
  return section('sessions', 'Live sessions', body);
}

function fillSessions(body: HTMLElement): void {
  body.replaceChildren();
  if (!sessions.length) {
    body.append(h('p', { class: 'muted' }, 'No live session. Elevate with "Break Glass: Elevate…" to get one; it then appears here with its countdown.'));
    return;
  }
  // Explicit table roles: the narrow layout (preview.css) restyles the rows as blocks, and the table stays a table.
  const table = h('table', { class: 'sessions', role: 'table' },
    h('caption', {}, `${plural(sessions.length, 'session')}, soonest expiry first`),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, ...SESSION_COLUMNS.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))));
  const tbody = h('tbody', { role: 'rowgroup' });
  const rows: HTMLTableRowElement[] = [];
  for (const s of sessions) {
    const who = `session ${s.incidentId} (${s.roleName})`;
    // The accessible name starts with the visible label (WCAG 2.5.3) and says which session the button acts on.
    const button = (label: string, type: 'openTerminal' | 'revoke' | 'reElevate' | 'previewSession' | 'openConsole', joiner: string, needsLive: boolean) => {
      const b = h('button', { type: 'button', 'aria-label': `${label}${joiner}${who}`, 'data-needs-live': needsLive, class: type === 'revoke' ? 'danger' : type === 'previewSession' ? 'secondary' : undefined }, label);
      b.addEventListener('click', () => post({ type, sessionId: s.id }));
      return b;
    };
    const expires = new Date(s.expiresAt);
    const cell = (column: number, cls: string | undefined, ...content: Child[]) => h('td', { role: 'cell', class: cls, 'data-label': SESSION_COLUMNS[column] }, ...content);
    const row = h('tr', { role: 'row', 'data-session': s.id, 'data-expires': s.expiresAt, 'data-state': s.state, 'data-incident': s.incidentId, 'data-role': s.roleName },
      h('th', { scope: 'row', role: 'rowheader', 'data-label': SESSION_COLUMNS[0] }, s.incidentId),
      cell(1, undefined, s.roleName),
      cell(2, undefined, s.accountId),
      cell(3, undefined, s.playbook),
      cell(4, undefined, h('time', { datetime: s.expiresAt }, expires.toLocaleTimeString())),
      cell(5, 'countdown', h('span', { class: 'chip' })),
      cell(6, 'actions',
        button('Preview', 'previewSession', ' ', false),
        button('Open terminal', 'openTerminal', ' for ', true),
        button('Console', 'openConsole', ' for ', true),
        button('Re-elevate', 'reElevate', ' ', false),
        button('Revoke', 'revoke', ' ', true)));
    rows.push(row);
    tbody.append(row);
  }
  table.append(tbody);
  // Painted before the table is attached: the first paint already has the countdowns and the disabled buttons.
  paintSessions(rows, Date.now());
  body.append(table);
}

const SESSION_COLUMNS = ['Incident', 'Role', 'Account', 'Playbook', 'Expires', 'Time left', 'Actions'];

// --- Counts ----------------------------------------------------------------------------------------------------

function countsSection(model: PreviewModel): HTMLElement {
  const levels = Object.keys(model.counts.role.byLevel) as AccessLevel[];
  const cell = (c: CountsView | null, level: AccessLevel | 'total', key: string) => {
    if (!c) return h('td', { class: 'num muted', 'data-count': `${key}:${level}` }, '—');
    const v = level === 'total' ? c.total : c.byLevel[level];
    const split = v.inSession;
    return h('td', { class: 'num', 'data-count': `${key}:${level}` }, fmt(v.permitted),
      v.conditional ? h('span', { class: 'cond', title: 'allowed only on some resources or under conditions' }, ` (${fmt(v.conditional)} conditional)`) : null,
      split && v.conditional ? h('span', { class: 'split', 'data-split': `${key}:${level}` },
        h('span', { class: 'in-allowed' }, `${fmt(split.allowed)} allowed in this session`), ' · ',
        h('span', { class: 'in-denied' }, `${fmt(split.denied)} denied in this session`), ' · ',
        h('span', { class: 'in-depends' }, `${fmt(split.depends)} depend on the request`)) : null);
  };
  const removed = (level: AccessLevel | 'total') => {
    const n = level === 'total' ? Object.values(model.removedByLevel).reduce((a, b) => a + b, 0) : model.removedByLevel[level];
    return h('td', { class: 'num', 'data-count': `removed:${level}` }, fmt(n));
  };
  const row = (level: AccessLevel | 'total', label: string, tag: 'tr' = 'tr') => h(tag, {},
    h('th', { scope: 'row' }, label), cell(model.counts.role, level, 'role'), cell(model.counts.session, level, 'session'),
    cell(model.counts.effective, level, 'effective'), removed(level));
  return section('counts', 'Permitted actions per access level',
    sessionContextView(model),
    h('table', { class: 'counts' },
      h('caption', {}, 'Actions permitted (allowed or conditional) by the role, by the session policy on its own, and by the session (their intersection)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Access level'), h('th', { scope: 'col' }, 'Role (identity ∩ boundary)'),
        h('th', { scope: 'col' }, 'Session policy alone'), h('th', { scope: 'col' }, 'Effective session'), h('th', { scope: 'col' }, 'Removed'))),
      h('tbody', {}, ...levels.map((l) => row(l, l))),
      h('tfoot', {}, row('total', 'All levels'))));
}

/** The context the real session carries, which decides conditional actions "in this session". */
function sessionContextView(model: PreviewModel): HTMLElement | null {
  const ctx = model.sessionContext;
  if (!ctx) return null;
  const dl = h('dl', { class: 'policies session-context' });
  for (const { key, value } of ctx) dl.append(h('dt', {}, h('code', {}, key)), h('dd', {}, value));
  return h('details', { class: 'session-context' },
    h('summary', {}, 'The session\'s context: what every request of this session carries (conditional actions are decided with it)'), dl);
}

// --- Services (lazy) ---------------------------------------------------------------------------------------------

function riskCell(a: ActionView): HTMLElement {
  const td = h('td', { class: 'why' });
  if (a.risks) {
    const ul = h('ul', { class: 'risks' });
    for (const r of a.risks) ul.append(h('li', { class: `risk ${r.severity}` }, h('span', { class: `sev ${r.severity}` }, `${r.severity}`), ` ${r.category}: ${r.reason}`));
    td.append(ul);
  }
  if (a.scope) td.append(h('p', { class: 'scope' }, a.scope));
  return td;
}

const IN_SESSION: Record<NonNullable<ActionView['inSession']>, string> = {
  allowed: 'allowed in this session', denied: 'denied in this session', depends: 'depends on the request',
};

function statusCell(a: ActionView): HTMLElement {
  if (a.status !== 'conditional') return h('td', {}, 'allowed');
  if (!a.inSession) return h('td', {}, 'conditional');
  return h('td', { class: `in-${a.inSession}`, 'data-in-session': a.inSession }, IN_SESSION[a.inSession],
    a.keys?.length ? h('span', { class: 'keys' }, ' (', ...a.keys.flatMap((k, i) => [i ? ', ' : '', h('code', {}, k)]), ')') : null);
}

function actionTable(title: string, list: ActionView[], service: ServiceView): HTMLElement {
  if (!list.length) return h('p', { class: 'muted' }, `${title}: none.`);
  const tbody = h('tbody');
  for (const a of list) {
    tbody.append(h('tr', { class: a.risks ? `risky ${a.risks[0].severity}` : undefined },
      h('th', { scope: 'row' }, h('code', {}, a.action)), h('td', {}, a.level), statusCell(a), riskCell(a)));
  }
  return h('table', { class: 'actions' },
    h('caption', {}, `${title} in ${service.name} (${fmt(list.length)}), risky first`),
    h('thead', {}, h('tr', {}, ...['Action', 'Access level', 'Status', 'Why it matters'].map((c) => h('th', { scope: 'col' }, c)))), tbody);
}

function serviceDetails(s: ServiceView): HTMLDetailsElement {
  // No aria-label: the accessible name is exactly the visible text, every badge included (WCAG 2.5.3).
  const summary = h('summary', {},
    h('span', { class: 'svc-name' }, s.name), ' ', h('code', {}, s.service), ' ',
    h('span', { class: s.keptCount ? 'badge kept' : 'badge' }, `${fmt(s.keptCount)} kept`), ' ',
    h('span', { class: 'badge removed' }, `${fmt(s.removedCount)} removed`),
    s.riskyKept ? ' ' : null, s.riskyKept ? h('span', { class: 'badge risky' }, `${fmt(s.riskyKept)} risky kept`) : null,
    s.riskyRemoved ? ' ' : null, s.riskyRemoved ? h('span', { class: 'badge' }, `${fmt(s.riskyRemoved)} risky removed`) : null);
  const details = h('details', { 'data-service': s.service }, summary);
  let rendered = false;
  const fill = (kept: ActionView[], removed: ActionView[]) => {
    details.querySelector('.svc-body')?.remove();
    details.append(h('div', { class: 'svc-body' }, actionTable('Kept', kept, s), actionTable('Removed', removed, s)));
  };
  const renderBody = () => {
    if (rendered) return;
    rendered = true;
    // The state leaves the lists out (a full-catalog diff would be megabytes): ask the host for this service's.
    if (s.kept.length === s.keptCount && s.removed.length === s.removedCount) return fill(s.kept, s.removed);
    details.append(h('div', { class: 'svc-body', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading actions…')));
    awaitingLists.set(s.service, fill);
    post({ type: 'serviceLists', service: s.service });
  };
  details.addEventListener('toggle', () => {
    if (details.open) renderBody();
    const open = new Set(uiState.open ?? []);
    if (details.open) open.add(s.service); else open.delete(s.service);
    saveState({ open: [...open] });
  });
  if (uiState.open?.includes(s.service)) {
    renderBody();
    details.open = true;
  }
  return details;
}

/** Services rendered with the first frame (the counts above them fill most of the first screen); the rest follow in
 * chunks of SERVICES_PER_CHUNK, one chunk per frame. */
const FIRST_SERVICES = 12;
const SERVICES_PER_CHUNK = 60;

/** Work left after the first frame (the remaining services, the diff rows), run one piece per animation frame. */
let pending: Array<() => void> = [];
let pendingFrame: number | undefined;

function schedule(work: () => void): void {
  pending.push(work);
  pendingFrame ??= requestAnimationFrame(runPending);
}

function runPending(): void {
  pendingFrame = undefined;
  const work = pending.shift();
  work?.();
  if (pending.length) pendingFrame = requestAnimationFrame(runPending);
  else document.body.dataset.complete = 'true';
}

function cancelPending(): void {
  pending = [];
  if (pendingFrame !== undefined) cancelAnimationFrame(pendingFrame);
  pendingFrame = undefined;
}

function servicesSection(model: PreviewModel): HTMLElement {
  const list = h('div', { class: 'services', role: 'list' });
  const filterText = (s: ServiceView) => `${s.service} ${s.name}`.toLowerCase();
  const items: HTMLElement[] = [];
  const kept = model.services.reduce((n, s) => n + s.keptCount, 0);
  const removed = model.services.reduce((n, s) => n + s.removedCount, 0);
  // Not a live region (it is rewritten on every render): the filter's result is announced while typing instead.
  const status = h('p', { class: 'muted', id: 'services-status' });
  const input = h('input', { type: 'search', id: 'service-filter', placeholder: 'Filter services (e.g. ec2, iam, Amazon S3)', 'aria-describedby': 'services-status', value: uiState.filter ?? '' });
  const query = () => input.value.trim().toLowerCase();
  const add = (from: number, to: number) => {
    const q = query();
    const frag = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const s = model.services[i];
      const item = h('div', { role: 'listitem', 'data-filter': filterText(s) }, serviceDetails(s));
      item.hidden = !!q && !(item.dataset.filter ?? '').includes(q);
      items.push(item);
      frag.append(item);
    }
    list.append(frag);
  };
  const apply = () => {
    const q = query();
    for (const item of items) item.hidden = !!q && !(item.dataset.filter ?? '').includes(q);
    // Counted from the model, so the status is right while later services are still being added.
    const shown = q ? model.services.filter((s) => filterText(s).includes(q)).length : model.services.length;
    status.textContent = `${plural(shown, 'service')} shown of ${fmt(model.services.length)} · ${plural(kept, 'action')} kept, ${fmt(removed)} removed`;
  };
  let announceTimer: number | undefined;
  input.addEventListener('input', () => {
    apply();
    saveState({ filter: input.value });
    // Once typing pauses, not on every keystroke.
    if (announceTimer !== undefined) clearTimeout(announceTimer);
    announceTimer = window.setTimeout(() => announce(status.textContent ?? ''), 600);
  });
  add(0, Math.min(FIRST_SERVICES, model.services.length));
  for (let i = FIRST_SERVICES; i < model.services.length; i += SERVICES_PER_CHUNK) {
    const from = i;
    schedule(() => add(from, Math.min(from + SERVICES_PER_CHUNK, model.services.length)));
  }
  apply();
  return section('services', 'Actions kept and removed, per service',
    h('p', { class: 'muted' }, 'Services whose actions the session keeps come first. Expand a service to list its actions; risky actions come first with the reason.'),
    h('div', { class: 'filter' }, h('label', { for: 'service-filter' }, 'Filter'), input), status, list);
}

// --- Side-by-side diff -----------------------------------------------------------------------------------------

function diffSection(model: PreviewModel): HTMLElement {
  const d = model.diff;
  const tbody = h('tbody');
  const side = (s: DiffRow['left'], cls: string) => s
    ? [h('td', { class: `ln ${cls}` }, String(s.line)), h('td', { class: `code ${cls}` }, s.text)]
    : [h('td', { class: 'ln empty' }), h('td', { class: 'code empty' })];
  const label: Record<DiffRow['kind'], string> = { same: 'unchanged', removed: 'only in the role policies', added: 'only in the session policy', changed: 'differs' };
  // Below the services, so never in the first screenful: its rows come after the first frame.
  const ROWS_PER_CHUNK = 400;
  for (let i = 0; i < d.rows.length; i += ROWS_PER_CHUNK) {
    const from = i;
    schedule(() => {
      const frag = document.createDocumentFragment();
      for (const r of d.rows.slice(from, from + ROWS_PER_CHUNK)) {
        frag.append(h('tr', { class: r.kind, title: label[r.kind] },
          ...side(r.left, r.kind === 'same' ? '' : 'left'), ...side(r.right, r.kind === 'same' ? '' : 'right')));
      }
      tbody.append(frag);
    });
  }
  let differing = 0;
  for (const r of d.rows) if (r.kind !== 'same') differing++;
  return section('diff', 'Role policies and session policy, side by side',
    d.approximate ? h('p', { class: 'muted' }, 'The texts are too long for an exact line diff; they are shown side by side line by line.') : null,
    // Long lines wrap (preview.css), so nothing is cut off and the region never needs scrolling.
    h('div', { class: 'diff-wrap', role: 'region', 'aria-label': 'Side-by-side policy texts' },
      h('table', { class: 'diff' },
        h('caption', {}, `${d.leftTitle} (left) and ${d.rightTitle} (right); ${fmt(differing)} differing rows`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'ln' }, 'Line'), h('th', { scope: 'col' }, d.leftTitle),
          h('th', { scope: 'col', class: 'ln' }, 'Line'), h('th', { scope: 'col' }, d.rightTitle))),
        tbody)));
}

// --- Lint ---------------------------------------------------------------------------------------------------------

function lintSection(lint: LintView[]): HTMLElement {
  if (!lint.length) return section('lint', 'Session policy lint', h('p', { class: 'muted' }, 'No findings.'));
  return section('lint', 'Session policy lint',
    h('table', { class: 'lint' },
      h('caption', {}, `${plural(lint.length, 'finding')}, errors first`),
      h('thead', {}, h('tr', {}, ...['Severity', 'Code', 'Line', 'Where', 'Finding'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...lint.map((f) => h('tr', { class: f.severity },
        h('td', {}, h('span', { class: `sev ${f.severity}` }, f.severity)), h('td', {}, h('code', {}, f.code)),
        h('td', { class: 'num' }, f.line ? String(f.line) : '—'), h('td', {}, f.path ? h('code', {}, f.path) : 'document'),
        h('td', {}, f.message))))));
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const sameTarget = (a: PreviewTarget | undefined, b: PreviewTarget): boolean => !!a && JSON.stringify(a) === JSON.stringify(b);

function render(state: StateMessage): void {
  const t0 = performance.now();
  const wasOk = current ? !!current.model : undefined;
  const newTarget = !sameTarget(uiState.target, state.target);
  cancelPending();
  delete document.body.dataset.complete;
  current = state;
  sessions = state.sessions;
  // A different target starts from a clean UI state; the same one (a reload) keeps open services, filter and scroll.
  if (!sameTarget(uiState.target, state.target)) uiState = { target: state.target };
  vscode.setState(uiState);
  const model = state.model;
  const parts: HTMLElement[] = [header(state, model), sessionsSection()];
  if (model) parts.push(countsSection(model), servicesSection(model), diffSection(model), lintSection(model.lint));
  else parts.push(section('error', 'Cannot show this preview', h('p', { class: 'error' }, state.error ?? 'Unknown error.')));
  const footer = h('footer', { class: 'muted' });
  parts.push(footer);
  app.replaceChildren(...parts);
  app.setAttribute('aria-busy', 'false');
  // One line, only when something new is shown (a new target, or the preview broke or recovered) — not on a reload
  // of the same target, a live rebuild while typing or a sessions update.
  if (newTarget || (wasOk !== undefined && wasOk !== !!model)) announce(summaryLine(state));
  // Force layout so the measurement includes it, then report.
  void app.offsetHeight;
  const ms = performance.now() - t0;
  document.body.dataset.renderMs = ms.toFixed(1);
  footer.textContent = `Model built on the host in ${state.modelMs ?? '?'} ms · page rendered in ${ms.toFixed(0)} ms.`;
  // The scroll position of a reload is restored once everything below the first screenful is in place.
  const scrollY = uiState.scrollY;
  if (scrollY) schedule(() => window.scrollTo(0, scrollY));
  if (!pending.length) document.body.dataset.complete = 'true';
  post({ type: 'rendered', ms, services: model?.services.length ?? 0, diffRows: model?.diff.rows.length ?? 0 });
}

function summaryLine(state: StateMessage): string {
  const m = state.model;
  if (!m) return `Cannot show this preview: ${(state.error ?? 'unknown error').slice(0, 160)}`;
  const kept = m.services.reduce((n, s) => n + s.keptCount, 0);
  const removed = m.services.reduce((n, s) => n + s.removedCount, 0);
  const risky = m.services.reduce((n, s) => n + s.riskyKept, 0);
  const live = state.sessions.filter((s) => s.state === 'active' || s.state === 'expiring').length;
  return `Policy preview of role ${m.roleName} with playbook ${m.playbookName}: ${plural(kept, 'action')} kept, ${fmt(removed)} removed, ` +
    `${fmt(risky)} risky kept; ${plural(live, 'live session')}.`;
}

/** Services whose lists were asked for, with what to do when they arrive. */
const awaitingLists = new Map<string, (kept: ActionView[], removed: ActionView[]) => void>();

function onMessage(m: HostMessage): void {
  if (m.type === 'state') render(m);
  else if (m.type === 'serviceLists') {
    const done = awaitingLists.get(m.service);
    awaitingLists.delete(m.service);
    done?.(m.kept, m.removed);
  } else {
    sessions = m.sessions;
    const body = document.getElementById('sessions-body');
    if (body) fillSessions(body);
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isHostMessage(e.data)) onMessage(e.data);
});

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  if (scrollTimer !== undefined) return;
  scrollTimer = window.setTimeout(() => {
    scrollTimer = undefined;
    if (current) saveState({ scrollY: window.scrollY });
  }, 250);
}, { passive: true });

window.setInterval(tick, 1000);
post({ type: 'ready' });
