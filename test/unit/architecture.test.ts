import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// src/core and the CLI run under plain Node (unit tests, the `breakglass` CLI). ESLint enforces this too; this test
// also catches dynamic requires and type-only imports that a lint rule could miss.
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('architecture', () => {
  const root = path.resolve(__dirname, '../..');
  for (const dir of ['src/core', 'src/cli']) {
    it(`${dir} never imports vscode`, () => {
      const files = sources(path.join(root, dir));
      assert.ok(files.length > 0, `${dir} has sources`);
      const offenders = files.filter((f) =>
        /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]vscode['"]/.test(fs.readFileSync(f, 'utf8')));
      assert.deepStrictEqual(offenders.map((f) => path.relative(root, f)), []);
    });
  }
});
