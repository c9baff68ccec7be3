import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ACCESS_LEVELS } from '../../../src/core/policy/catalog';
import { summarizeEffective } from '../../../src/core/policy/diff';
import { effectivePermissions } from '../../../src/core/policy/effective';
import { loadRoleTemplate } from '../../../src/core/policy/sources';
import type { Session, SessionCredentials } from '../../../src/core/session/types';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import type { PreviewPanel } from '../../../src/views/preview/panel';
import type { HostMessage, RenderedMessage, SessionsMessage, StateMessage } from '../../../src/views/preview/protocol';
import { activateExtension, waitFor } from './helpers';

/** The webview tabs of the policy preview (VS Code prefixes the viewType of extension webviews). */
function previewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('breakglass.preview'));
}

/** Resolves with the next message the panel posts that matches. */
function nextPost<T extends HostMessage>(panel: PreviewPanel, match: (m: HostMessage) => m is T, ms = 30000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no matching message within ${ms} ms`)); }, ms);
    const sub = panel.onDidPost((m) => {
      if (match(m)) { clearTimeout(timer); sub.dispose(); resolve(m); }
    });
  });
}
const isState = (m: HostMessage): m is StateMessage => m.type === 'state';

function nextRender(panel: PreviewPanel, ms = 30000): Promise<RenderedMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`the page did not report a render within ${ms} ms`)); }, ms);
    const sub = panel.onDidRender((m) => { clearTimeout(timer); sub.dispose(); resolve(m); });
  });
}

/** Shows containment_actions in the preview and waits until the page has rendered that state. */
async function showContainment(): Promise<PreviewPanel> {
  const open = await vscode.commands.executeCommand<PreviewPanel>('breakglass.previewPlaybook', 'read_only_investigation');
  await waitFor(() => open?.lastRendered, 60000, 'a first render');
  if (open) open.lastRendered = undefined;
  const panel = await vscode.commands.executeCommand<PreviewPanel>('breakglass.previewPlaybook', 'containment_actions');
  assert.ok(panel);
  await waitFor(() => {
    const t = panel.lastPostedState?.target;
    return t?.kind === 'playbook' && t.playbook === 'containment_actions' && panel.lastRendered;
  }, 60000, 'the containment_actions preview to render');
  return panel;
}

describe('Break Glass: Policy preview (webview)', () => {
  const timings: Record<string, number> = {};

  before(async () => {
    await activateExtension();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const dir = process.env.EXT_TEST_RESULTS_DIR;
    if (dir) fs.writeFileSync(path.join(dir, 'preview-timings.json'), JSON.stringify(timings, null, 1));
  });

  it('opens one panel and reuses it; the page gets the state after `ready` with the core\'s counts', async () => {
    const t0 = Date.now();
    const panel = await vscode.commands.executeCommand<PreviewPanel>('breakglass.previewPlaybook', 'containment_actions');
    assert.ok(panel, 'the command returns the panel');
    // The page must load and say `ready` before anything is posted; then it reports its render.
    const rendered = await waitFor(() => panel.lastRendered, 60000, 'the page to render');
    const state = panel.lastPostedState;
    assert.ok(state);
    timings.firstOpenToRenderMs = Date.now() - t0;
    timings.hostModelMs = state.modelMs ?? -1;
    timings.pageRenderMs = rendered.ms;
    assert.strictEqual(previewTabs().length, 1);

    // The counts the page received are the core's numbers for incident_responder ∩ its boundary, with and without
    // the containment_actions session policy.
    const role = loadRoleTemplate('incident_responder');
    const session = [{ name: 'containment_actions', document: SESSION_POLICY_TEMPLATES.containment_actions.policy }];
    const before = summarizeEffective(effectivePermissions({ identity: role.identity, boundary: role.boundary }));
    const after = summarizeEffective(effectivePermissions({ identity: role.identity, boundary: role.boundary, session }));
    assert.ok(state.model, state.error);
    assert.deepStrictEqual(state.target, { kind: 'playbook', roleName: 'incident_responder', roleTemplate: 'incident_responder', playbook: 'containment_actions' });
    for (const l of ACCESS_LEVELS) {
      assert.strictEqual(state.model.counts.role.byLevel[l].permitted, before.byLevel[l].allowed + before.byLevel[l].conditional, `role ${l}`);
      assert.strictEqual(state.model.counts.effective.byLevel[l].permitted, after.byLevel[l].allowed + after.byLevel[l].conditional, `effective ${l}`);
    }
    assert.strictEqual(rendered.services, state.model.services.length);
    // The page gets the counts without the per-service action lists, and asks for a service's when it opens it.
    assert.strictEqual(state.listsOmitted, true);
    assert.ok(state.model.services.every((s) => s.kept.length === 0 && s.removed.length === 0));
    assert.ok(JSON.stringify(state).length < 400_000, `posted state is ${JSON.stringify(state).length} bytes`);
    const ec2 = await panel.serviceLists('ec2');
    assert.strictEqual(ec2?.kept.length, state.model.services.find((s) => s.service === 'ec2')?.keptCount);
    assert.ok(ec2 && ec2.removed.length > 0);

    // Running the command again (another playbook) reuses the same panel. (The state may be posted before the
    // command's promise settles, so subscribe first.)
    const second = nextPost(panel, (m): m is StateMessage => m.type === 'state' && m.target.kind === 'playbook' && m.target.playbook === 'read_only_investigation');
    const again = await vscode.commands.executeCommand<PreviewPanel>('breakglass.previewPlaybook', 'read_only_investigation');
    assert.strictEqual(again, panel);
    assert.ok((await second).model);
    assert.strictEqual(previewTabs().length, 1);
  });

  it('re-posts the state when the page comes back after being hidden (no retained context)', async () => {
    const panel = await showContainment();
    // Hide it behind an editor in the same group, then bring it back: the page reloads, says `ready`, gets the state.
    const doc = await vscode.workspace.openTextDocument({ content: 'hide the preview' });
    await vscode.window.showTextDocument(doc, { viewColumn: previewTabs()[0].group.viewColumn, preview: false });
    await waitFor(() => !panel.visible, 10000, 'the panel to be hidden');
    const back = nextPost(panel, isState);
    const t0 = Date.now();
    panel.reveal();
    const state = await back;
    await nextRender(panel);
    timings.reshowToRenderMs = Date.now() - t0;
    assert.strictEqual(state.target.kind === 'playbook' && state.target.playbook, 'containment_actions');
  });

  it('a session added to the store shows up in the next sessions message, without credentials', async () => {
    const { api } = await activateExtension();
    const panel = await showContainment();
    const creds: SessionCredentials = {
      accessKeyId: 'ASIAPREVIEWTEST00001', secretAccessKey: 'PreviewTestSecret/0123456789abcdefghijklmnopq',
      sessionToken: 'IQoJb3JpZ2luPreviewTestSessionToken0123456789abcdefghijkl', expiration: new Date(Date.now() + 3600_000).toISOString(),
    };
    const s: Session = {
      id: `preview-test-${Date.now()}`, accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER',
      roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions', incidentId: 'INC-2024-777', justification: 'preview test',
      requester: 'tester', sourceIdentity: 'tester', roleSessionName: 'INC-2024-777-tester', issuedAt: new Date().toISOString(),
      expiresAt: creds.expiration, tokenHash: 'feedfacecafebeef', accessKeyId: creds.accessKeyId, region: 'us-east-1', state: 'active',
    };
    const all: HostMessage[] = [];
    const sub = panel.onDidPost((m) => all.push(m));
    try {
      const next = nextPost(panel, (m): m is SessionsMessage => m.type === 'sessions' && m.sessions.some((v) => v.id === s.id));
      await api.commands.sessions.add(s, creds);
      const msg = await next;
      const view = msg.sessions.find((v) => v.id === s.id);
      assert.strictEqual(view?.expiresAt, s.expiresAt);
      assert.strictEqual(view?.incidentId, 'INC-2024-777');

      // The session's own preview: state for the session target, still no secrets anywhere.
      const sessionState = nextPost(panel, (m): m is StateMessage => m.type === 'state' && m.target.kind === 'session');
      await vscode.commands.executeCommand('breakglass.previewPolicy', s.id);
      const st = await sessionState;
      assert.ok(st.model, st.error);
      assert.strictEqual(st.model.playbookName, 'containment_actions');

      const json = JSON.stringify(all);
      for (const secret of [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]) assert.ok(!json.includes(secret), 'a credential reached the webview');
      for (const key of ['secretAccessKey', 'sessionToken', 'accessKeyId']) assert.ok(!json.includes(`"${key}"`), `${key} reached the webview`);
    } finally {
      sub.dispose();
      await api.commands.sessions.remove(s.id);
    }
  });
});
