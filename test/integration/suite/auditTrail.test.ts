// The audit trail inside VS Code: the summary verifies the hash chain and names the first broken link; appends are
// shipped to a local CloudWatch Logs endpoint when the central trail is configured; Show Break-glass Activity reads a
// local CloudTrail endpoint and flags an AssumeRole with no audit record.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BreakGlassApi } from '../../../src/extension';
import type { ActivityResult } from '../../../src/core/trail/activity';
import { breakGlassAssumeRoleRecord } from '../../../src/core/trail/samples';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { activateExtension, waitFor } from './helpers';

describe('audit trail (integration)', function () {
  this.timeout(45_000);
  let api: BreakGlassApi;
  let fake: FakeTrail;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-int-trail-'));
  const auditFile = path.join(tmp, 'audit.jsonl');
  const config = () => vscode.workspace.getConfiguration('breakglass');

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    fake = await startFakeTrail();
    fake.groups.set('/breakglass/audit', { streams: new Map(), metricFilters: [] });
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASEUSER00000001';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    await config().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('auditLogPath', auditFile, vscode.ConfigurationTarget.Global);
    await config().update('audit.cloudWatchLogGroup', '/breakglass/audit', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const k of ['endpointUrl', 'region', 'auditLogPath', 'audit.cloudWatchLogGroup']) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await fake?.close();
  });

  it('ships each append to the central trail without delaying it', async () => {
    const log = api.commands.audit();
    assert.strictEqual(log.file, auditFile);
    await log.append({ event: 'granted', sessionId: 'int-1', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER', accessKeyId: 'ASIAINTEGRATION00001', requester: 'alice', incidentId: 'INC-2024-001' });
    await log.append({ event: 'expired', sessionId: 'int-1' });
    const shipped = await waitFor(() => {
      const streams = [...(fake.groups.get('/breakglass/audit')?.streams.values() ?? [])];
      return streams.length === 1 && streams[0].length === 2 ? streams[0] : undefined;
    }, 15_000, 'two records in CloudWatch Logs');
    assert.deepStrictEqual(shipped.map((e) => e.message), fs.readFileSync(auditFile, 'utf8').trim().split('\n'));
  });

  it('the summary verifies the chain, and reports the first broken link after an edit without changing the totals', async () => {
    let doc = await vscode.commands.executeCommand<vscode.TextDocument>('breakglass.auditSummary', { sinceMs: 0, central: false });
    assert.match(doc.getText(), /Integrity: hash chain verified \(2 record/);
    const lines = fs.readFileSync(auditFile, 'utf8').split('\n');
    lines[0] = lines[0].replace('"alice"', '"mallory"');
    fs.writeFileSync(auditFile, lines.join('\n'));
    doc = await vscode.commands.executeCommand<vscode.TextDocument>('breakglass.auditSummary', { sinceMs: 0, central: false, format: 'json' });
    const s = JSON.parse(doc.getText());
    assert.strictEqual(s.integrity.ok, false);
    assert.deepStrictEqual([s.integrity.firstBreak.kind, s.integrity.firstBreak.line], ['edited', 1]);
    assert.strictEqual(s.totalSessions, 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Break-glass Activity lists CloudTrail events and flags the one without an audit record', async () => {
    const mk = (id: string, key: string) => {
      const r = breakGlassAssumeRoleRecord() as { eventTime: string; responseElements: { credentials: { accessKeyId: string } } };
      r.eventTime = new Date().toISOString();
      r.responseElements.credentials.accessKeyId = key;
      return { EventId: id, EventName: 'AssumeRole', EventTime: Date.now() / 1000, EventSource: 'sts.amazonaws.com', CloudTrailEvent: JSON.stringify(r) };
    };
    fake.cloudTrailEvents = [mk('known', 'ASIAINTEGRATION00001'), mk('unknown', 'ASIAOUTOFBAND0000001')];
    const r = await vscode.commands.executeCommand<ActivityResult>('breakglass.showActivity', { days: 1 });
    assert.deepStrictEqual(r.items.map((i) => [i.eventId, i.flagged]).sort(), [['known', false], ['unknown', true]]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
