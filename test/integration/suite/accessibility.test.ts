// Issue 16 in the extension host: every item of the accounts tree and the status bar carry accessible text stating
// every visible fact — what the icon or colour says (expiring, warning) in words, the "+N other sessions", and for a
// session what only the tooltip shows (requester, justification, exact expiry, role ARN) — and a countdown that shows
// seconds is spoken by the minute, so a screen reader is not made to re-read it every second.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Session, SessionCredentials } from '../../../src/core/session/types';
import { AccountsTreeProvider, type AccountsNode } from '../../../src/views/accountsTree';
import { SessionStatusBar } from '../../../src/views/statusBar';
import type { BreakGlassApi } from '../../../src/extension';
import { activateExtension } from './helpers';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';

function makeSession(id: string, incidentId: string, expiresInMs: number): { s: Session; creds: SessionCredentials } {
  const expiresAt = new Date(Date.now() + expiresInMs).toISOString();
  const creds: SessionCredentials = {
    accessKeyId: `ASIAA11Y${id.toUpperCase().padEnd(12, '0').slice(0, 12)}`, secretAccessKey: 'A11yTestSecret/0123456789abcdefghijklmnopqr',
    sessionToken: 'IQoJb3JpZ2luA11yTestSessionToken0123456789abcdefghijkl', expiration: expiresAt,
  };
  const s: Session = {
    id, accountId: '111122223333', roleArn: ROLE_ARN, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions',
    incidentId, justification: `Contain the crypto-miner (${incidentId})`, requester: 'alice@example.com', sourceIdentity: 'alice@example.com',
    roleSessionName: `${incidentId}-alice`, issuedAt: new Date().toISOString(), expiresAt, tokenHash: 'feedfacecafebeef',
    accessKeyId: creds.accessKeyId, region: 'us-east-1', state: 'active',
  };
  return { s, creds };
}

/** Every node of a tree, depth first. */
async function allNodes(tree: AccountsTreeProvider, parent?: AccountsNode): Promise<AccountsNode[]> {
  const out: AccountsNode[] = [];
  for (const n of await tree.getChildren(parent)) out.push(n, ...(await allNodes(tree, n)));
  return out;
}

describe('screen-reader text in the accounts tree and the status bar (issue 16)', function () {
  this.timeout(60_000);
  let api: BreakGlassApi;
  const first = makeSession('a11y-first', 'INC-2024-161', 5 * 60_000 + 30_000);
  const second = makeSession('a11y-second', 'INC-2024-162', 3 * 3600_000);

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    await api.commands.sessions.add(first.s, first.creds);
    await api.commands.sessions.add(second.s, second.creds);
  });

  after(async () => {
    await api.commands.sessions.remove(first.s.id);
    await api.commands.sessions.remove(second.s.id);
  });

  it('every tree item has an accessible label with its label and every part of its description', async () => {
    const tree = api.accountsTree;
    const nodes = await allNodes(tree);
    const kinds = new Set(nodes.map((n) => n.kind));
    for (const k of ['activeSessions', 'account', 'role', 'session']) assert.ok(kinds.has(k as AccountsNode['kind']), `the tree has ${k} items`);
    for (const n of nodes) {
      const item = tree.getTreeItem(n);
      const label = item.accessibilityInformation?.label ?? '';
      assert.ok(label, `${n.id} has an accessible label`);
      assert.ok(label.includes(String(item.label)), `${n.id}: "${label}" includes its label "${String(item.label)}"`);
      for (const part of String(item.description ?? '').split(' · ').filter(Boolean)) {
        // The seconds countdown is spoken by the minute (checked below); every other part is there as shown.
        if (n.kind === 'session' && /\bleft$|expired/.test(part)) continue;
        assert.ok(label.includes(part), `${n.id}: "${label}" includes "${part}" of its description`);
      }
    }
  });

  it('a session item says its state in words and what only the tooltip showed: requester, justification, exact expiry, ARN', async () => {
    const tree = api.accountsTree;
    const nodes = (await allNodes(tree)).filter((n): n is Extract<AccountsNode, { kind: 'session' }> => n.kind === 'session' && n.session.id === first.s.id);
    assert.strictEqual(nodes.length, 2, 'under "Active sessions" and under its role');
    for (const n of nodes) {
      const label = tree.getTreeItem(n).accessibilityInformation?.label ?? '';
      for (const fact of ['INC-2024-161', 'BREAK-GLASS-INCIDENT_RESPONDER', 'containment_actions', 'alice@example.com',
        'Contain the crypto-miner (INC-2024-161)', first.s.expiresAt, ROLE_ARN]) {
        assert.ok(label.includes(fact), `"${label}" states ${fact}`);
      }
      // Added with 5½ minutes left, it is past the store's 10-minute warning: "expiring soon", in words.
      assert.match(label, /\bexpiring soon, under 6 minutes left\b/);
      assert.ok(!label.includes(first.creds.accessKeyId), 'no access key id in the label');
    }
    const expiresMs = Date.parse(first.s.expiresAt);
    // With a clock of its own (the real tree class over the real store and config): expiring, in words, not only the
    // watch icon and its warning colour; and a label that changes by the minute while the description shows seconds.
    let now = expiresMs - 299_000;
    const clocked = new AccountsTreeProvider(api.commands.configs, api.commands.sessions, { now: () => now, expiringWithinMs: () => 10 * 60_000 });
    try {
      const node = (await allNodes(clocked)).find((n) => n.kind === 'session' && n.session.id === first.s.id)!;
      const item = clocked.getTreeItem(node);
      assert.strictEqual(item.contextValue, 'session:expiring');
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'watch');
      assert.match(item.accessibilityInformation?.label ?? '', /expiring soon, under 5 minutes left/);
      const labels = new Set<string>();
      const descriptions = new Set<string>();
      for (let i = 0; i < 120; i++, now += 1000) {
        const it = clocked.getTreeItem(node);
        labels.add(it.accessibilityInformation?.label ?? '');
        descriptions.add(String(it.description));
      }
      assert.strictEqual(descriptions.size, 120, 'the visible countdown changes every second');
      assert.strictEqual(labels.size, 2, `the accessible label changes once a minute: ${[...labels].join(' | ')}`);
      now = expiresMs + 1000;
      assert.match(clocked.getTreeItem(node).accessibilityInformation?.label ?? '', /Session INC-2024-161; expired;/);
    } finally {
      clocked.dispose();
    }
  });

  it('the status bar says "+N other live sessions", the time by the minute and the warning state in words', () => {
    assert.ok(api.statusBar.item.accessibilityInformation?.label.includes('+1 other live session'), api.statusBar.item.accessibilityInformation?.label);
    const expiresMs = Date.parse(first.s.expiresAt);
    let now = expiresMs - 4 * 60_000 - 10_000;
    const bar = new SessionStatusBar(api.commands.sessions, { now: () => now, lastThresholdMs: () => 2 * 60_000 });
    try {
      assert.strictEqual(bar.item.text, '$(shield) INC-2024-161 · 4m 10s +1');
      assert.strictEqual(bar.item.accessibilityInformation?.label,
        'Break Glass session INC-2024-161 on BREAK-GLASS-INCIDENT_RESPONDER, under 5 minutes left, +1 other live session');
      now = expiresMs - 90_000;
      bar.update();
      assert.strictEqual(bar.item.text, '$(warning) INC-2024-161 · 1m 30s +1', 'a warning icon, not only the background colour');
      assert.strictEqual((bar.item.backgroundColor as vscode.ThemeColor | undefined)?.id, 'statusBarItem.warningBackground');
      assert.strictEqual(bar.item.accessibilityInformation?.label,
        'Break Glass session INC-2024-161 on BREAK-GLASS-INCIDENT_RESPONDER, warning: expires soon, under 2 minutes left, +1 other live session');
      assert.match(String(bar.item.tooltip), /WARNING/);
    } finally {
      bar.dispose();
    }
  });
});
