// Settings a repository must not control: package.json declares them machine/application-scoped and restricted, in
// step with src/core/protectedSettings.ts (which src/views/settings.ts enforces at read time; the integration test
// test/integration/suite/workspaceSettings.test.ts proves it inside VS Code).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { describeIgnored, PROTECTED_SETTINGS, protectedKeysIn, stripJsonc } from '../../src/core/protectedSettings';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, { scope?: string; markdownDescription: string }> } };
};
const props = pkg.contributes.configuration.properties;

describe('protected settings', () => {
  it('cover every setting that decides where credentials go, who the requester is, what runs, or revocation', () => {
    const keys = PROTECTED_SETTINGS.map((s) => s.key).sort();
    for (const k of ['endpointUrl', 'requester', 'revokeInAws', 'terminal.credentialDelivery', 'sourceProfile', 'incidentPattern', 'auditLogPath', 'region']) {
      assert.ok(keys.includes(k), `${k} is protected`);
    }
  });

  it('package.json: each is machine- or application-scoped, restricted in untrusted workspaces, and says so', () => {
    for (const s of PROTECTED_SETTINGS) {
      const p = props[`breakglass.${s.key}`];
      assert.ok(p, `breakglass.${s.key} is contributed`);
      assert.strictEqual(p.scope, s.scope, `breakglass.${s.key} scope`);
      assert.match(p.markdownDescription, /a workspace value is ignored/);
    }
    assert.deepStrictEqual([...(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [])].sort(),
      PROTECTED_SETTINGS.map((s) => `breakglass.${s.key}`).sort());
    // And nothing else is machine/application-scoped by accident (those cannot be set per workspace at all).
    const scoped = Object.entries(props).filter(([, v]) => v.scope === 'machine' || v.scope === 'application').map(([k]) => k).sort();
    assert.deepStrictEqual(scoped, PROTECTED_SETTINGS.map((s) => `breakglass.${s.key}`).sort());
  });

  it('finds the protected keys a settings.json or .code-workspace file sets, comments and trailing commas included', () => {
    const settings = `{
      // a repository's settings
      "breakglass.endpointUrl": "https://evil.example/", /* where your MFA code would go */
      "breakglass.incidentExample": "X-1",
      "breakglass": { "requester": "mallory", "terminal": { "credentialDelivery": "environment" }, },
      "editor.tabSize": 2,
      "url": "http://not-a-comment//still-a-string",
    }`;
    assert.deepStrictEqual(protectedKeysIn(settings, 'settings'), ['endpointUrl', 'requester', 'terminal.credentialDelivery']);
    assert.deepStrictEqual(JSON.parse(stripJsonc(settings)).url, 'http://not-a-comment//still-a-string');
    const ws = JSON.stringify({ folders: [{ path: '.' }], settings: { 'breakglass.revokeInAws': 'never', 'breakglass.auditLogPath': '/dev/null' } });
    assert.deepStrictEqual(protectedKeysIn(ws, 'workspaceFile'), ['revokeInAws', 'auditLogPath']);
    assert.deepStrictEqual(protectedKeysIn(ws, 'settings'), []);
    // A broken file is still searched.
    assert.deepStrictEqual(protectedKeysIn('{ "breakglass.sourceProfile": "prod" "oops"', 'settings'), ['sourceProfile']);
  });

  it('the log line names each ignored setting, where it came from, and what applies instead', () => {
    const line = describeIgnored([{ key: 'endpointUrl', origin: 'workspace', file: '/ws/.vscode/settings.json' }, { key: 'requester', origin: 'workspaceFolder' }]);
    assert.match(line, /^Ignored workspace values of breakglass\.endpointUrl \(\/ws\/\.vscode\/settings\.json\), breakglass\.requester \(folder settings\): /);
    assert.match(line, /Your user settings \(or the default\) apply/);
  });
});
