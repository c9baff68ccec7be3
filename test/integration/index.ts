// Mocha runner executed INSIDE the VS Code extension host (see test/harness/run-integration.js). The host's stdout
// is not visible to the harness, so results go to files: $EXT_TEST_RESULTS_DIR/integration.{json,txt}.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const dir = process.env.EXT_TEST_RESULTS_DIR || path.resolve(__dirname, '../../../test-results/integration');
  fs.mkdirSync(dir, { recursive: true });
  const txt = path.join(dir, 'integration.txt');
  fs.writeFileSync(txt, '');
  const out = (s: string) => fs.appendFileSync(txt, s + '\n');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'base' });
  const suiteDir = path.join(__dirname, 'suite');
  for (const f of fs.readdirSync(suiteDir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(suiteDir, f));
  return new Promise((resolve, reject) => {
    const tests: Array<{ title: string; state: string; ms?: number; error?: string }> = [];
    const runner = mocha.run((failures) => {
      const passes = tests.filter((t) => t.state === 'passed').length;
      fs.writeFileSync(path.join(dir, 'integration.json'), JSON.stringify({ suite: 'integration', passes, failures, tests }, null, 1));
      out(`integration (inside VS Code): ${passes} passing, ${failures} failing`);
      out(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration tests failed.`));
      else resolve();
    });
    runner.on('pass', (t) => {
      tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration });
      out(`  ✔ ${t.fullTitle()} (${t.duration}ms)`);
    });
    runner.on('fail', (t, e: Error) => {
      tests.push({ title: t.fullTitle(), state: 'failed', error: String(e?.message) });
      out(`  ✖ ${t.fullTitle()}: ${e?.message}\n${(e?.stack ?? '').split('\n').slice(1, 6).join('\n')}`);
    });
  });
}
