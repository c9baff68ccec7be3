// The drill report as Markdown (the CLI's default output and the editor's report document).
import type { DrillReport, FindingStatus } from './drill';

const LABEL: Record<FindingStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'NOT CHECKED' };

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: DrillReport): string {
  const out: string[] = [];
  const total = (s: FindingStatus) => r.findings.filter((f) => f.status === s).length;
  out.push('# Break Glass readiness check', '');
  out.push(`Run ${r.generatedAt}${r.live ? ' (live: each role assumed with MFA)' : ' (static: IAM read only)'} — **${r.exitCode === 0 ? 'ready' : r.exitCode === 1 ? 'ready with warnings' : 'NOT READY'}**: ${total('pass')} passed, ${total('warn')} warnings, ${total('fail')} failures, ${total('skip')} not checked.`, '');
  out.push('| Account | Status | Pass | Warn | Fail |', '| --- | --- | --- | --- | --- |');
  for (const a of r.accounts) out.push(`| ${cell(a.name)} (${a.accountId}) | ${LABEL[a.status]} | ${a.pass} | ${a.warn} | ${a.fail} |`);
  const config = r.findings.filter((f) => f.subject === 'config');
  if (config.length) {
    out.push('', '## Configuration');
    for (const f of config) out.push(`- **${LABEL[f.status]}** ${f.reason}`);
  }
  for (const a of r.accounts) {
    out.push('', `## ${a.name} (${a.accountId})`);
    const mine = r.findings.filter((f) => f.accountId === a.accountId);
    for (const subject of [...new Set(mine.map((f) => f.subject))]) {
      out.push('', `### ${subject}`, '');
      for (const f of mine.filter((x) => x.subject === subject)) {
        out.push(`- **${LABEL[f.status]}** \`${f.check}\` — ${f.reason}${f.fix && f.status !== 'pass' ? `\n  - Fix: ${f.fix}` : ''}`);
        if (f.diff) out.push('', '  ```diff', ...f.diff.split('\n').map((l) => `  ${l.replace(/^(.) /, '$1')}`), '  ```');
      }
    }
  }
  return out.join('\n') + '\n';
}
