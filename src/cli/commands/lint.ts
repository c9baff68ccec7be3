// `breakglass lint`: checks IAM policy files offline (grammar, unknown actions, risky grants, wrong condition types,
// MFA anti-patterns, session-policy limits) and prints one finding per line as file:line:col severity code message.
// Exit 1 when any finding is an error.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { parseArgs } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { lintPolicy, type LintFinding } from '../../core/policy/lint';

const USAGE = `usage: breakglass lint <file>… [--session] [--policy-arn <arn>]… [--kind identity|boundary|session] [--json]

Checks IAM policy documents offline and prints each finding as
  file:line:col severity code message
Exits 1 when any finding is an error, 0 otherwise.

  --session     lint as a session policy (2,048-character plaintext limit, at most 10 managed policy ARNs,
                allowed characters); same as --kind session
  --policy-arn  a managed session policy ARN passed alongside (counts against the session limits; repeatable)
  --kind        identity (default), boundary or session
  --json        machine-readable output: [{ file, findings: [...] }]
`;

export const lintCommand: Subcommand = {
  name: 'lint',
  summary: 'check IAM policy files offline (grammar, risky grants, condition types, session limits)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseArgs(argv, {
      session: { type: 'boolean' }, json: { type: 'boolean' }, kind: { type: 'string' }, 'policy-arn': { type: 'list' },
    });
    if (!p.positionals.length) throw new UsageError('give at least one policy file');
    const kindOpt = p.options.kind as string | undefined;
    if (kindOpt !== undefined && !['identity', 'boundary', 'session'].includes(kindOpt)) {
      throw new UsageError(`--kind must be identity, boundary or session, not '${kindOpt}'`);
    }
    const kind = (p.options.session ? 'session' : kindOpt ?? 'identity') as 'identity' | 'boundary' | 'session';
    const arns = (p.options['policy-arn'] as string[] | undefined) ?? [];

    const results: Array<{ file: string; findings: LintFinding[] }> = [];
    for (const file of p.positionals) {
      let text: string;
      try {
        text = await fsp.readFile(path.resolve(io.cwd, file), 'utf8');
      } catch (e) {
        results.push({ file, findings: [{ severity: 'error', code: 'io', message: `cannot read ${file}: ${(e as Error).message}`, path: '' }] });
        continue;
      }
      results.push({ file, findings: lintPolicy(text, { kind, managedPolicyArns: arns }) });
    }

    const errors = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0);
    if (p.options.json) {
      io.stdout.write(JSON.stringify(results, null, 2) + '\n');
    } else {
      let warnings = 0;
      for (const r of results) {
        for (const f of r.findings) {
          if (f.severity === 'warning') warnings++;
          const where = f.position ? `${r.file}:${f.position.line + 1}:${f.position.column + 1}` : `${r.file}:1:1`;
          io.stdout.write(`${where} ${f.severity} ${f.code} ${f.message}\n`);
        }
      }
      const files = results.length === 1 ? '1 file' : `${results.length} files`;
      io.stderr.write(`${files} checked: ${errors} error(s), ${warnings} warning(s)\n`);
    }
    return errors ? 1 : 0;
  },
};
