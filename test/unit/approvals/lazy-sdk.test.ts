// The extension loads the AWS SDK on first use, not at activation (src/views/awsAccess.ts). The approvals feature must
// keep it that way: walks the static, non-type imports from src/extension.ts and fails if one reaches @aws-sdk/*.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

function staticImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  // `import … from 'x'` / `export … from 'x'` / `import 'x'`, skipping `import type` and `export type`.
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gms)) out.push(m[1]);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return undefined;
}

describe('approvals keep the AWS SDK off the activation path', () => {
  it('no static import chain from src/extension.ts reaches @aws-sdk/*', () => {
    const seen = new Map<string, string[]>();
    const queue: Array<{ file: string; chain: string[] }> = [{ file: path.join(root, 'src', 'extension.ts'), chain: [] }];
    const hits: string[] = [];
    while (queue.length) {
      const { file, chain } = queue.shift()!;
      if (seen.has(file)) continue;
      seen.set(file, chain);
      for (const spec of staticImports(file)) {
        const here = [...chain, path.relative(root, file)];
        if (spec.startsWith('@aws-sdk/')) hits.push(`${here.join(' → ')} → ${spec}`);
        const next = resolveLocal(file, spec);
        if (next) queue.push({ file: next, chain: here });
      }
    }
    assert.ok(seen.has(path.join(root, 'src', 'commands', 'approvals.ts')), 'the approvals commands are on the activation path (walk works)');
    assert.deepStrictEqual(hits, []);
  });
});
