import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The .vsix must hold only what runs: the bundles and data under dist/, media assets, and the four documents.
describe('packaged .vsix', function () {
  this.timeout(120000);
  const root = path.resolve(__dirname, '../..');
  let entries: string[];

  before(() => {
    if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: root });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-vsix-'));
    const vsix = path.join(dir, 'test.vsix');
    execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies',
      '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: root, stdio: 'pipe' });
    const list = execFileSync('python3', ['-c', 'import zipfile,sys;print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix]);
    entries = list.toString().trim().split('\n').filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('contains the extension, the CLI and the documents', () => {
    for (const f of ['package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'dist/extension.js', 'dist/cli.js', 'dist/webview/preview.js',
      'dist/data/catalog.json', 'dist/data/managed-policies.json', 'media/preview/preview.css', 'media/schemas/session-policy.schema.json', 'media/schemas/playbook.schema.json', 'media/schemas/config.schema.json', 'docs/lint-rules.md']) {
      assert.ok(entries.includes(f), `${f} in ${entries.join(', ')}`);
    }
  });

  it('contains nothing that does not run: no sources, tests, maps, configs or node_modules', () => {
    const allowed = /^(package\.json|readme\.md|changelog\.md|LICENSE\.txt|dist\/.+\.(js|json)|media\/.+\.(css|svg|png)|media\/schemas\/[\w.-]+\.json|docs\/lint-rules\.md)$/;
    assert.deepStrictEqual(entries.filter((e) => !allowed.test(e)), []);
  });
});
