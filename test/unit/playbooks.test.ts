import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FULL_PERMISSIONS, PLAYBOOK_FILE_GLOB, PlaybookError, parsePlaybookArg, playbookArg, playbookCatalog, playbookDisplayName, resolvePlaybook, type PlaybookRef,
} from '../../src/core/playbooks';
import { SESSION_POLICY_TEMPLATES } from '../../src/core/templates';

describe('playbooks: one reference, one catalog, one display name', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-pb-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (f: string) => fs.promises.readFile(f, 'utf8');

  it('parses every way a playbook is named, and names it the same way whichever front end parsed it', () => {
    const ws = path.join(dir, 'repo', '.breakglass', 'playbooks', 'isolate.json');
    assert.deepStrictEqual(parsePlaybookArg('containment_actions'), { kind: 'builtin', name: 'containment_actions' });
    assert.deepStrictEqual(parsePlaybookArg(FULL_PERMISSIONS), { kind: 'full' });
    assert.deepStrictEqual(parsePlaybookArg('none'), { kind: 'full' }, 'the extension\'s old spelling');
    assert.deepStrictEqual(parsePlaybookArg('arn:aws:iam::aws:policy/ReadOnlyAccess'), { kind: 'managed', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    // The extension passes `file:/abs/…`, the CLI a path relative to its working directory: the same reference.
    const fromExtension = parsePlaybookArg(`file:${ws}`);
    const fromCli = parsePlaybookArg('.breakglass/playbooks/isolate.json', path.join(dir, 'repo'));
    assert.deepStrictEqual(fromExtension, { kind: 'workspace', file: ws });
    assert.deepStrictEqual(fromCli, fromExtension);
    assert.strictEqual(playbookDisplayName(fromCli), 'workspace:isolate');
    assert.deepStrictEqual(parsePlaybookArg('custom/x.json', dir), { kind: 'file', file: path.join(dir, 'custom', 'x.json') });
    assert.strictEqual(playbookDisplayName({ kind: 'file', file: '/a/b/x.json' }), 'file:x');
    assert.strictEqual(playbookDisplayName({ kind: 'managed', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'managed:ReadOnlyAccess');
    assert.strictEqual(playbookDisplayName({ kind: 'full' }), FULL_PERMISSIONS);
    for (const ref of [fromCli, { kind: 'builtin', name: 'forensics_collection' }, { kind: 'full' }, { kind: 'managed', arn: 'arn:aws:iam::aws:policy/X' }] as PlaybookRef[]) {
      assert.deepStrictEqual(parsePlaybookArg(playbookArg(ref)), ref, 'playbookArg round-trips');
    }
    assert.strictEqual(PLAYBOOK_FILE_GLOB, '.breakglass/playbooks/*.json');
  });

  it('the catalog lists the built-ins, the workspace files and the role\'s full permissions', () => {
    const c = playbookCatalog(['/r/.breakglass/playbooks/b.json', '/r/.breakglass/playbooks/a.json'], (f) => path.basename(f));
    assert.deepStrictEqual(c.map((e) => e.name), [...Object.keys(SESSION_POLICY_TEMPLATES), 'workspace:a', 'workspace:b', FULL_PERMISSIONS]);
    assert.strictEqual(c.find((e) => e.name === 'workspace:a')?.description, 'a.json');
    assert.strictEqual(c.at(-1)?.warn, true);
  });

  it('resolves files (with an actionable error for a bad or missing one) and built-ins', async () => {
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*' }] }));
    const r = await resolvePlaybook({ kind: 'file', file: good }, read);
    assert.strictEqual(r.name, 'file:good');
    assert.deepStrictEqual(r.policy?.Statement, [{ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*' }]);
    const b = await resolvePlaybook({ kind: 'builtin', name: 'read_only_investigation' }, read);
    assert.strictEqual(b.maxDuration, 14400);
    assert.deepStrictEqual((await resolvePlaybook({ kind: 'full' }, read)).policy, undefined);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}');
    await assert.rejects(resolvePlaybook({ kind: 'file', file: bad }, read), (e: unknown) => e instanceof PlaybookError && /bad\.json is not a valid playbook:\n\s+bad\.json:1:\d+: Statement\[0\]\.Effect: .*"Alow"/.test((e as Error).message));
    await assert.rejects(resolvePlaybook({ kind: 'file', file: path.join(dir, 'missing.json') }, read), /Cannot read the playbook file .*missing\.json \(ENOENT\)/);
    await assert.rejects(resolvePlaybook({ kind: 'builtin', name: 'nope' }, read), /Unknown playbook "nope"/);
  });
});
