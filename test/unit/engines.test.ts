import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as semver from 'semver';

// The Node versions we promise (package.json engines.node, stated in the README) must be ones every runtime
// dependency of the CLI and the extension accepts. The AWS SDK v3 announced that its releases from January 2027 need
// Node >= 22: an SDK update that raises its floor fails here until engines.node (and the README) move with it, instead
// of breaking Node 20 users silently. `npm test` runs the unit tests (and so the CLI) on the machine's Node and on 24.
describe('supported Node versions', () => {
  const root = path.resolve(__dirname, '../..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const ours: string = pkg.engines.node;

  it('package.json states a range, and the README states the same range', () => {
    assert.ok(semver.validRange(ours), `engines.node '${ours}' is a semver range`);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.ok(readme.includes(`Node ${ours}`), `README names "Node ${ours}"`);
  });

  it('every AWS SDK / Smithy package accepts every Node version we support', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const scope of ['@aws-sdk', '@smithy']) {
      const dir = path.join(root, 'node_modules', scope);
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name, 'package.json');
        if (!fs.existsSync(file)) continue;
        const theirs: string | undefined = JSON.parse(fs.readFileSync(file, 'utf8')).engines?.node;
        if (!theirs) continue;
        checked++;
        if (!semver.subset(ours, theirs)) bad.push(`${scope}/${name} needs node ${theirs}`);
      }
    }
    assert.ok(checked >= 10, `checked ${checked} packages`);
    assert.deepStrictEqual(bad, [], `engines.node '${ours}' promises versions these packages refuse — raise it (and the README)`);
  });

  it('the Node running this test is one we support', () => {
    assert.ok(semver.satisfies(process.version, ours), `${process.version} satisfies ${ours}`);
  });
});
